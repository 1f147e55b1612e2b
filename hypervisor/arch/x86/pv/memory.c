/**
 * @file
 * @brief The memory_op hypercall: what a PV guest may ask about memory
 *        (its reservation, the machine's size, where the M2P is, its
 *        memory map).
 *
 * Lab 5 (issue 7; the handout comes with the exercises). Changing the
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
 * The domain a query names through the domid_t at @p arg: the caller
 * itself (DOMID_SELF or its own id), or any domain for a privileged one.
 * @return it, or NULL with *@p rc set
 */
static struct domain *queried_domain(guest_va_t arg, long *rc)
{
    struct domain *d = current->domain;
    domid_t id;

    if (copy_from_guest(&id, arg, sizeof(id))) {
        *rc = -EFAULT;
        return NULL;
    }
    if (id == DOMID_SELF || id == d->domain_id)
        return d;
    if (!d->is_privileged) {
        *rc = -EPERM;
        return NULL;
    }
    d = domain_by_id(id);
    *rc = d ? 0 : -ESRCH;
    return d;
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
    struct domain *d;
    long rc;

    switch ((unsigned int)cmd) {
    case XENMEM_maximum_ram_page:
        return max_page;
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
        d = queried_domain(arg, &rc);
        if (!d)
            return rc;
        return cmd == XENMEM_current_reservation ? d->tot_pages : d->max_pages;
    case XENMEM_machphys_mapping:
        return copy_to_guest(arg, &m2p, sizeof(m2p));
    case XENMEM_memory_map:
        return memory_map(arg);
    default:
        return -ENOSYS;
    }
}
