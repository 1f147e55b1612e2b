/*
 * fake_l4.c: init_guest_l4_slots(), which fills the hypervisor's slots of
 * a guest's L4 table (see fake_l4.h).
 */
#include "unit.h"

#include "../../hypervisor/arch/x86/setup.h"
#include "fake_l4.h"

void init_guest_l4_slots(uint64_t *l4)
{
    unsigned int slot;

    for (slot = XEN_L4_FIRST_SLOT; slot <= XEN_L4_LAST_SLOT; slot++)
        l4[slot] = fake_l4_xen_entry(slot);
}
