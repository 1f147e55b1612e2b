/*
 * fake_l4.c: init_guest_l4_slots(), which fills the hypervisor's slots of
 * a guest's L4 table (see fake_l4.h), and the machine-to-phys table
 * that page types write when a frame given back is freed.
 */
#include "unit.h"

#include <asm/pagetype.h>

#include "../../hypervisor/arch/x86/setup.h"
#include "fake_l4.h"
#include "machine.h"

void init_guest_l4_slots(uint64_t *l4)
{
    unsigned int slot;

    for (slot = XEN_L4_FIRST_SLOT; slot <= XEN_L4_LAST_SLOT; slot++)
        l4[slot] = fake_l4_xen_entry(slot);
}

/* The M2P that arch/x86/mm.c keeps: one entry per frame of the machine. */
static uint64_t fake_m2p[MACHINE_FRAMES];
uint64_t *machine_to_phys = fake_m2p;
