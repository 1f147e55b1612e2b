/**
 * @file
 * @brief Lab 5 test guest: a GDT of its own (set_gdt, update_descriptor).
 *
 * It writes a GDT page into a free frame: entry 1 a ring-3 data segment
 * whose limit is its command line's `limit=` (so that two instances tell
 * their descriptors apart), entry 2 a data segment and entry 3 a 64-bit
 * code segment, both with DPL 0. Then:
 *  - set_gdt takes the frame; `lsl`/`lar` see the descriptors, the DPLs
 *    raised to 3 (Xen's fix-up: a PV kernel runs in ring 3), and %es
 *    loads entry 1;
 *  - the frame cannot be mapped writable while it is a GDT page;
 *  - update_descriptor changes entry 1, which the CPU sees at once, and
 *    refuses a TSS, a call gate, a misaligned address and the
 *    hypervisor's frame;
 *  - set_gdt refuses too many entries, an unreadable frame list and a
 *    frame that holds a TSS, and the GDT stays as it was;
 *  - it yields `yields=` times, checking each time that entry 1 is still
 *    its own: in the grader a second instance with another limit shares
 *    the CPU, so every switch must bring the running guest's GDT in;
 *  - set_gdt with no entries drops the GDT: the selector is gone and the
 *    frame is an ordinary frame again.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/memory.h>
#include <guest/pagetable.h>
#include <guest/segment.h>
#include <guest/test.h>

/** Entry 1's limit (and what update_descriptor adds to it): 20 bits. */
#define DEFAULT_LIMIT 0x1234
/** The limit update_descriptor gives entry 1 instead: limit + this. */
#define LIMIT_STEP 0x100
/** Yields while checking entry 1, by default. */
#define DEFAULT_YIELDS 100
/** Entries in the GDT it loads. */
#define GDT_ENTRIES 4

/** A selector of each entry, as a PV guest (ring 3) uses it. */
enum { SEL_DATA = GDT_SEL(1), SEL_DATA0 = GDT_SEL(2), SEL_CODE0 = GDT_SEL(3) };

/** What the checks work with. */
static struct {
    unsigned long gdt;   /**< the GDT frame */
    unsigned long other; /**< a second free frame */
    uint32_t limit;      /**< entry 1's limit now */
} at;

/** Write @p n descriptors @p descs at the start of frame @p mfn. */
static void write_frame(unsigned long mfn, const uint64_t *descs, unsigned n)
{
    uint64_t *p = scratch_map(mfn);
    unsigned int i;

    for (i = 0; i < n; i++)
        p[i] = descs[i];
    scratch_restore();
}

/** set_gdt of the one frame @p mfn with @p entries entries. */
static long set_gdt(unsigned long mfn, unsigned int entries)
{
    return HYPERVISOR_set_gdt(&mfn, entries);
}

/** update_descriptor of entry @p i of frame @p mfn. */
static long update(unsigned long mfn, unsigned int i, uint64_t desc)
{
    return HYPERVISOR_update_descriptor(mfn_to_maddr(mfn) + i * 8, desc);
}

/** Entry 1 has limit at.limit, as `lsl` sees it. */
static bool entry1_is_ours(void)
{
    uint32_t limit;

    return seg_limit(SEL_DATA, &limit) && limit == at.limit;
}

/** Load @p sel into %es and read it back. */
static uint16_t load_es(uint16_t sel)
{
    uint16_t es;

    __asm__ volatile("mov %1, %%es; mov %%es, %0" : "=r"(es) : "r"(sel));
    return es;
}

/** Install the GDT and look at it through the CPU. */
static void install(void)
{
    const uint64_t descs[GDT_ENTRIES] = {
        0,
        seg_desc(SEG_ACCESS_DATA | SEG_ACCESS_DPL(3), at.limit),
        seg_desc(SEG_ACCESS_DATA | SEG_ACCESS_DPL(0), 0xfffff),
        seg_desc(SEG_ACCESS_CODE | SEG_ACCESS_DPL(0), 0xfffff) | SEG_LONG,
    };
    unsigned int dpl2 = 0, dpl3 = 0;
    uint32_t limit = 0;
    long rc;

    write_frame(at.gdt, descs, GDT_ENTRIES);
    rc = set_gdt(at.gdt, GDT_ENTRIES);
    printf("descriptors: set_gdt of frame 0x%lx, %u entries: %ld\n", at.gdt,
           GDT_ENTRIES, rc);
    CHECK_EQ(rc, 0);
    CHECK(seg_limit(SEL_DATA, &limit), "lsl: selector 0x%x not loadable",
          SEL_DATA);
    CHECK(seg_dpl(SEL_DATA0, &dpl2) && seg_dpl(SEL_CODE0, &dpl3),
          "lar: a DPL-0 descriptor was not raised to 3");
    printf("descriptors: lsl 0x%x: limit 0x%x; DPL 0 data and code now "
           "DPL %u and %u\n",
           SEL_DATA, limit, dpl2, dpl3);
    CHECK_EQ(limit, at.limit);
    CHECK_EQ(dpl2, 3);
    CHECK_EQ(dpl3, 3);
    CHECK_EQ(load_es(SEL_DATA), SEL_DATA);
    rc = HYPERVISOR_update_va_mapping((uintptr_t)scratch_va(),
                                      mfn_to_maddr(at.gdt) | PTE_KERNEL_RW,
                                      UVMF_INVLPG);
    printf("descriptors: map the GDT frame writable: %ld\n", rc);
    CHECK_EQ(rc, -XEN_EBUSY);
    if (!rc)
        scratch_restore();
}

/** update_descriptor: one that works, and four it must refuse. */
static void updates(void)
{
    uint64_t gate = seg_desc(SEG_ACCESS_GATE | SEG_ACCESS_DPL(3), 0) |
                    (uint64_t)FLAT_RING3_CS64 << 16;
    uint64_t tss = seg_desc(SEG_ACCESS_TSS, 0x67);
    long rc, refused[4];
    unsigned int i;

    at.limit += LIMIT_STEP;
    rc = update(at.gdt, 1,
                seg_desc(SEG_ACCESS_DATA | SEG_ACCESS_DPL(3), at.limit));
    printf("descriptors: update_descriptor of entry 1: %ld; lsl sees the new "
           "limit: %s\n",
           rc, entry1_is_ours() ? "yes" : "no");
    CHECK_EQ(rc, 0);
    CHECK(entry1_is_ours(), "lsl does not see limit 0x%x", at.limit);
    refused[0] = update(at.gdt, 2, tss);
    refused[1] = update(at.gdt, 2, gate);
    refused[2] = HYPERVISOR_update_descriptor(mfn_to_maddr(at.gdt) + 4, 0);
    refused[3] = update(HYPERVISOR_MFN, 0, 0);
    printf("descriptors: update_descriptor refused: TSS %ld, call gate %ld, "
           "misaligned %ld, hypervisor frame %ld\n",
           refused[0], refused[1], refused[2], refused[3]);
    for (i = 0; i < 4; i++)
        CHECK_EQ(refused[i], -XEN_EINVAL);
    CHECK(entry1_is_ours(), "a refused update changed entry 1");
}

/** set_gdt calls it must refuse, each leaving the GDT as it was. */
static void bad_gdts(void)
{
    const uint64_t tss[2] = { 0, seg_desc(SEG_ACCESS_TSS, 0x67) };
    long many, fault, bad;

    write_frame(at.other, tss, 2);
    many = set_gdt(at.gdt, FIRST_RESERVED_GDT_ENTRY + 1);
    fault = HYPERVISOR_set_gdt((const unsigned long *)HYPERVISOR_VIRT_START, 8);
    bad = set_gdt(at.other, 2);
    printf("descriptors: set_gdt refused: %u entries %ld, frame list in the "
           "hypervisor %ld, a TSS %ld; entry 1 unchanged: %s\n",
           FIRST_RESERVED_GDT_ENTRY + 1, many, fault, bad,
           entry1_is_ours() ? "yes" : "no");
    CHECK_EQ(many, -XEN_EINVAL);
    CHECK_EQ(fault, -XEN_EFAULT);
    CHECK_EQ(bad, -XEN_EINVAL);
    CHECK(entry1_is_ours(), "a refused set_gdt changed the GDT");
    scratch_map(at.other); /* still an ordinary frame */
    scratch_restore();
}

/** Yield @p n times; entry 1 must be ours after each. */
static void yields(unsigned long n)
{
    unsigned long i, wrong = 0;

    for (i = 0; i < n; i++) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        wrong += !entry1_is_ours();
    }
    printf("descriptors: %lu yields: entry 1 was someone else's %lu times\n", n,
           wrong);
    CHECK_EQ(wrong, 0);
}

/** Drop the GDT. */
static void drop(void)
{
    uint32_t limit;
    long rc;

    load_es(0);
    rc = HYPERVISOR_set_gdt(NULL, 0);
    printf("descriptors: set_gdt of no entries: %ld; entry 1 %s\n", rc,
           seg_limit(SEL_DATA, &limit) ? "still there" : "gone");
    CHECK_EQ(rc, 0);
    CHECK(!seg_limit(SEL_DATA, &limit), "entry 1 survived");
    scratch_map(at.gdt); /* ERROR if it is still a GDT page */
    scratch_restore();
    printf("descriptors: the frame maps writable again\n");
}

void test_main(const struct start_info *si)
{
    unsigned long limit = DEFAULT_LIMIT, n = DEFAULT_YIELDS;

    pt_init(si);
    cmdline_get_ulong(si->cmd_line, "limit", &limit);
    cmdline_get_ulong(si->cmd_line, "yields", &n);
    at.limit = limit & 0xfffff;
    at.gdt = frame_alloc();
    at.other = frame_alloc();
    install();
    updates();
    bad_gdts();
    yields(n);
    drop();
}
