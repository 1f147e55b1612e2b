/*
 * fake_l4.h: the hypervisor's slots of a guest's top-level page table,
 * for the page-type code of lab 5 (hypervisor/arch/x86/pv/pagetype.c).
 *
 * In the hypervisor, init_guest_l4_slots() (arch/x86/mm.c) copies its own
 * top-level entries, PML4 slots 256-271, into a guest's L4 table once the
 * table is validated, so that the hypervisor is mapped in every address
 * space. Here it writes fake_l4_xen_entry(slot) into each of those slots:
 * a value no test writes, so a test sees that validation overwrote what
 * the guest had put there. Its frame lies far beyond the machine's RAM,
 * so code that took or dropped a reference for it would index the frame
 * table out of bounds, which AddressSanitizer reports.
 */
#ifndef UNIT_FAKE_L4_H
#define UNIT_FAKE_L4_H

#include <asm/x86-defs.h>
#include <hospes/types.h>
#include <public/xen.h>

/** The L4 slot that maps virtual address @p va. */
#define L4_SLOT(va) (((va) >> 39) & 511)
/** The first and the last L4 slot of the hypervisor. */
#define XEN_L4_FIRST_SLOT L4_SLOT(HYPERVISOR_VIRT_START)
#define XEN_L4_LAST_SLOT  L4_SLOT(HYPERVISOR_VIRT_END - 1)
_Static_assert(XEN_L4_FIRST_SLOT == 256 && XEN_L4_LAST_SLOT == 271,
               "the hypervisor's L4 slots, as the ABI documents them");

/** The frame of the fake entries: 1 TiB up, where the machine has no RAM. */
#define FAKE_L4_XEN_MFN 0x10000000UL

/** What init_guest_l4_slots() writes into L4 slot @p slot: present, RW. */
static inline uint64_t fake_l4_xen_entry(unsigned int slot)
{
    return (FAKE_L4_XEN_MFN + slot) << PAGE_SHIFT | _PAGE_PRESENT | _PAGE_RW;
}

#endif /* UNIT_FAKE_L4_H */
