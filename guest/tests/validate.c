/**
 * @file
 * @brief Lab 5 test guest: pinning validates a table, all or nothing, and
 *        a frame's type follows its uses.
 *
 * The guest writes tables into free frames through the scratch window
 * and pins them; the hypervisor checks every entry. The cases, each
 * printed:
 *  1. An L1 whose entry 0 maps frame A writable and entry 1 a frame that
 *     is not the domain's: the pin is refused (-EBUSY), and the writable
 *     reference entry 0 took is given back: A can be pinned as an L1.
 *  2. An L2 whose entry 0 points to that L1: refused too, since the L1
 *     cannot be validated; neither frame keeps a type: both can be mapped
 *     writable.
 *  3. The L1 mended, the L2 pinned: the L1 is now a page table (mapping
 *     it writable: -EBUSY) and A is writable (pinning it as an L1:
 *     -EINVAL). Unpinned, the L2 lets go of the L1, and the L1 of A:
 *     both plain frames again.
 * With loglvl=all the hypervisor logs each refused entry ("d0: mfn ... as
 * L1: entry 1 = ... refused (-16)").
 */
#include <public/errno.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/memory.h>
#include <guest/pagetable.h>
#include <guest/test.h>

/** The entry of the L1 that cases 1 and 2 make bad. */
#define BAD_ENTRY 1

/** The frames of the cases. */
static struct {
    unsigned long a;  /**< data, mapped by the L1 */
    unsigned long l1; /**< the L1 */
    unsigned long l2; /**< the L2 */
} f;

/** Write @p val into entry @p index of frame @p mfn, mapped writable. */
static void poke(unsigned long mfn, unsigned int index, uint64_t val)
{
    ((uint64_t *)scratch_map(mfn))[index] = val;
    scratch_restore();
}

/**
 * Can frame @p mfn be mapped writable, that is, is it no page table?
 * @return update_va_mapping's answer (the window is restored).
 */
static long map_writable(unsigned long mfn)
{
    long rc = HYPERVISOR_update_va_mapping((uintptr_t)scratch_va(),
                                           mfn_to_maddr(mfn) | PTE_KERNEL_RW,
                                           UVMF_INVLPG);

    if (!rc)
        scratch_restore();
    return rc;
}

/** Pin @p mfn as an L1 and unpin it again. @return the pin's answer. */
static long pin_l1_and_unpin(unsigned long mfn)
{
    long rc = pt_mmuext(MMUEXT_PIN_L1_TABLE, mfn);

    if (!rc)
        CHECK_EQ(pt_mmuext(MMUEXT_UNPIN_TABLE, mfn), 0);
    return rc;
}

/** Case 1: an L1 with a bad entry after a good one. */
static void bad_l1(void)
{
    long rc;

    poke(f.l1, 0, mfn_to_maddr(f.a) | PTE_KERNEL_RW);
    poke(f.l1, BAD_ENTRY, mfn_to_maddr(HYPERVISOR_MFN) | PTE_KERNEL_RO);
    rc = pt_mmuext(MMUEXT_PIN_L1_TABLE, f.l1);
    printf("validate: pin mfn 0x%lx as L1, entry %u a frame not ours: %ld\n",
           f.l1, BAD_ENTRY, rc);
    CHECK_EQ(rc, -XEN_EBUSY);
    rc = pin_l1_and_unpin(f.a);
    printf("validate: then pin A (mfn 0x%lx), which entry 0 mapped "
           "writable, as L1: %ld\n",
           f.a, rc);
    CHECK_EQ(rc, 0);
}

/** Case 2: an L2 over that L1. */
static void bad_l2(void)
{
    long rc;

    poke(f.l2, 0, mfn_to_maddr(f.l1) | PTE_TABLE);
    rc = pt_mmuext(MMUEXT_PIN_L2_TABLE, f.l2);
    printf("validate: pin mfn 0x%lx as L2 over it: %ld\n", f.l2, rc);
    CHECK(rc < 0, "pinning an L2 over a bad L1 gave %ld", rc);
    CHECK_EQ(map_writable(f.l1), 0);
    CHECK_EQ(map_writable(f.l2), 0);
    printf("validate: after both refusals, the L1 and the L2 are plain "
           "frames\n");
}

/** Case 3: the L1 mended; types while the L2 is pinned, and after. */
static void good_tree(void)
{
    long rc;

    poke(f.l1, BAD_ENTRY, 0);
    rc = pt_mmuext(MMUEXT_PIN_L2_TABLE, f.l2);
    printf("validate: L1 mended; pin the L2: %ld\n", rc);
    if (!CHECK_EQ(rc, 0))
        return;
    rc = map_writable(f.l1);
    CHECK_EQ(rc, -XEN_EBUSY);
    printf("validate: map the L1 writable: %ld\n", rc);
    rc = pin_l1_and_unpin(f.a);
    CHECK_EQ(rc, -XEN_EINVAL);
    printf("validate: pin A as L1 while the L1 maps it writable: %ld\n", rc);
    CHECK_EQ(pt_mmuext(MMUEXT_UNPIN_TABLE, f.l2), 0);
    CHECK_EQ(map_writable(f.l1), 0);
    CHECK_EQ(pin_l1_and_unpin(f.a), 0);
    printf("validate: L2 unpinned: the L1 is a plain frame, A no longer "
           "writable-typed\n");
}

void test_main(const struct start_info *si)
{
    pt_init(si);
    f.a = frame_alloc();
    f.l1 = frame_alloc();
    f.l2 = frame_alloc();
    bad_l1();
    bad_l2();
    good_tree();
}
