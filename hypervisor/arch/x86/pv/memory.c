/**
 * @file
 * @brief The memory_op hypercall: what a PV guest may ask about memory
 *        (its reservation, the machine's size, where the M2P is, its
 *        memory map).
 *
 * Lab 5 (labs/05-pv-memory/README.md). Design page: docs/pv-memory.md. Changing the
 * reservation (increase, decrease, populate_physmap: ballooning) comes
 * next, with freeing a frame on its last reference; until then those
 * commands answer -ENOSYS.
 */
#include <asm/pagetype.h>
#include <hospes/domain.h>
#include <hospes/errno.h>
#include <hospes/hypercall.h>
#include <public/memory.h>

#include "pv.h"

/**
 * XENMEM_current_reservation or maximum_reservation (@p maximum) of the
 * domain named by the domid_t at @p arg: the caller itself (DOMID_SELF or
 * its own id), or any domain for a privileged caller.
 */
static long reservation(guest_va_t arg, bool maximum)
{
    const struct domain *d = current->domain;
    domid_t id;

    if (copy_from_guest(&id, arg, sizeof(id)))
        return -EFAULT;
    if (id == DOMID_SELF)
        id = d->domain_id;
    if (id != d->domain_id && !d->is_privileged)
        return -EPERM;
    return domain_reservation(id, maximum);
}

/** XENMEM_memory_map: one RAM range, the size of the reservation. */
static long memory_map(guest_va_t arg)
{
    struct e820entry ram = {
        .addr = 0,
        .size = current->domain->max_pages << PAGE_SHIFT,
        .type = E820_RAM,
    };
    struct xen_memory_map map;

    if (copy_from_guest(&map, arg, sizeof(map)))
        return -EFAULT;
    if (map.nr_entries < 1)
        return -EINVAL;
    map.nr_entries = 1;
    if (copy_to_guest(map.buffer, &ram, sizeof(ram)) ||
        copy_to_guest(arg, &map, sizeof(map)))
        return -EFAULT;
    return 0;
}

long do_memory_op(unsigned long cmd, guest_va_t arg)
{
    struct xen_machphys_mapping m2p = {
        .v_start = MACH2PHYS_VIRT_START,
        .v_end = MACH2PHYS_VIRT_START + max_page * sizeof(*machine_to_phys),
        .max_mfn = max_page - 1,
    };

    switch ((unsigned int)cmd) {
    case XENMEM_maximum_ram_page:
        return max_page;
    case XENMEM_current_reservation:
        return reservation(arg, false);
    case XENMEM_maximum_reservation:
        return reservation(arg, true);
    case XENMEM_machphys_mapping:
        return copy_to_guest(arg, &m2p, sizeof(m2p));
    case XENMEM_memory_map:
        return memory_map(arg);
    default:
        return -ENOSYS;
    }
}
