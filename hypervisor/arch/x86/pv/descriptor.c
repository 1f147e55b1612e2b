/**
 * @file
 * @brief A PV guest's own GDT: the set_gdt and update_descriptor
 *        hypercalls, and loading a vCPU's descriptors into the CPU.
 *
 * Lab 5 (labs/05-pv-memory/README.md, "Descriptor tables"; no exercise,
 * but it rests on exercise 1). Design page: docs/pv-memory.md. The ABI is
 * Xen's (do_set_gdt(), do_update_descriptor()).
 *
 * A 64-bit guest hardly needs segments, and its kernel gets by with the
 * hypervisor's flat selectors (FLAT_KERNEL_CS ...). Still Xen lets it
 * have a GDT of its own: up to FIRST_RESERVED_GDT_PAGE frames, entries
 * 0 to 7167, below the hypervisor's. Those frames take the descriptor-page
 * type (asm/pagetype.h): check_descriptor() passes every descriptor when
 * they take it, and while they have it they cannot be mapped writable, so
 * the guest changes them only through update_descriptor, which checks
 * the one descriptor it writes.
 *
 * Xen maps the frames into each vCPU's GDT. Hospes's GDTs are per-CPU
 * arrays mapped once with the hypervisor, so it copies instead: the
 * guest's descriptors into the CPU's GDT whenever the vCPU starts to run
 * there (and after a change), clearing what the last guest left. For the
 * usual guest, which has no GDT of its own, that is nothing to copy.
 */
#include <asm/current.h>
#include <asm/domain.h>
#include <asm/pagetype.h>
#include <hospes/errno.h>
#include <hospes/guest_access.h>
#include <hospes/hypercall.h>
#include <hospes/lib.h>
#include <public/xen.h>

#include "../setup.h"
#include "pv.h"

/** Descriptors in one frame. */
#define DESCS_PER_PAGE (PAGE_SIZE / sizeof(uint64_t))

/** The number of frames @p a's GDT has. */
static unsigned int gdt_frames(const struct arch_vcpu *a)
{
    return (a->gdt_ents + DESCS_PER_PAGE - 1) / DESCS_PER_PAGE;
}

/** Drop the references @p a's GDT holds; it has none then. */
static void put_gdt(struct arch_vcpu *a)
{
    unsigned int i;

    for (i = 0; i < gdt_frames(a); i++)
        put_page_and_type(mfn_to_page(a->gdt_frames[i]));
    a->gdt_ents = 0;
}

/**
 * Take frames @p frames[0, @p nr) of @p d as descriptor pages: all or
 * nothing. @return 0, or -EINVAL for a frame that is not @p d's RAM or
 * holds a descriptor check_descriptor() refuses
 */
static int get_gdt(const struct domain *d, const uint64_t *frames,
                   unsigned int nr)
{
    unsigned int i;
    int rc;

    for (i = 0; i < nr; i++) {
        mfn_t mfn = _mfn(frames[i]);

        rc = mfn_valid(mfn)
                 ? get_page_and_type(mfn_to_page(mfn), d, PGT_seg_desc_page)
                 : -EINVAL;
        if (rc) {
            while (i--)
                put_page_and_type(mfn_to_page(_mfn(frames[i])));
            return rc;
        }
    }
    return 0;
}

void pv_load_gdt(const struct vcpu *v)
{
    load_guest_gdt(v->arch->gdt_frames, v->arch->gdt_ents);
}

void pv_destroy_gdt(struct vcpu *v)
{
    put_gdt(v->arch);
}

int pv_set_gdt(struct vcpu *v, const uint64_t *frames, unsigned int entries)
{
    unsigned int i, nr = (entries + DESCS_PER_PAGE - 1) / DESCS_PER_PAGE;
    struct arch_vcpu *a = v->arch;
    int rc;

    ASSERT(entries <= FIRST_RESERVED_GDT_ENTRY);
    rc = get_gdt(v->domain, frames, nr);
    if (!rc) { /* the new one is taken: the old one may go */
        put_gdt(a);
        for (i = 0; i < nr; i++)
            a->gdt_frames[i] = _mfn(frames[i]);
        a->gdt_ents = entries;
        if (v == current)
            pv_load_gdt(v);
    }
    return rc;
}

long do_set_gdt(guest_va_t frame_list, unsigned long entries_arg)
{
    unsigned int entries = entries_arg; /* Xen's ABI: an unsigned int */
    spinlock_t *lock = &current->domain->arch->page_lock;
    uint64_t frames[FIRST_RESERVED_GDT_PAGE];
    unsigned long flags;
    int rc;

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL; /* it would reach into the hypervisor's part */
    if (copy_from_guest(frames, frame_list,
                        (entries + DESCS_PER_PAGE - 1) / DESCS_PER_PAGE *
                            sizeof(*frames)))
        return -EFAULT;
    flags = spin_lock_irqsave(lock);
    rc = pv_set_gdt(current, frames, entries);
    spin_unlock_irqrestore(lock, flags);
    return rc;
}

long do_update_descriptor(unsigned long maddr, unsigned long desc)
{
    struct vcpu *v = current;
    spinlock_t *lock = &v->domain->arch->page_lock;
    mfn_t mfn = maddr_to_mfn(maddr);
    struct page_info *pg;
    unsigned long flags, type;
    int rc;

    if (maddr % sizeof(desc) || !mfn_valid(mfn) || !check_descriptor(&desc))
        return -EINVAL;
    pg = mfn_to_page(mfn);
    flags = spin_lock_irqsave(lock);
    /* A descriptor page stays one; any other frame must be writable. */
    type = (pg->u.inuse.type_info & PGT_type_mask) == PGT_seg_desc_page
               ? PGT_seg_desc_page
               : PGT_writable_page;
    rc = get_page_and_type(pg, v->domain, type);
    if (!rc) {
        ((uint64_t *)page_to_virt(pg))[(maddr % PAGE_SIZE) / sizeof(desc)] =
            desc;
        if (type == PGT_seg_desc_page) /* perhaps one of our GDT's */
            pv_load_gdt(v);
        put_page_and_type(pg);
    }
    spin_unlock_irqrestore(lock, flags);
    return rc;
}
