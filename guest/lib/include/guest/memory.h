/**
 * @file
 * @brief A PV guest's view of machine memory: the memory_op hypercall, the
 *        read-only machine-to-phys table (M2P), and frames to experiment
 *        with.
 *
 * Lab 5 (PV memory). The M2P is the inverse of the guest's P2M list
 * (start_info.mfn_list): m2p_table()[mfn] is the pfn the owner of machine
 * frame mfn gave it. The hypervisor maps the table read-only into every
 * PV guest at MACH2PHYS_VIRT_START; a guest changes its own entries with
 * MMU_MACHPHYS_UPDATE (HYPERVISOR_mmu_update()).
 */
#ifndef GUEST_MEMORY_H
#define GUEST_MEMORY_H

#include <stdint.h>
#include <public/memory.h>
#include <guest/hypercall.h>
#include <guest/layout.h>
#include <guest/pagetable.h>

/**
 * The hypervisor image's first frame (Hospes is loaded at 1 MiB): a frame
 * that is no domain's, for the cases the hypervisor must refuse.
 */
#define HYPERVISOR_MFN 0x100UL

/**
 * @brief Ask about memory: XENMEM_* @p cmd with its argument @p arg.
 * @return the answer (a count, a frame number) or 0, or a negated XEN_E*.
 */
static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_memory_op, cmd, arg);
}

/** @brief The M2P, read-only: entry mfn is that frame's pfn. */
static inline const volatile uint64_t *m2p_table(void)
{
    return (const volatile uint64_t *)MACH2PHYS_VIRT_START;
}

/**
 * @brief Check M2P[mfn_list[pfn]] == pfn for every pfn of the domain,
 *        reading only entries XENMEM_machphys_mapping says exist. Call
 *        after pt_init().
 * @param si  the domain's start_info.
 * @return how many pfns have a wrong entry (the first is printed).
 */
unsigned long m2p_mismatches(const struct start_info *si);

/** @brief The machine address of frame @p mfn. */
static inline uint64_t mfn_to_maddr(unsigned long mfn)
{
    return (uint64_t)mfn << PAGE_SHIFT;
}

/**
 * @brief The @p k-th frame past the builder's mapped region, as the
 *        builder left it: zeroed, mapped nowhere, no page table.
 *
 * Getting it needs no hypercall, unlike frame_alloc(), which zeroes the
 * frame through the scratch window (update_va_mapping). frame_alloc()
 * hands out the same frames: a program uses one or the other. Call after
 * pt_init().
 */
static inline unsigned long untouched_frame(unsigned long k)
{
    uintptr_t first = pt_mapped_end() - (uintptr_t)_image_start;

    return pfn_to_mfn(first / PAGE_SIZE + k);
}

#endif /* GUEST_MEMORY_H */
