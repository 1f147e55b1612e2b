/**
 * @file
 * @brief VCPUOP_initialise for a PV vCPU: check the context a guest gives
 *        a vCPU it is about to start, and load it.
 *
 * Lab 7 (labs/07-scheduling/README.md, "Multi-vCPU domains"). Design page:
 * docs/scheduling.md. The ABI is Xen's: struct vcpu_guest_context
 * (public/arch-x86.h), which is what a vCPU would have after set_trap_table,
 * set_callbacks, stack_switch, set_gdt, set_segment_base and a new_baseptr,
 * all at once. So it is checked as those hypercalls check their arguments:
 * guest addresses only, the guest's flat selectors only (forced, as Xen
 * fixes them up), no IOPL, the L4 and GDT frames through the type system.
 * What Hospes does not have (an LDT, debug registers, a user-mode page
 * table) must be 0.
 */
#include <asm/domain.h>
#include <asm/x86-defs.h>
#include <hospes/domain.h>
#include <hospes/errno.h>
#include <hospes/guest_access.h>
#include <hospes/lib.h>
#include <hospes/xmalloc.h>
#include <public/arch-x86.h>

#include "pv.h"

/** The flags a guest may set: arithmetic, direction, single step. */
#define GUEST_EFLAGS                                                           \
    (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF |           \
     X86_EFLAGS_SF | X86_EFLAGS_TF | X86_EFLAGS_DF | X86_EFLAGS_OF)

/** Does @p c ask for what Hospes has not, or point outside the guest? */
static bool context_bad(const struct vcpu_guest_context *c)
{
    const struct xen_cpu_user_regs *r = &c->user_regs;
    unsigned int i;
    bool bad = c->ldt_base || c->ldt_ents || c->ctrlreg[1] ||
               c->gdt_ents > FIRST_RESERVED_GDT_ENTRY ||
               !pv_guest_addr_ok(r->rip) || !pv_guest_addr_ok(r->rsp) ||
               (c->kernel_ss && c->kernel_ss != FLAT_KERNEL_SS) ||
               !pv_guest_addr_ok(c->kernel_sp) ||
               !pv_guest_addr_ok(c->event_callback_eip) ||
               !pv_guest_addr_ok(c->failsafe_callback_eip) ||
               !pv_guest_addr_ok(c->syscall_callback_eip) ||
               !pv_guest_addr_ok(c->fs_base) ||
               !pv_guest_addr_ok(c->gs_base_kernel) ||
               !pv_guest_addr_ok(c->gs_base_user);

    for (i = 0; i < ARRAY_SIZE(c->debugreg); i++)
        bad |= c->debugreg[i] != 0;
    for (i = 0; i < ARRAY_SIZE(c->trap_ctxt); i++)
        bad |= !pv_guest_addr_ok(c->trap_ctxt[i].address);
    return bad;
}

/** Load the registers of @p r into @p v, the guest's selectors forced. */
static void load_regs(struct vcpu *v, const struct xen_cpu_user_regs *r)
{
    v->arch->user_regs = (struct cpu_user_regs){
        .r15 = r->r15,
        .r14 = r->r14,
        .r13 = r->r13,
        .r12 = r->r12,
        .rbp = r->rbp,
        .rbx = r->rbx,
        .r11 = r->r11,
        .r10 = r->r10,
        .r9 = r->r9,
        .r8 = r->r8,
        .rax = r->rax,
        .rcx = r->rcx,
        .rdx = r->rdx,
        .rsi = r->rsi,
        .rdi = r->rdi,
        .rip = r->rip,
        .cs = FLAT_KERNEL_CS,
        .rflags = (r->rflags & GUEST_EFLAGS) | X86_EFLAGS_IF | X86_EFLAGS_MBS,
        .rsp = r->rsp,
        .ss = FLAT_KERNEL_SS,
    };
}

/** Load what @p c gives, but the L4 and the GDT, into @p v. */
static void load_context(struct vcpu *v, const struct vcpu_guest_context *c)
{
    struct arch_vcpu *a = v->arch;
    unsigned int i;

    load_regs(v, &c->user_regs);
    for (i = 0; i < ARRAY_SIZE(a->trap_ctxt); i++) {
        a->trap_ctxt[i] = c->trap_ctxt[i];
        a->trap_ctxt[i].vector = i;
        a->trap_ctxt[i].cs = FLAT_KERNEL_CS;
    }
    a->callbacks.event = c->event_callback_eip;
    a->callbacks.failsafe = c->failsafe_callback_eip;
    a->callbacks.syscall = c->syscall_callback_eip;
    a->kernel_ss = FLAT_KERNEL_SS;
    a->kernel_sp = c->kernel_sp;
    a->fs_base = c->fs_base;
    a->gs_base_kernel = c->gs_base_kernel;
    a->gs_base_user = c->gs_base_user;
    if (c->flags & VGCF_i387_valid) {
        uint32_t mxcsr;

        memcpy(a->fpu, c->fpu_ctxt, sizeof(a->fpu));
        memcpy(&mxcsr, a->fpu + FXSAVE_MXCSR, sizeof(mxcsr));
        mxcsr &= MXCSR_SAFE_MASK; /* or fxrstor faults at the switch */
        memcpy(a->fpu + FXSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
    }
}

/**
 * Give uninitialised @p v the L4 and the GDT of @p c, then the rest; the
 * domain's page lock held. @return 0, -EEXIST, or the frames' refusal
 */
static int set_context(struct vcpu *v, const struct vcpu_guest_context *c)
{
    int rc;

    if (v->is_initialised)
        return -EEXIST;
    rc = pv_new_baseptr(v, maddr_to_mfn(c->ctrlreg[3]));
    if (rc)
        return rc;
    rc = pv_set_gdt(v, c->gdt_frames, c->gdt_ents);
    if (rc) {
        pv_put_baseptrs(v);
        return rc;
    }
    load_context(v, c);
    v->is_initialised = true;
    return 0;
}

long arch_initialise_vcpu(struct vcpu *v, guest_va_t arg)
{
    struct vcpu_guest_context *c = xmalloc(struct vcpu_guest_context);
    unsigned long flags;
    long rc;

    if (!c)
        return -ENOMEM;
    if (copy_from_guest(c, arg, sizeof(*c))) {
        rc = -EFAULT;
    } else if (context_bad(c)) {
        rc = -EINVAL;
    } else {
        flags = spin_lock_irqsave(&v->domain->arch->page_lock);
        rc = set_context(v, c);
        spin_unlock_irqrestore(&v->domain->arch->page_lock, flags);
    }
    xfree(c);
    return rc;
}
