/**
 * @file
 * @brief The memory_op hypercall: what a PV guest may ask about memory
 *        (its reservation, the machine's size, where the M2P is, its
 *        memory map), and changing its reservation (ballooning).
 *
 * Lab 5 (labs/05-pv-memory/README.md). Design page: docs/pv-memory.md.
 * A PV guest names frames by their machine numbers: it gives mfns back
 * (decrease_reservation) and gets mfns (increase_reservation,
 * populate_physmap, which also records the guest's pfn in the M2P). Only
 * single frames (extent order 0) for now.
 */
#include <asm/domain.h>
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

/**
 * A new frame for @p d, its mfn written to @p slot, and the M2P entry
 * set to @p pfn. @return 0, -ENOMEM (at its maximum, or no memory left)
 * or -EFAULT (then the frame goes back: the guest could not learn of it)
 */
static int new_frame(struct domain *d, guest_va_t slot, xen_pfn_t pfn)
{
    struct page_info *pg = alloc_domheap_pages(d, 0, MEMF_zero);
    xen_pfn_t mfn;

    if (!pg)
        return -ENOMEM;
    mfn = mfn_x(page_to_mfn(pg));
    if (copy_to_guest(slot, &mfn, sizeof(mfn))) {
        free_domheap_pages(pg, 0);
        return -EFAULT;
    }
    machine_to_phys[mfn] = pfn;
    return 0;
}

/** increase_reservation: one new frame; its mfn goes to @p slot. */
static int increase_one(struct domain *d, guest_va_t slot)
{
    return new_frame(d, slot, INVALID_M2P_ENTRY);
}

/** populate_physmap: a new frame for the pfn at @p slot; its mfn back. */
static int populate_one(struct domain *d, guest_va_t slot)
{
    xen_pfn_t pfn;

    if (copy_from_guest(&pfn, slot, sizeof(pfn)))
        return -EFAULT;
    return new_frame(d, slot, pfn);
}

/** decrease_reservation: give back the frame whose mfn is at @p slot. */
static int decrease_one(struct domain *d, guest_va_t slot)
{
    xen_pfn_t mfn;

    if (copy_from_guest(&mfn, slot, sizeof(mfn)))
        return -EFAULT;
    return give_back_page(d, _mfn(mfn));
}

/**
 * Change the caller's reservation by the request at @p arg, one extent
 * at a time with @p one, under the page lock (frames given back may be
 * in its page tables). @return how many extents were done, as in Xen
 */
static long change_reservation(guest_va_t arg,
                               int (*one)(struct domain *d, guest_va_t slot))
{
    struct domain *d = current->domain;
    struct xen_memory_reservation r;
    unsigned long flags, i;

    if (copy_from_guest(&r, arg, sizeof(r)))
        return -EFAULT;
    if (r.domid != DOMID_SELF && r.domid != d->domain_id)
        return -EPERM; /* another domain's: the toolstack's (lab 9) */
    if (r.extent_order)
        return -ENOSYS; /* single frames only */
    flags = spin_lock_irqsave(&d->arch->page_lock);
    for (i = 0; i < r.nr_extents; i++)
        if (one(d, r.extent_start + i * sizeof(xen_pfn_t)))
            break;
    spin_unlock_irqrestore(&d->arch->page_lock, flags);
    return i;
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
    case XENMEM_increase_reservation:
        return change_reservation(arg, increase_one);
    case XENMEM_populate_physmap:
        return change_reservation(arg, populate_one);
    case XENMEM_decrease_reservation:
        return change_reservation(arg, decrease_one);
    default:
        return -ENOSYS;
    }
}
