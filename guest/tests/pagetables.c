/**
 * @file
 * @brief Lab 5 test guest: builds a second address space with the PV
 *        page-table hypercalls, runs on it, and goes back.
 *
 * The steps, each printed:
 *  1. Copy the builder's page tables into free frames. The new L4 is
 *     pinned while still empty (the hypervisor fills in its own slots);
 *     then every entry is written with mmu_update, top down: an entry
 *     that points to a new table goes in before that table's entries, so
 *     the table is already a page table (validated, typed) when they come.
 *     The copies of L1s map the same frames with the same rights.
 *  2. Switch to the copy (MMUEXT_NEW_BASEPTR); code, stack and data still
 *     work.
 *  3. Hook a new L1 into the copy's L2 and map a fresh frame with
 *     update_va_mapping where nothing was mapped; write it and read it
 *     back. (update_va_mapping works on the current tables: it finds the
 *     new L1 only if the switch happened.)
 *  4. Unmap it: a read faults (\#PF, through the trap table), and the
 *     words written are in the frame (seen through the scratch window).
 *  5. Switch back to the builder's L4 and unpin the copy. Nothing holds
 *     its tables then: each must be a plain frame again, which the guest
 *     may map writable.
 */
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/layout.h>
#include <guest/pagetable.h>
#include <guest/test.h>
#include <guest/traps.h>

/** Tables the copy may have at most: the builder's are 4 or 5. */
#define MAX_COPIES 16

/** The value of data_probe, in .data: the loader copied it there. */
#define DATA_PROBE 0x5ca1ab1e0ddba115UL

/** What step 3 writes into word @p i of the fresh frame. */
#define PATTERN(i) (0x9e3779b97f4a7c15UL * ((i) + 1))

/** Words in a page. */
#define PAGE_WORDS (PAGE_SIZE / sizeof(uint64_t))

/** Initialised data, read on every address space. */
static volatile unsigned long data_probe = DATA_PROBE;

/** One of the builder's tables and its copy. */
struct copy {
    unsigned long old_mfn; /**< the builder's table */
    unsigned long new_mfn; /**< the copy */
};

/** Every table copied so far. */
static struct copy copies[MAX_COPIES];
/** How many. */
static unsigned int nr_copies;

/** mmu_update requests not sent yet: up to one table's worth. */
static struct mmu_update batch[PT_ENTRIES];
/** How many. */
static unsigned int batched;

/** Send the batched requests; the hypervisor does them in order. */
static bool send_batch(void)
{
    unsigned int done = 0, n = batched;
    long rc;

    batched = 0;
    if (!n)
        return true;
    rc = HYPERVISOR_mmu_update(batch, n, &done, DOMID_SELF);
    return CHECK(!rc,
                 "mmu_update: request %u of %u (ptr 0x%lx, val 0x%lx) "
                 "refused: %ld",
                 done, n, done < n ? batch[done].ptr : 0,
                 done < n ? batch[done].val : 0, rc);
}

/** Batch the write of @p val into entry @p index of table @p table_mfn. */
static bool queue_entry(unsigned long table_mfn, unsigned int index,
                        uint64_t val)
{
    if (batched == PT_ENTRIES && !send_batch())
        return false;
    batch[batched++] = (struct mmu_update){
        .ptr = pte_maddr(table_mfn, index) | MMU_NORMAL_PT_UPDATE,
        .val = val,
    };
    return true;
}

/** A zeroed frame for the copy of table @p old_mfn of @p level. */
static unsigned long new_table(unsigned long old_mfn, unsigned int level)
{
    struct copy *c;

    if (nr_copies == MAX_COPIES)
        test_error("the builder's tables have more than %u frames", MAX_COPIES);
    c = &copies[nr_copies++];
    *c = (struct copy){ .old_mfn = old_mfn, .new_mfn = frame_alloc() };
    printf("pagetables: L%u at mfn 0x%lx: copy at mfn 0x%lx\n", level, old_mfn,
           c->new_mfn);
    return c->new_mfn;
}

/** The copy of the builder's table @p old_mfn. */
static unsigned long copy_of(unsigned long old_mfn)
{
    unsigned int i;

    for (i = 0; i < nr_copies; i++)
        if (copies[i].old_mfn == old_mfn)
            return copies[i].new_mfn;
    test_error("mfn 0x%lx was not copied", old_mfn);
}

/**
 * Batch the entries of table @p new_mfn of @p level: those of the
 * builder's table @p old_mfn, pointing to copies of the tables below.
 * @p new_mfn is a page table already (pinned, or hooked into its parent
 * by an earlier request of the batch).
 */
static bool copy_table(unsigned long new_mfn, unsigned long old_mfn,
                       unsigned int level)
{
    const uint64_t *old = pt_table_virt(old_mfn);
    unsigned int i;

    if (!old)
        test_error("L%u at mfn 0x%lx is not among the builder's tables", level,
                   old_mfn);
    for (i = 0; i < PT_ENTRIES; i++) {
        uint64_t e = old[i];
        unsigned long child;

        if (!(e & _PAGE_PRESENT) || (level == 4 && pt_hypervisor_l4_slot(i)))
            continue;
        if (level == 1) {
            if (!queue_entry(new_mfn, i, e))
                return false;
            continue;
        }
        child = new_table(pte_mfn(e), level - 1);
        if (!queue_entry(new_mfn, i,
                         (e & ~PTE_ADDR_MASK) | (uint64_t)child
                                                    << PAGE_SHIFT) ||
            !copy_table(child, pte_mfn(e), level - 1))
            return false;
    }
    return true;
}

/** Step 1: copy the builder's tables. @return the new L4, or 0. */
static unsigned long build_copy(void)
{
    unsigned long old_l4 = pt_initial_l4_mfn();
    unsigned long new_l4 = new_table(old_l4, 4);

    /* Nothing points to an L4: a pin makes it a page table. */
    if (!CHECK_EQ(pt_mmuext(MMUEXT_PIN_L4_TABLE, new_l4), 0) ||
        !copy_table(new_l4, old_l4, 4) || !send_batch())
        return 0;
    printf("pagetables: copied %u tables; the new L4 is pinned\n", nr_copies);
    return new_l4;
}

/** Code, stack, .data and .bss work on the current tables. */
static bool still_running(const char *where)
{
    static volatile unsigned long bss_probe;
    bool ok;

    bss_probe = ~data_probe;
    ok = CHECK_EQ(data_probe, DATA_PROBE);
    ok = CHECK_EQ(bss_probe, ~DATA_PROBE) && ok;
    printf("pagetables: running on %s: code, stack and data work\n", where);
    return ok;
}

/** Steps 2 and 5: MMUEXT_NEW_BASEPTR to @p l4_mfn, named @p name. */
static bool switch_to(unsigned long l4_mfn, const char *name)
{
    printf("pagetables: switching to %s (L4 at mfn 0x%lx)\n", name, l4_mfn);
    return CHECK_EQ(pt_mmuext(MMUEXT_NEW_BASEPTR, l4_mfn), 0) &&
           still_running(name);
}

/** What step 3 added to the copy: 0 for what it did not. */
struct fresh {
    unsigned long l1;   /**< the new L1 */
    unsigned long data; /**< the frame it maps */
};

/**
 * Step 3, on the copy: map a fresh frame at @p va, where the builder
 * mapped nothing, through a new L1; write and read it.
 */
static bool map_fresh_page(uintptr_t va, struct fresh *f)
{
    const uint64_t *l3e = pt_lookup(va, 3), *l2e = pt_lookup(va, 2);
    volatile uint64_t *p = (volatile uint64_t *)va;
    unsigned long l2, l1, data;
    unsigned int i, wrong = 0;

    if (!l3e || !(*l3e & _PAGE_PRESENT) || !l2e || (*l2e & _PAGE_PRESENT))
        test_error("0x%lx: expected an L2 entry that is free", va);
    l2 = copy_of(pte_mfn(*l3e));
    l1 = frame_alloc();
    data = frame_alloc();
    printf("pagetables: new L1 (mfn 0x%lx) in the copy's L2 (mfn 0x%lx); "
           "fresh frame (mfn 0x%lx) at 0x%lx\n",
           l1, l2, data, va);
    if (!CHECK_EQ(pt_update(pte_maddr(l2, pt_index(va, 2)),
                            (uint64_t)l1 << PAGE_SHIFT | PTE_TABLE),
                  0))
        return false;
    f->l1 = l1;
    if (!CHECK_EQ(HYPERVISOR_update_va_mapping(
                      va, (uint64_t)data << PAGE_SHIFT | PTE_KERNEL_RW,
                      UVMF_INVLPG | UVMF_LOCAL),
                  0))
        return false;
    f->data = data;
    for (i = 0; i < PAGE_WORDS; i++)
        p[i] = PATTERN(i);
    for (i = 0; i < PAGE_WORDS; i++)
        wrong += p[i] != PATTERN(i);
    printf("pagetables: wrote and read %lu words at 0x%lx\n", PAGE_WORDS, va);
    return CHECK(!wrong, "%u of %lu words read back wrong", wrong, PAGE_WORDS);
}

/** Step 4: unmap @p va; a read faults; frame @p data kept the words. */
static void unmap_and_fault(uintptr_t va, unsigned long data)
{
    unsigned long before = traps_seen.count;
    const uint64_t *w;
    unsigned int i, wrong = 0;

    if (!CHECK_EQ(HYPERVISOR_update_va_mapping(va, 0, UVMF_INVLPG), 0))
        return;
    CHECK(!trap_probe_read(va), "0x%lx still reads after the unmap", va);
    CHECK_EQ(traps_seen.count, before + 1);
    CHECK_EQ(traps_seen.vector, X86_EXC_PF);
    CHECK_EQ(traps_seen.cr2, va);
    printf("pagetables: unmapped; reading 0x%lx gave vector %lu, cr2 0x%lx\n",
           va, traps_seen.vector, traps_seen.cr2);

    w = scratch_map(data);
    for (i = 0; i < PAGE_WORDS; i++)
        wrong += w[i] != PATTERN(i);
    scratch_restore();
    CHECK(!wrong, "frame 0x%lx: %u of %lu words are not what was written", data,
          wrong, PAGE_WORDS);
}

/**
 * Can frame @p mfn be mapped writable, that is, is it no page table?
 * Leaves the scratch window as it was.
 */
static bool plain_frame(unsigned long mfn)
{
    long rc = HYPERVISOR_update_va_mapping(
        (uintptr_t)scratch_va(), (uint64_t)mfn << PAGE_SHIFT | PTE_KERNEL_RW,
        UVMF_INVLPG);

    if (!rc)
        scratch_restore();
    return CHECK(!rc,
                 "mfn 0x%lx is still a page table: mapping it "
                 "writable gave %ld",
                 mfn, rc);
}

/**
 * Step 5, after the switch back: unpin the copy. Its L4 had the last
 * references to the tables below, so all of them, and the L1 that step 3
 * added (@p extra_l1, 0 if none), must be plain frames again.
 */
static void release_copy(unsigned long new_l4, unsigned long extra_l1)
{
    unsigned int i, plain = 0;

    if (!CHECK_EQ(pt_mmuext(MMUEXT_UNPIN_TABLE, new_l4), 0))
        return;
    for (i = 0; i < nr_copies; i++)
        plain += plain_frame(copies[i].new_mfn);
    if (extra_l1)
        plain += plain_frame(extra_l1);
    printf("pagetables: copy unpinned; %u of its tables are plain frames "
           "again\n",
           plain);
}

void test_main(const struct start_info *si)
{
    unsigned long old_l4, new_l4;
    struct fresh fresh = { 0 };
    uintptr_t fresh_va;

    pt_init(si);
    old_l4 = pt_initial_l4_mfn();
    fresh_va = pt_mapped_end();
    printf("pagetables: builder's L4 at mfn 0x%lx, %lu table frames; "
           "0x%lx-0x%lx mapped; %lu frames in all\n",
           old_l4, si->nr_pt_frames, (uintptr_t)_image_start, fresh_va,
           si->nr_pages);

    new_l4 = build_copy();
    if (!new_l4 || !switch_to(new_l4, "the copy"))
        return;
    if (map_fresh_page(fresh_va, &fresh))
        unmap_and_fault(fresh_va, fresh.data);
    if (!switch_to(old_l4, "the builder's tables"))
        return;
    release_copy(new_l4, fresh.l1);
}
