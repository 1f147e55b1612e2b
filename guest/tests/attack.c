/**
 * @file
 * @brief Lab 5 test guest: tries to get out of its own memory through the
 *        PV page-table hypercalls; every attempt must get Xen's answer.
 *
 * The cases are the table `attacks` below: what each tries, and what Xen
 * (xen/arch/x86/mm.c) answers a 64-bit PV domU. Each case prints
 * "attack: <what>: refused (-N)", or "allowed (0)" for the few that Xen
 * lets a guest do because they harm no one else, and is checked against
 * the table. An attempt that is allowed is undone at once, so that one
 * bug does not change what the next case sees. At the end the guest
 * checks that its page tables are as they were and its memory works.
 *
 * Command line: `foreign=0x<mfn>` names another domain's frame. Without
 * it, the frame just below the guest's lowest one stands in: not ours,
 * so another domain's, the hypervisor's or free, which Xen refuses alike.
 */
#include <public/errno.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/layout.h>
#include <guest/pagetable.h>
#include <guest/segment.h>
#include <guest/string.h>
#include <guest/test.h>

/**
 * The hypervisor image's first frame: Hospes is loaded at 1 MiB. The
 * frame holds the Multiboot header, which nothing reads after boot, so
 * a write that is wrongly allowed harms little.
 */
#define HYPERVISOR_MFN 0x100UL

/** The hypervisor's own code selector (ring 0; Xen's too). */
#define HYPERVISOR_CS 0xe008

/** A bit of 52-62: available to the guest's software in Xen's ABI. */
#define PTE_AVAIL_BIT52 (1UL << 52)

/** Frames a 2 MiB page (an L2 entry with _PAGE_PSE) covers. */
#define L2_PAGE_FRAMES 512UL

/** The huge-count case: valid requests before unmapped memory... */
#define NR_BEFORE_END 2
/** ...and the count it claims. */
#define HUGE_COUNT (1U << 30)

/** Most initial page-table frames the final check compares. */
#define MAX_PT_FRAMES 8

/** Bits the CPU sets by itself in entries: ignored by the final check. */
#define PTE_CPU_BITS (_PAGE_ACCESSED | _PAGE_DIRTY)

/** The value of data_probe. */
#define DATA_PROBE 0x0ddba115ca1ab1e5UL

/** Initialised data, read again at the end. */
static volatile unsigned long data_probe = DATA_PROBE;

/** What the cases work with; set up by setup(). */
static struct {
    unsigned long l4;      /**< the current L4 (the builder's) */
    unsigned long l2;      /**< the L2 that maps the image */
    unsigned int spare;    /**< an entry of that L2 that is not present */
    unsigned long l1;      /**< the L1 that maps the image's first page */
    unsigned long fresh;   /**< a free frame of ours, mapped nowhere */
    unsigned long gdt;     /**< another, for the GDT cases */
    unsigned long foreign; /**< a frame that is not ours */
} at;

/** The builder's page tables before the cases. */
static uint64_t tables_before[MAX_PT_FRAMES][PT_ENTRIES];

/** The machine address of frame @p mfn. */
static uint64_t maddr(unsigned long mfn)
{
    return (uint64_t)mfn << PAGE_SHIFT;
}

/** The spare L2 entry, as the guest reads it. */
static uint64_t spare_entry(void)
{
    return pt_table_virt(at.l2)[at.spare];
}

/** Point the scratch window's L1 entry at @p val; undone if allowed. */
static long try_map(uint64_t val)
{
    long rc = HYPERVISOR_update_va_mapping((uintptr_t)scratch_va(), val,
                                           UVMF_INVLPG | UVMF_LOCAL);

    if (!rc)
        scratch_restore();
    return rc;
}

/**
 * mmu_update of entry @p index of table @p table to @p val; if allowed,
 * undone by writing @p old back.
 */
static long try_update(unsigned long table, unsigned int index, uint64_t val,
                       uint64_t old)
{
    long rc = pt_update(pte_maddr(table, index), val);

    if (!rc)
        CHECK_EQ(pt_update(pte_maddr(table, index), old), 0);
    return rc;
}

/** Write @p val into the spare L2 entry; undone if allowed. */
static long try_l2_entry(uint64_t val)
{
    return try_update(at.l2, at.spare, val, 0);
}

/** A 2 MiB page over the machine memory around our first frame. */
static uint64_t superpage(void)
{
    unsigned long mfn = virt_to_mfn(_image_start) & ~(L2_PAGE_FRAMES - 1);

    return maddr(mfn) | PTE_KERNEL_RW | _PAGE_PSE;
}

/*
 * The attempts: each returns the hypervisor's answer.
 */

/** Map the hypervisor's first frame, writable, at the window. */
static long map_hypervisor_frame(void)
{
    return try_map(maddr(HYPERVISOR_MFN) | PTE_KERNEL_RW);
}

/** Map a frame of another domain (at.foreign), read-only. */
static long map_foreign_frame(void)
{
    return try_map(maddr(at.foreign) | PTE_KERNEL_RO);
}

/** Map one of its own L1 tables writable: it could then rewrite it. */
static long map_own_l1_writable(void)
{
    return try_map(maddr(at.l1) | PTE_KERNEL_RW);
}

/** Map its own free frame with bit 52 of the entry set. */
static long map_bit52(void)
{
    return try_map(maddr(at.fresh) | PTE_KERNEL_RW | PTE_AVAIL_BIT52);
}

/** Map its own free frame as a global page. */
static long map_global(void)
{
    return try_map(maddr(at.fresh) | PTE_KERNEL_RW | _PAGE_GLOBAL);
}

/** An L2 entry with _PAGE_GLOBAL, to its own (empty) frame as an L1. */
static long l2_global(void)
{
    return try_l2_entry(maddr(at.fresh) | PTE_TABLE | _PAGE_GLOBAL);
}

/** An L2 entry that maps 2 MiB of machine memory directly. */
static long l2_superpage(void)
{
    return try_l2_entry(superpage());
}

/** An L2 entry that makes the hypervisor's frame one of its L1s. */
static long l2_hypervisor_l1(void)
{
    return try_l2_entry(maddr(HYPERVISOR_MFN) | PTE_TABLE);
}

/** Pin the hypervisor's frame as an L1. */
static long pin_hypervisor_frame(void)
{
    long rc = pt_mmuext(MMUEXT_PIN_L1_TABLE, HYPERVISOR_MFN);

    if (!rc)
        CHECK_EQ(pt_mmuext(MMUEXT_UNPIN_TABLE, HYPERVISOR_MFN), 0);
    return rc;
}

/** Pin its free frame as an L1, then again; unpin. */
static long pin_twice(void)
{
    long first = pt_mmuext(MMUEXT_PIN_L1_TABLE, at.fresh), rc;

    if (!CHECK(!first, "pinning a zeroed frame as an L1 gave %ld", first))
        return first;
    rc = pt_mmuext(MMUEXT_PIN_L1_TABLE, at.fresh);
    CHECK_EQ(pt_mmuext(MMUEXT_UNPIN_TABLE, at.fresh), 0);
    return rc;
}

/** Unpin its free frame, which is not pinned. */
static long unpin_unpinned(void)
{
    return pt_mmuext(MMUEXT_UNPIN_TABLE, at.fresh);
}

/**
 * Switch to its free frame, mapped writable, as an L4. Allowed, the guest
 * would run on an empty L4 and die at once: nothing to undo, and the
 * grader sees no verdict.
 */
static long new_baseptr_data(void)
{
    long rc;

    scratch_map(at.fresh); /* mapped writable: a data frame */
    rc = pt_mmuext(MMUEXT_NEW_BASEPTR, at.fresh);
    scratch_restore();
    return rc;
}

/** mmu_update that writes 0 into the hypervisor's frame. */
static long update_hypervisor_frame(void)
{
    return pt_update(maddr(HYPERVISOR_MFN), 0);
}

/** mmu_update into its own free frame, which is no page table. */
static long update_data_frame(void)
{
    return pt_update(maddr(at.fresh), 0); /* it holds 0 already */
}

/**
 * mmu_update of the first hypervisor slot of its L4: its own L3 there
 * would map its memory where the hypervisor's is.
 */
static long update_hypervisor_l4_slot(void)
{
    const uint64_t *l4 = pt_table_virt(at.l4);
    unsigned int slot = pt_index(HYPERVISOR_VIRT_START, 4);

    return try_update(at.l4, slot, l4[pt_index((uintptr_t)_image_start, 4)],
                      l4[slot]);
}

/**
 * One mmu_update of three requests, the second refused: the third must
 * not happen, and done must say 1.
 */
static long batch_stops_at_bad(void)
{
    uint64_t ptr = pte_maddr(at.l2, at.spare) | MMU_NORMAL_PT_UPDATE;
    const struct mmu_update req[] = {
        { .ptr = ptr, .val = 0 },           /* fine: 0 already */
        { .ptr = ptr, .val = superpage() }, /* refused */
        { .ptr = ptr, .val = maddr(at.fresh) | PTE_TABLE }, /* never done */
    };
    unsigned int done = ~0U;
    long rc = HYPERVISOR_mmu_update(req, 3, &done, DOMID_SELF);

    CHECK_EQ(done, 1);
    if (!CHECK(!(spare_entry() & _PAGE_PRESENT),
               "the batch went on after the refused request: entry %u of "
               "the L2 is 0x%lx",
               at.spare, spare_entry()))
        CHECK_EQ(pt_update(ptr, 0), 0);
    return rc;
}

/**
 * mmu_update with a count of 2^30 for an array of NR_BEFORE_END valid
 * requests that ends where the mapped region does: -EFAULT, once those
 * are done.
 */
static long huge_count(void)
{
    struct mmu_update *req = (struct mmu_update *)pt_mapped_end();
    unsigned int i, done = ~0U;
    long rc;

    req -= NR_BEFORE_END;
    for (i = 0; i < NR_BEFORE_END; i++)
        req[i] = (struct mmu_update){
            .ptr = pte_maddr(at.l2, at.spare) | MMU_NORMAL_PT_UPDATE,
            .val = 0,
        };
    rc = HYPERVISOR_mmu_update(req, HUGE_COUNT, &done, DOMID_SELF);
    CHECK_EQ(done, NR_BEFORE_END);
    return rc;
}

/**
 * set_gdt of at.gdt holding descriptor @p desc as entry 1: the answer;
 * if allowed, *@p dpl (if given) learns the DPL the CPU sees, and the
 * GDT is dropped again.
 */
static long try_gdt(uint64_t desc, unsigned int *dpl)
{
    unsigned long frames[1] = { at.gdt };
    uint64_t *p = scratch_map(at.gdt);
    long rc;

    p[1] = desc;
    scratch_restore();
    rc = HYPERVISOR_set_gdt(frames, 2);
    if (!rc) {
        if (dpl && !seg_dpl(GDT_SEL(1), dpl))
            *dpl = 0; /* not loadable from ring 3 */
        CHECK_EQ(HYPERVISOR_set_gdt(NULL, 0), 0);
    }
    return rc;
}

/**
 * A GDT with a 64-bit code segment of DPL 0. Allowed: the DPL is raised
 * to 3 on the way in, so it never gives ring 0.
 */
static long gdt_ring0_code(void)
{
    unsigned int dpl = 0;
    long rc = try_gdt(seg_desc(SEG_ACCESS_CODE, 0xfffff) | SEG_LONG, &dpl);

    if (!rc)
        CHECK(dpl == 3, "the ring-0 code segment kept DPL %u", dpl);
    return rc;
}

/** A GDT with a TSS: the CPU's own state, not the guest's to give. */
static long gdt_tss(void)
{
    return try_gdt(seg_desc(SEG_ACCESS_TSS, 0x67), NULL);
}

/** A GDT with a call gate from ring 3 into the hypervisor's code. */
static long gdt_call_gate(void)
{
    return try_gdt(seg_desc(SEG_ACCESS_GATE | SEG_ACCESS_DPL(3), 0) |
                       (uint64_t)HYPERVISOR_CS << 16,
                   NULL);
}

/** update_descriptor into the hypervisor's frame. */
static long update_descriptor_hypervisor(void)
{
    return HYPERVISOR_update_descriptor(maddr(HYPERVISOR_MFN),
                                        seg_desc(SEG_ACCESS_DATA, 0));
}

/** One attempt, and Xen's answer to it. */
struct attack {
    const char *what;      /**< printed */
    long (*attempt)(void); /**< makes it; undoes it if it was allowed */
    long xen_answer;       /**< 0 or -XEN_E*: why, in the table */
};

/**
 * The cases, in order (some rely on at.fresh's state after earlier ones:
 * mapped nowhere, pinned nowhere). The answers are Xen's, with the
 * function of xen/arch/x86/mm.c that gives them.
 */
static const struct attack attacks[] = {
    /* get_page_from_l1e(): the frame's owner is not the domain. */
    { "map a hypervisor frame writable", map_hypervisor_frame, -XEN_EBUSY },
    { "map a foreign frame read-only", map_foreign_frame, -XEN_EBUSY },
    /* get_page_from_l1e(): a page table takes no writable type. */
    { "map its own L1 writable", map_own_l1_writable, -XEN_EBUSY },
    /* Allowed: bits 52-62 are the guest's (_PAGE_AVAIL_HIGH). */
    { "map with PTE bit 52 set", map_bit52, 0 },
    /* Xen allows it (L1_DISALLOW_MASK leaves _PAGE_GLOBAL out) and
     * flushes global entries on every switch between guests; Hospes
     * refuses it instead (asm/pagetype.h), so no mapping of one guest
     * outlives the switch to another. */
    { "map with _PAGE_GLOBAL", map_global, -XEN_EINVAL },
    /* mod_l2_entry(): L2_DISALLOW_MASK has GLOBAL and PSE. */
    { "L2 entry with _PAGE_GLOBAL", l2_global, -XEN_EINVAL },
    { "L2 entry with _PAGE_PSE (2 MiB page)", l2_superpage, -XEN_EINVAL },
    /* get_page_from_l2e(): get_page_and_type_from_mfn(), not ours. */
    { "hypervisor frame as an L1 in its L2", l2_hypervisor_l1, -XEN_EINVAL },
    /* do_mmuext_op(): get_page_from_gfn() finds no frame of ours. */
    { "pin a hypervisor frame", pin_hypervisor_frame, -XEN_EINVAL },
    /* do_mmuext_op(): "already pinned", "not pinned". */
    { "pin a table twice", pin_twice, -XEN_EINVAL },
    { "unpin a frame that is not pinned", unpin_unpinned, -XEN_EINVAL },
    /* new_guest_cr3(): _get_page_type() sees another type in use. */
    { "new_baseptr to a writable data frame", new_baseptr_data, -XEN_EINVAL },
    /* do_mmu_update(): get_page_from_gfn() finds no frame of ours. */
    { "mmu_update into a hypervisor frame", update_hypervisor_frame,
      -XEN_EINVAL },
    /* Allowed: do_mmu_update() just writes into a writable page. */
    { "mmu_update into its own data frame", update_data_frame, 0 },
    /* mod_l4_entry(): "L4 update in Xen-private area". */
    { "mmu_update of L4 slot 256 (the hypervisor's)", update_hypervisor_l4_slot,
      -XEN_EINVAL },
    /* do_mmu_update(): stops at the first error, done counts before it. */
    { "3 updates, the 2nd bad", batch_stops_at_bad, -XEN_EINVAL },
    /* do_mmu_update(): only the array's start is checked up front. */
    { "mmu_update of 2^30 requests, 2 mapped", huge_count, -XEN_EFAULT },
    /* check_descriptor(): a DPL below the guest kernel's is raised. */
    { "GDT with a ring-0 code segment", gdt_ring0_code, 0 },
    /* check_descriptor(): system descriptors other than gates: bad. */
    { "GDT with a TSS", gdt_tss, -XEN_EINVAL },
    /* check_descriptor(): a gate's target selector may not be Xen's
     * (Hospes refuses every gate). */
    { "GDT with a call gate into the hypervisor", gdt_call_gate, -XEN_EINVAL },
    /* do_update_descriptor(): get_page_from_gfn() finds no frame of ours. */
    { "update_descriptor into a hypervisor frame", update_descriptor_hypervisor,
      -XEN_EINVAL },
};

/** The frame standing for another domain's (see the file comment). */
static unsigned long foreign_frame(const struct start_info *si)
{
    unsigned long mfn, lowest = ~0UL, pfn;

    if (cmdline_get_ulong(si->cmd_line, "foreign", &mfn)) {
        printf("attack: another domain's frame: 0x%lx (foreign=)\n", mfn);
        return mfn;
    }
    for (pfn = 0; pfn < si->nr_pages; pfn++)
        if (pfn_to_mfn(pfn) < lowest)
            lowest = pfn_to_mfn(pfn);
    mfn = lowest - 1;
    /* Our shared_info is ours to map (as in Xen), whoever allocated it. */
    if (mfn == si->shared_info >> PAGE_SHIFT)
        mfn--;
    printf("attack: no foreign= option: frame 0x%lx, below ours, stands in\n",
           mfn);
    return mfn;
}

/** Find what the cases use, and keep the page tables for the end. */
static void setup(const struct start_info *si)
{
    uintptr_t image = (uintptr_t)_image_start, spare = pt_mapped_end();
    const uint64_t *l3e = pt_lookup(image, 3), *l2e = pt_lookup(image, 2);
    const uint64_t *spare_l3e = pt_lookup(spare, 3);
    unsigned long i;

    if (!l3e || !l2e || spare_l3e != l3e)
        test_error("the image and 0x%lx are not under one L2", spare);
    if (si->nr_pt_frames > MAX_PT_FRAMES)
        test_error("%lu page-table frames: more than %u", si->nr_pt_frames,
                   MAX_PT_FRAMES);
    at.l4 = pt_initial_l4_mfn();
    at.l2 = pte_mfn(*l3e);
    at.l1 = pte_mfn(*l2e);
    at.spare = pt_index(spare, 2);
    if (spare_entry() & _PAGE_PRESENT)
        test_error("entry %u of the L2 is in use", at.spare);
    at.fresh = frame_alloc();
    at.gdt = frame_alloc();
    at.foreign = foreign_frame(si);
    printf("attack: L4 0x%lx, L2 0x%lx (entry %u free), L1 0x%lx; "
           "a free frame of ours: 0x%lx\n",
           at.l4, at.l2, at.spare, at.l1, at.fresh);
    for (i = 0; i < si->nr_pt_frames; i++)
        memcpy(tables_before[i], (const void *)(si->pt_base + i * PAGE_SIZE),
               PAGE_SIZE);
}

/** The page tables are as setup() found them; memory still works. */
static void check_intact(const struct start_info *si)
{
    volatile uint64_t *w = scratch_va();
    unsigned long i, j, changed = 0, wrong = 0;

    for (i = 0; i < si->nr_pt_frames; i++) {
        const uint64_t *t = (const uint64_t *)(si->pt_base + i * PAGE_SIZE);

        for (j = 0; j < PT_ENTRIES; j++)
            changed += ((t[j] ^ tables_before[i][j]) & ~PTE_CPU_BITS) != 0;
    }
    CHECK(!changed, "%lu page-table entries changed", changed);
    for (j = 0; j < PAGE_SIZE / sizeof(*w); j++)
        w[j] = ~j;
    for (j = 0; j < PAGE_SIZE / sizeof(*w); j++)
        wrong += w[j] != ~j;
    CHECK(!wrong, "%lu words of the scratch page read back wrong", wrong);
    CHECK_EQ(data_probe, DATA_PROBE);
    printf("attack: afterwards: %lu entries changed, memory %s\n", changed,
           wrong ? "broken" : "works");
}

void test_main(const struct start_info *si)
{
    size_t i;

    pt_init(si);
    setup(si);
    for (i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
        const struct attack *a = &attacks[i];
        long rc = a->attempt();

        printf("attack: %s: %s (%ld)\n", a->what, rc ? "refused" : "allowed",
               rc);
        CHECK(rc == a->xen_answer, "%s: got %ld, Xen gives %ld", a->what, rc,
              a->xen_answer);
    }
    check_intact(si);
}
