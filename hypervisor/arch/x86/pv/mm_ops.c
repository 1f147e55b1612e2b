/**
 * @file
 * @brief The PV memory hypercalls: mmu_update, update_va_mapping and
 *        mmuext_op. A guest changes its page tables only through these,
 *        and each change goes through the rules of asm/pagetype.h.
 *
 * Lab 5, exercises 3 and 4 (labs/05-pv-memory/README.md): mmu_update_one()
 * and l1_entry_of(). Design page: docs/pv-memory.md. The idea is
 * Xen's (xen/arch/x86/mm.c, do_mmu_update() and friends).
 *
 * Every change takes the references the new entry needs before it drops
 * the old entry's, all under the domain's page lock. After a batch the
 * local TLB is flushed whatever the guest asked: a frame that just
 * stopped being writable may still be writable through a stale TLB
 * entry, and one flush is cheaper than working out when it is needed.
 * (One vCPU per domain, which never moves, until lab 7: its CPU's TLB is
 * the only one to worry about.)
 */
#include <asm/current.h>
#include <asm/domain.h>
#include <asm/io.h>
#include <asm/pagetype.h>
#include <asm/x86-defs.h>
#include <hospes/errno.h>
#include <hospes/hypercall.h>
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <public/xen.h>

#include "pv.h"

/** Flush this CPU's TLB of everything but global (hypervisor) pages. */
static void flush_tlb_local(void)
{
    write_cr3(read_cr3());
}

/**
 * Replace entry @p pte of a validated table of @p level of @p d by
 * @p new: the new entry's references first, then the old one's go.
 */
static int mod_entry(const struct domain *d, uint64_t *pte, unsigned int level,
                     uint64_t new)
{
    uint64_t old = *pte;
    int rc = get_page_from_entry(new, level, d);

    if (rc)
        return rc;
    __atomic_store_n(pte, new, __ATOMIC_SEQ_CST);
    put_page_from_entry(old, level);
    return 0;
}

/**
 * A guest's mmu_update of a frame that is not a page table in use: as in
 * Xen, a plain write, if the frame may be writable at all.
 */
static int write_plain(const struct domain *d, struct page_info *pg,
                       unsigned int index, uint64_t val)
{
    int rc = get_page_and_type(pg, d, PGT_writable_page);

    if (rc)
        return rc;
    ((uint64_t *)page_to_virt(pg))[index] = val;
    put_page_and_type(pg);
    return 0;
}

/**
 * MMU_NORMAL_PT_UPDATE: write @p val into the entry at machine address
 * @p ptr, in a frame of @p d: checked as an entry if the frame is a
 * validated page table (never in an L4's hypervisor slots), else a plain
 * write. Errors are Xen's: -EINVAL for all of them.
 */
static int pt_update(const struct domain *d, uint64_t ptr, uint64_t val)
{
    mfn_t mfn = maddr_to_mfn(ptr);
    unsigned int level, index = (ptr & (PAGE_SIZE - 1)) / 8;
    struct page_info *pg;
    unsigned long type;

    if (!mfn_valid(mfn) || (pg = mfn_to_page(mfn))->owner != d)
        return -EINVAL;
    type = pg->u.inuse.type_info;
    level = (type & PGT_type_mask) >> PGT_type_shift;
    if (!(type & PGT_validated) || !(type & PGT_count_mask) || level < 1 ||
        level > 4)
        return write_plain(d, pg, index, val);
    if (level == 4 && is_xen_l4_slot(index))
        return -EINVAL;
    return mod_entry(d, (uint64_t *)page_to_virt(pg) + index, level, val);
}

/** MMU_MACHPHYS_UPDATE: say that @p d's frame @p mfn is its pfn @p pfn. */
static int machphys_update(const struct domain *d, mfn_t mfn, uint64_t pfn)
{
    if (!mfn_valid(mfn) || mfn_to_page(mfn)->owner != d)
        return -EINVAL;
    machine_to_phys[mfn_x(mfn)] = pfn;
    return 0;
}

/**
 * Lab 5, exercise 3: one mmu_update request, at guest address @p at.
 *
 * Read the struct mmu_update from the guest (copy_from_guest(); -EFAULT),
 * then carry it out by the command in the low three bits of ptr (an
 * entry's address is 8-byte aligned, so they are free):
 * MMU_NORMAL_PT_UPDATE with pt_update(), MMU_MACHPHYS_UPDATE with
 * machphys_update() (the frame is ptr's machine address), anything else
 * -ENOSYS. @return 0 or the error
 */
static int mmu_update_one(const struct domain *d, guest_va_t at)
{
    // LAB 5 BEGIN exercise 3: mmu_update_one()
    struct mmu_update req;

    if (copy_from_guest(&req, at, sizeof(req)))
        return -EFAULT;
    switch (req.ptr & 7) {
    case MMU_NORMAL_PT_UPDATE:
        return pt_update(d, req.ptr, req.val);
    case MMU_MACHPHYS_UPDATE:
        return machphys_update(d, maddr_to_mfn(req.ptr), req.val);
    default: /* PRESERVE_AD, NO_TRANSLATE and the rest */
        return -ENOSYS;
    }
    // LAB 5 STUB
    // lab_todo(5, 3, "mmu_update_one()");
    // (void)d;
    // (void)at;
    // (void)pt_update;
    // (void)machphys_update;
    // return -ENOSYS;
    // LAB 5 END
}

/**
 * Run a batch of @p count requests of @p size bytes from @p reqs, each
 * through @p one, as mmu_update and mmuext_op both do: under the page
 * lock, stopping at the first error, then a TLB flush; *@p done (if the
 * guest gave one) learns how many succeeded. Only DOMID_SELF for now:
 * foreign updates are dom0's, with the toolstack.
 */
static long run_batch(guest_va_t reqs, size_t size, unsigned long count,
                      guest_va_t done, unsigned long domid,
                      int (*one)(const struct domain *d, guest_va_t at))
{
    struct domain *d = current->domain;
    unsigned long flags, i;
    long rc = 0;

    if ((domid_t)domid != DOMID_SELF)
        return -EPERM;
    flags = spin_lock_irqsave(&d->arch->page_lock);
    for (i = 0; i < (unsigned int)count && !rc; i++)
        rc = one(d, reqs + i * size);
    flush_tlb_local();
    spin_unlock_irqrestore(&d->arch->page_lock, flags);
    i -= !!rc; /* the failed one did not happen */
    if (done)  /* as in Xen, a done the guest cannot take is its loss */
        copy_to_guest(done, &i, sizeof(unsigned int));
    return rc;
}

long do_mmu_update(guest_va_t reqs, unsigned long count, guest_va_t done,
                   unsigned long domid)
{
    return run_batch(reqs, sizeof(struct mmu_update), count, done, domid,
                     mmu_update_one);
}

/**
 * The L1 entry that maps @p va in @p v's page tables, or NULL.
 *
 * Lab 5, exercise 4: walk from @p v's L4 (arch->guest_table, through the
 * direct map: maddr_to_virt()) down to the L1, taking at each level the
 * entry that @p va's bits select (9 bits a level, above the 12 of the
 * page offset). A not-present L4, L3 or L2 entry means there is no L1
 * for @p va: NULL. The tables are validated, so every present entry
 * points at a table one level down, never at a large page.
 */
static uint64_t *l1_entry_of(const struct vcpu *v, uint64_t va)
{
    // LAB 5 BEGIN exercise 4: l1_entry_of()
    uint64_t *t = maddr_to_virt(mfn_to_maddr(v->arch->guest_table));
    unsigned int level;

    for (level = 4; level > 1; level--) {
        uint64_t e = t[pt_index(va, level)];

        if (!(e & _PAGE_PRESENT))
            return NULL;
        t = maddr_to_virt(e & PADDR_MASK);
    }
    return &t[pt_index(va, 1)];
    // LAB 5 STUB
    // lab_todo(5, 4, "l1_entry_of()");
    // (void)v;
    // (void)va;
    // return NULL;
    // LAB 5 END
}

void arch_show_page_walk(const struct vcpu *v)
{
    unsigned long flags;
    struct domain *d = v->domain;
    uint64_t va = v->arch->user_regs.rip;
    mfn_t mfn = v->arch->guest_table;
    unsigned int level;

    printk("d%uv%u: walk of %016lx\n", d->domain_id, v->vcpu_id, va);
    /* Under the page lock, so the guest cannot change the tables under
     * us; and each entry is checked before we follow it. */
    flags = spin_lock_irqsave(&d->arch->page_lock);
    for (level = 4; level >= 1 && mfn_valid(mfn); level--) {
        const struct page_info *pg = mfn_to_page(mfn);
        const uint64_t *t = maddr_to_virt(mfn_to_maddr(mfn));
        uint64_t e = t[pt_index(va, level)];

        printk("  L%u table %lx (owner d%d, type %lu x%lu): entry %016lx\n",
               level, mfn_x(mfn), pg->owner ? pg->owner->domain_id : -1,
               (pg->u.inuse.type_info & PGT_type_mask) >> PGT_type_shift,
               pg->u.inuse.type_info & PGT_count_mask, e);
        if (!(e & _PAGE_PRESENT))
            break;
        mfn = maddr_to_mfn(e & PADDR_MASK);
    }
    spin_unlock_irqrestore(&d->arch->page_lock, flags);
}

long do_update_va_mapping(unsigned long va, unsigned long val,
                          unsigned long flags)
{
    unsigned long irq;
    struct vcpu *v = current;
    struct domain *d = v->domain;
    uint64_t *pte;
    long rc;

    (void)flags; /* the TLB is flushed anyway: see the file comment */
    if (!pv_guest_addr_ok(va))
        return -EINVAL;
    irq = spin_lock_irqsave(&d->arch->page_lock);
    pte = l1_entry_of(v, va);
    rc = pte ? mod_entry(d, pte, 1, val) : -EINVAL;
    flush_tlb_local();
    spin_unlock_irqrestore(&d->arch->page_lock, irq);
    return rc;
}

/** Take @p mfn as an L4 of @p d. @return 0 or get_page_and_type()'s error */
static int get_l4(const struct domain *d, mfn_t mfn)
{
    if (!mfn_valid(mfn))
        return -EINVAL;
    return get_page_and_type(mfn_to_page(mfn), d, PGT_l4_page_table);
}

/** Drop what get_l4() took, if @p mfn is not INVALID_MFN_RAW (none). */
static void put_l4(mfn_t mfn)
{
    if (mfn_x(mfn) != INVALID_MFN_RAW)
        put_page_and_type(mfn_to_page(mfn));
}

int pv_new_baseptr(struct vcpu *v, mfn_t mfn)
{
    mfn_t old = v->arch->guest_table;
    int rc = get_l4(v->domain, mfn);

    if (rc)
        return rc;
    v->arch->guest_table = mfn;
    if (v == current)
        write_cr3(mfn_to_maddr(mfn));
    put_l4(old); /* only now: CR3 held it until here */
    return 0;
}

int pv_new_user_baseptr(struct vcpu *v, mfn_t mfn)
{
    mfn_t old = v->arch->guest_table_user;
    int rc = 0;

    if (!mfn_x(mfn)) /* Xen's way of saying none */
        mfn = _mfn(INVALID_MFN_RAW);
    else
        rc = get_l4(v->domain, mfn);
    if (rc)
        return rc;
    v->arch->guest_table_user = mfn;
    put_l4(old);
    return 0;
}

void pv_put_baseptrs(struct vcpu *v)
{
    put_l4(v->arch->guest_table);
    put_l4(v->arch->guest_table_user);
    v->arch->guest_table = v->arch->guest_table_user = _mfn(INVALID_MFN_RAW);
}

/** One mmuext_op request, at guest address @p at, for the current vCPU. */
static int mmuext_one(const struct domain *d, guest_va_t at)
{
    struct vcpu *v = current;
    struct mmuext_op op;

    if (copy_from_guest(&op, at, sizeof(op)))
        return -EFAULT;
    switch (op.cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        return pin_page_table(d, _mfn(op.arg1.mfn),
                              op.cmd - MMUEXT_PIN_L1_TABLE + 1);
    case MMUEXT_UNPIN_TABLE:
        return unpin_page_table(d, _mfn(op.arg1.mfn));
    case MMUEXT_NEW_BASEPTR:
        return pv_new_baseptr(v, _mfn(op.arg1.mfn));
    case MMUEXT_NEW_USER_BASEPTR:
        return pv_new_user_baseptr(v, _mfn(op.arg1.mfn));
    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_TLB_FLUSH_ALL: /* one vCPU per domain: all is local */
        flush_tlb_local();
        return 0;
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_INVLPG_MULTI:
    case MMUEXT_INVLPG_ALL:
        if (!pv_guest_addr_ok(op.arg1.linear_addr))
            return 0; /* nothing of the guest's there: skipped, as in Xen */
        __asm__ volatile("invlpg (%0)" : : "r"(op.arg1.linear_addr) : "memory");
        return 0;
    default: /* LDTs, cache flushes: not in Hospes */
        return -ENOSYS;
    }
}

long do_mmuext_op(guest_va_t ops, unsigned long count, guest_va_t done,
                  unsigned long domid)
{
    return run_batch(ops, sizeof(struct mmuext_op), count, done, domid,
                     mmuext_one);
}
