/**
 * @file
 * @brief Lab 5 test guest: the reservation shrinks and grows back
 *        (decrease_reservation, populate_physmap, increase_reservation),
 *        the basis of ballooning.
 *
 * Changes no page table, so it works before any exercise of lab 5 is
 * done. It gives back the frames of its last few pfns (past the
 * start-of-day mapping: mapped nowhere, so freed at once), checks its
 * reservation and the M2P, refuses to give them back twice or to give a
 * frame that is not its own, then fills the pfns again with
 * populate_physmap, and checks that it cannot grow past its maximum.
 */
#include <public/errno.h>
#include <public/memory.h>
#include <guest/console.h>
#include <guest/memory.h>
#include <guest/test.h>

/** How many frames the balloon takes. */
#define FRAMES 4

/** The M2P entry of a frame no domain has named. */
#define INVALID_M2P (~0UL)

/** A reservation request of @p n single frames listed in @p list. */
static struct xen_memory_reservation request(xen_pfn_t *list, unsigned int n)
{
    return (struct xen_memory_reservation){
        .extent_start = (uintptr_t)list,
        .nr_extents = n,
        .domid = DOMID_SELF,
    };
}

/** The domain's current reservation, in frames. */
static long current_frames(void)
{
    domid_t self = DOMID_SELF;

    return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

void test_main(const struct start_info *si)
{
    const unsigned long *p2m = (const unsigned long *)si->mfn_list;
    unsigned long first = si->nr_pages - FRAMES, i;
    long start = current_frames();
    xen_pfn_t list[FRAMES], hypervisor = HYPERVISOR_MFN, spare;
    struct xen_memory_reservation r = request(list, FRAMES);

    CHECK_EQ(start, (long)si->nr_pages);
    for (i = 0; i < FRAMES; i++)
        list[i] = p2m[first + i];
    CHECK_EQ(HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), FRAMES);
    CHECK_EQ(current_frames(), start - FRAMES);
    for (i = 0; i < FRAMES; i++)
        CHECK_EQ(m2p_table()[list[i]], INVALID_M2P);
    printf("balloon: gave back %d frames: %ld left\n", FRAMES,
           current_frames());

    CHECK_EQ(HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), 0);
    r = request(&hypervisor, 1);
    CHECK_EQ(HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), 0);
    CHECK_EQ(current_frames(), start - FRAMES);
    printf("balloon: a frame given twice, and the hypervisor's: refused\n");

    for (i = 0; i < FRAMES; i++)
        list[i] = first + i; /* the pfns to fill: mfns come back here */
    r = request(list, FRAMES);
    CHECK_EQ(HYPERVISOR_memory_op(XENMEM_populate_physmap, &r), FRAMES);
    CHECK_EQ(current_frames(), start);
    for (i = 0; i < FRAMES; i++)
        CHECK_EQ(m2p_table()[list[i]], first + i);
    printf("balloon: populate_physmap filled pfns %lu-%lu again\n", first,
           first + FRAMES - 1);

    r = request(&spare, 1);
    CHECK_EQ(HYPERVISOR_memory_op(XENMEM_increase_reservation, &r), 0);
    CHECK_EQ(current_frames(), start);
    printf("balloon: no frame past the maximum\n");
}
