/**
 * @file
 * @brief The x86 side of domains and vCPUs: their state, and the
 *        context switch between vCPUs.
 *
 * Lab 4 (labs/04-pv-domains/README.md). Design page: docs/pv-guests.md
 * (section "Switching vCPUs").
 *
 * A guest that is not running keeps its registers in arch_vcpu; the one
 * that is running has them in the frame at the top of the CPU's stack
 * (asm/current.h). Switching copies the frame out to the old vCPU and the
 * new vCPU's registers in, swaps page tables, its own GDT entries, FS/GS
 * bases and FPU state,
 * then leaves through the usual exit path. The idle vCPU has no state:
 * switching to it restarts idle_loop() on an empty stack.
 */
#include <asm/current.h>
#include <asm/domain.h>
#include <asm/io.h>
#include <asm/pagetype.h>
#include <asm/x86-defs.h>
#include <hospes/errno.h>
#include <hospes/lib.h>
#include <hospes/page_list.h>
#include <hospes/sched.h>
#include <hospes/softirq.h>
#include <hospes/vtime.h>
#include <hospes/xmalloc.h>

#include "pv/pv.h"
#include "setup.h"

/** fxsave area: the x87 control word's offset and its reset value. */
#define FXSAVE_FCW 0
/** The x87 control word after reset: every exception masked. */
#define FCW_DEFAULT 0x037f
/** MXCSR after reset: every SSE exception masked. */
#define MXCSR_DEFAULT 0x1f80

int arch_domain_create(struct domain *d)
{
    unsigned int i;

    d->arch = xzalloc(struct arch_domain);
    d->shared_info = alloc_xenheap_pages(0, MEMF_zero);
    if (d->shared_info) /* the guest may map it: it is the guest's too */
        share_xen_page_with_guest(virt_to_page(d->shared_info), d);
    if (!d->arch || !d->shared_info) {
        arch_domain_destroy(d);
        return -ENOMEM;
    }
    d->arch->page_lock = (spinlock_t)SPIN_LOCK_UNLOCKED("page");
    /* Xen starts every vCPU with events masked. */
    for (i = 0; i < MAX_VIRT_CPUS; i++)
        d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
    return 0;
}

void arch_domain_destroy(struct domain *d)
{
    struct page_info *pg;

    unpin_all_page_tables(d); /* its tables let go of its frames */
    for (pg = page_list_first(&d->page_list); pg; pg = page_list_next(pg))
        machine_to_phys[mfn_x(page_to_mfn(pg))] = INVALID_M2P_ENTRY;
    if (d->shared_info) { /* no mapping of it is left */
        unshare_xen_page(virt_to_page(d->shared_info));
        free_xenheap_page(d->shared_info);
    }
    xfree(d->arch);
    d->shared_info = NULL;
    d->arch = NULL;
}

int arch_vcpu_create(struct vcpu *v)
{
    uint16_t fcw = FCW_DEFAULT;
    uint32_t mxcsr = MXCSR_DEFAULT;

    v->arch = xzalloc(struct arch_vcpu);
    if (!v->arch)
        return -ENOMEM;
    v->arch->guest_table = _mfn(INVALID_MFN_RAW);
    v->arch->guest_table_user = _mfn(INVALID_MFN_RAW);
    v->arch->vcpu_info_mfn = _mfn(INVALID_MFN_RAW);
    memcpy(v->arch->fpu + FXSAVE_FCW, &fcw, sizeof(fcw));
    memcpy(v->arch->fpu + FXSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
    return 0;
}

void arch_vcpu_destroy(struct vcpu *v)
{
    pv_put_baseptrs(v);
    pv_destroy_gdt(v);
    if (mfn_x(v->arch->vcpu_info_mfn) != INVALID_MFN_RAW)
        put_page_and_type(mfn_to_page(v->arch->vcpu_info_mfn));
    xfree(v->arch);
    v->arch = NULL;
}

long arch_register_vcpu_info(struct vcpu *v, guest_va_t arg)
{
    struct vcpu_register_vcpu_info r;
    struct vcpu_info *new;
    struct page_info *pg;
    unsigned long flags;
    int rc;

    if (copy_from_guest(&r, arg, sizeof(r)))
        return -EFAULT;
    if (r.offset > PAGE_SIZE - sizeof(*new) || r.rsvd ||
        mfn_x(v->arch->vcpu_info_mfn) != INVALID_MFN_RAW || /* once only */
        !mfn_valid(_mfn(r.mfn)))
        return -EINVAL;
    pg = mfn_to_page(_mfn(r.mfn));
    flags = spin_lock_irqsave(&v->domain->arch->page_lock);
    rc = get_page_and_type(pg, v->domain, PGT_writable_page);
    spin_unlock_irqrestore(&v->domain->arch->page_lock, flags);
    if (rc)
        return -EINVAL;
    new = (struct vcpu_info *)((char *)page_to_virt(pg) + r.offset);
    *new = *v->vcpu_info;
    /* As Xen does: an event may be on its way to the old copy; have the
     * guest look at every word of the bitmap once. */
    new->evtchn_pending_sel = ~0UL;
    new->evtchn_upcall_pending = 1;
    v->vcpu_info = new;
    v->arch->vcpu_info_mfn = _mfn(r.mfn);
    return 0;
}

/** Keep @p v's registers, segment bases and FPU state in its arch_vcpu. */
static void save_guest_state(struct vcpu *v)
{
    struct arch_vcpu *a = v->arch;

    a->user_regs = *guest_cpu_user_regs();
    a->fs_base = rdmsr(MSR_FS_BASE);
    a->gs_base_kernel = rdmsr(MSR_SHADOW_GS_BASE); /* the guest's, now */
    __asm__ volatile("clts; fxsave64 %0" : "=m"(a->fpu));
}

/** Load @p v's registers, page tables, segment bases and FPU state. */
static void load_guest_state(struct vcpu *v)
{
    struct arch_vcpu *a = v->arch;

    write_cr3(mfn_to_maddr(a->guest_table));
    pv_load_gdt(v);
    update_vcpu_system_time(v);
    vcpu_publish_runstate(v); /* its address space is loaded */
    *guest_cpu_user_regs() = a->user_regs;
    wrmsr(MSR_FS_BASE, a->fs_base);
    wrmsr(MSR_SHADOW_GS_BASE, a->gs_base_kernel); /* swapgs loads it */
    __asm__ volatile("clts; fxrstor64 %0" : : "m"(a->fpu));
    if (a->fpu_ts)
        write_cr0(read_cr0() | X86_CR0_TS);
}

void context_switch(struct vcpu *prev, struct vcpu *next)
{
    if (!is_idle_vcpu(prev))
        save_guest_state(prev);
    if (is_idle_vcpu(next))
        write_cr3(idle_pg_table_maddr());
    else
        load_guest_state(next);
    sched_context_saved(prev);
    if (is_idle_vcpu(next))
        reset_stack_and_jump(idle_loop);
    return_to_guest();
}
