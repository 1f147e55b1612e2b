/**
 * @file
 * @brief Lab 5 test guest: mmu_update does a batch of requests in order,
 *        counts them in `done`, and stops at the first bad one.
 *
 * The steps, each printed:
 *  1. Hook a fresh frame into the L2 as a new L1, over the 2 MiB past the
 *     builder's mapped region (one request).
 *  2. Fill the whole L1 in one call of 512 requests: 511 fresh frames,
 *     writable, and the L1 itself, read-only, in its last entry, so that
 *     the guest can read what the hypervisor wrote. done must be 512,
 *     every entry as asked, every page usable.
 *  3. MMU_MACHPHYS_UPDATE changes the M2P entry of a frame of its own
 *     (read back through the M2P), and not of a frame that is not.
 *  4. A batch of 5 whose 3rd request is bad: the error, done == 2, the
 *     first 2 done and the last 2 not.
 *  5. Unhook the L1. The hypervisor then holds no reference for it: the
 *     domain's teardown checks that every count is back to zero.
 *
 * Only mmu_update is used, never update_va_mapping: the frames are the
 * builder's zeroed ones (untouched_frame()).
 */
#include <public/errno.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/memory.h>
#include <guest/pagetable.h>
#include <guest/test.h>

/** The entry of the new L1 that maps the L1 itself, read-only. */
#define SELF_ENTRY (PT_ENTRIES - 1)

/** The requests of the batch with a bad one... */
#define SHORT_BATCH 5
/** ...and the index of the bad one. */
#define BAD_REQUEST 2

/** What step 2 writes into the first word of page @p i. */
#define STAMP(i) (0xba7c400000000000UL | (i))

/** A pfn for the M2P entry of step 3: no frame of the domain has it. */
#define FAKE_PFN 0xfedcbaUL

/** Bits the CPU sets by itself in entries: not what the guest asked. */
#define PTE_CPU_BITS (_PAGE_ACCESSED | _PAGE_DIRTY)

/** What the steps work with. */
static struct {
    uintptr_t va;                  /**< the 2 MiB the new L1 maps */
    uint64_t l2e_ptr;              /**< the L2 entry for va: mmu_update's ptr */
    unsigned long l1;              /**< the new L1 */
    uint64_t expected[PT_ENTRIES]; /**< what its entries should be */
} at;

/** Room for a whole table's requests. */
static struct mmu_update reqs[PT_ENTRIES];

/** The read-only view of the new L1, through its own last entry. */
static const volatile uint64_t *l1_view(void)
{
    return (const volatile uint64_t *)(at.va + SELF_ENTRY * PAGE_SIZE);
}

/** The entries of the new L1 that differ from at.expected. */
static unsigned int wrong_entries(void)
{
    unsigned int i, wrong = 0;

    for (i = 0; i < PT_ENTRIES; i++)
        wrong += (l1_view()[i] & ~PTE_CPU_BITS) != at.expected[i];
    return wrong;
}

/** Request @p i: write @p val into entry @p i of the new L1. */
static void set_request(unsigned int i, uint64_t val)
{
    reqs[i] = (struct mmu_update){
        .ptr = pte_maddr(at.l1, i) | MMU_NORMAL_PT_UPDATE,
        .val = val,
    };
}

/** Step 1: the new L1 in the L2 entry for at.va. */
static bool hook_l1(void)
{
    const uint64_t *l3e = pt_lookup(at.va, 3), *l2e = pt_lookup(at.va, 2);

    if (!l3e || !l2e || (*l2e & _PAGE_PRESENT))
        test_error("0x%lx: expected an L2 entry that is free", at.va);
    at.l2e_ptr = pte_maddr(pte_mfn(*l3e), pt_index(at.va, 2));
    at.l1 = untouched_frame(0);
    printf("batch: new L1 (mfn 0x%lx) for 0x%lx-0x%lx\n", at.l1, at.va,
           at.va + PT_ENTRIES * PAGE_SIZE);
    return CHECK_EQ(pt_update(at.l2e_ptr, mfn_to_maddr(at.l1) | PTE_TABLE), 0);
}

/** Step 2: all 512 entries of the new L1 in one call. */
static bool fill_l1(void)
{
    unsigned int i, done = ~0U, unusable = 0;
    long rc;

    for (i = 0; i < PT_ENTRIES; i++) {
        uint64_t val = i == SELF_ENTRY ? mfn_to_maddr(at.l1) | PTE_KERNEL_RO
                                       : mfn_to_maddr(untouched_frame(1 + i)) |
                                             PTE_KERNEL_RW;

        set_request(i, val);
        at.expected[i] = val & ~PTE_CPU_BITS;
    }
    rc = HYPERVISOR_mmu_update(reqs, PT_ENTRIES, &done, DOMID_SELF);
    printf("batch: %u requests in one call: %ld, done %u\n", PT_ENTRIES, rc,
           done);
    if (!CHECK_EQ(rc, 0) || !CHECK_EQ(done, PT_ENTRIES))
        return false;
    CHECK_EQ(wrong_entries(), 0);
    for (i = 0; i < SELF_ENTRY; i++)
        ((volatile uint64_t *)(at.va + i * PAGE_SIZE))[0] = STAMP(i);
    for (i = 0; i < SELF_ENTRY; i++)
        unusable +=
            ((volatile uint64_t *)(at.va + i * PAGE_SIZE))[0] != STAMP(i);
    printf("batch: the L1 reads as asked; %u of %u pages hold what was "
           "written\n",
           SELF_ENTRY - unusable, SELF_ENTRY);
    return CHECK_EQ(unusable, 0);
}

/** One MMU_MACHPHYS_UPDATE: frame @p mfn has pfn @p pfn. */
static long machphys_update(unsigned long mfn, uint64_t pfn)
{
    struct mmu_update req = {
        .ptr = mfn_to_maddr(mfn) | MMU_MACHPHYS_UPDATE,
        .val = pfn,
    };

    return HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
}

/** Step 3: the M2P entry of a frame of its own, and of one not. */
static void update_m2p(void)
{
    unsigned long mfn = untouched_frame(1);
    uint64_t pfn = m2p_table()[mfn], hv = m2p_table()[HYPERVISOR_MFN];
    long rc;

    CHECK_EQ(machphys_update(mfn, FAKE_PFN), 0);
    CHECK_EQ(m2p_table()[mfn], FAKE_PFN);
    CHECK_EQ(machphys_update(mfn, pfn), 0);
    CHECK_EQ(m2p_table()[mfn], pfn);
    rc = machphys_update(HYPERVISOR_MFN, FAKE_PFN);
    CHECK(rc < 0, "MMU_MACHPHYS_UPDATE of mfn 0x%lx, not ours, gave %ld",
          HYPERVISOR_MFN, rc);
    CHECK_EQ(m2p_table()[HYPERVISOR_MFN], hv);
    printf("batch: MMU_MACHPHYS_UPDATE: M2P[0x%lx] set to 0x%lx and back; "
           "M2P[0x%lx], not ours: %ld\n",
           mfn, FAKE_PFN, HYPERVISOR_MFN, rc);
}

/** Step 4: 5 requests, the 3rd bad (a frame that is not the domain's). */
static void stop_at_bad(void)
{
    unsigned int i, done = ~0U;
    long rc;

    for (i = 0; i < SHORT_BATCH; i++)
        set_request(i, i == BAD_REQUEST
                           ? mfn_to_maddr(HYPERVISOR_MFN) | PTE_KERNEL_RO
                           : 0);
    rc = HYPERVISOR_mmu_update(reqs, SHORT_BATCH, &done, DOMID_SELF);
    printf("batch: %u requests, request %u bad: %ld, done %u\n", SHORT_BATCH,
           BAD_REQUEST + 1, rc, done);
    CHECK_EQ(rc, -XEN_EBUSY);
    CHECK_EQ(done, BAD_REQUEST);
    for (i = 0; i < BAD_REQUEST; i++)
        at.expected[i] = 0;
    CHECK_EQ(wrong_entries(), 0);
    for (i = 0; i < SHORT_BATCH; i++)
        printf("batch: entry %u: %s\n", i,
               l1_view()[i] & _PAGE_PRESENT ? "mapped" : "cleared");
}

void test_main(const struct start_info *si)
{
    unsigned int done = ~0U;

    pt_init(si);
    at.va = pt_mapped_end();
    if (si->nr_pages <
        (at.va - (uintptr_t)_image_start) / PAGE_SIZE + 1 + PT_ENTRIES)
        test_error("%lu frames: too few for a new L1 and what it maps",
                   si->nr_pages);
    CHECK_EQ(HYPERVISOR_mmu_update(reqs, 0, &done, DOMID_SELF), 0);
    CHECK_EQ(done, 0);
    if (!hook_l1())
        return;
    if (fill_l1()) {
        update_m2p();
        stop_at_bad();
    }
    CHECK_EQ(pt_update(at.l2e_ptr, 0), 0);
    printf("batch: the new L1 is unhooked\n");
}
