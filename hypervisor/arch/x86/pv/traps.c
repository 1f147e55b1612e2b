/**
 * @file
 * @brief Exceptions in PV guests: the guest's trap table, bouncing an
 *        exception to its handler, the `iret` hypercall, callbacks, and
 *        the other per-vCPU settings a PV kernel makes at start of day.
 *
 * Lab 4, exercises 4 and 5 (labs/04-pv-domains/README.md):
 * create_bounce_frame() and do_iret(); lab 6, exercise 4
 * (labs/06-events-and-time/README.md): pv_check_events(). Design pages:
 * docs/pv-guests.md (section "Bouncing an exception"), docs/events.md.
 *
 * A PV kernel runs in ring 3, so every exception it causes comes to the
 * hypervisor first. If the guest has a handler for the vector (it gave
 * its table to set_trap_table), the hypervisor makes it look as if the
 * CPU had delivered the exception to that handler: it writes an
 * exception frame on the guest's stack and points the saved RIP at the
 * handler. The handler returns with the `iret` hypercall, which undoes
 * it. A guest without a handler, or whose stack cannot take the frame,
 * is killed; the hypervisor and the other domains carry on. An event
 * upcall (lab 6) is the same bounce, to the guest's event callback.
 */
#include <asm/current.h>
#include <asm/io.h>
#include <asm/x86-defs.h>
#include <hospes/errno.h>
#include <hospes/hypercall.h>
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <public/callback.h>

#include "../setup.h"
#include "pv.h"

/** Bounces without an `iret` in between before we call it a loop. */
#define MAX_BOUNCE_DEPTH 16

/** Frames of guest backtrace printed when a domain is killed. */
#define GUEST_BACKTRACE_FRAMES 8

/**
 * The RFLAGS bits a guest may set through `iret`: arithmetic flags,
 * direction, single-step, alignment check and ID. Never IOPL, NT or
 * VM, and IF is always on (the guest's own IF is its event mask).
 */
#define GUEST_RFLAGS_MASK                                                      \
    (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF |           \
     X86_EFLAGS_SF | X86_EFLAGS_TF | X86_EFLAGS_DF | X86_EFLAGS_OF |           \
     X86_EFLAGS_AC | X86_EFLAGS_ID)

/** The sign-extended top 17 bits of a canonical address. */
static bool is_canonical(uint64_t va)
{
    return ((int64_t)va >> 47) == 0 || ((int64_t)va >> 47) == -1;
}

bool pv_guest_addr_ok(uint64_t va)
{
    return is_canonical(va) &&
           (va < HYPERVISOR_VIRT_START || va >= HYPERVISOR_VIRT_END);
}

/** Print up to GUEST_BACKTRACE_FRAMES return addresses from the guest's
 *  frame-pointer chain, as far as its memory can be read, on one line
 *  (other CPUs print too: a line is the unit that stays whole). */
static void show_guest_backtrace(const struct cpu_user_regs *regs)
{
    uint64_t frame[2], rbp = regs->rbp; /* frame: saved rbp, return RIP */
    char line[24 + 17 * (GUEST_BACKTRACE_FRAMES + 1)];
    size_t len;
    unsigned int n;

    len = snprintf(line, sizeof(line), "  guest call trace: %016lx", regs->rip);
    for (n = 0; n < GUEST_BACKTRACE_FRAMES && rbp; n++) {
        if (copy_from_guest(frame, rbp, sizeof(frame)) || frame[0] <= rbp)
            break;
        len += snprintf(line + len, sizeof(line) - len, " %016lx", frame[1]);
        rbp = frame[0];
    }
    printk(LOG_ERR "%s\n", line);
}

void pv_kill_domain(const struct cpu_user_regs *regs, const char *why)
{
    struct domain *d = current->domain;
    unsigned int vec = regs->entry_vector;
    char what[32] = "its event upcall", cr2[32] = "";

    if (vec != PV_EVENT_VECTOR)
        snprintf(what, sizeof(what), "%s (vector %u)", exception_mnemonic(vec),
                 vec);
    if (vec == X86_EXC_PF)
        snprintf(cr2, sizeof(cr2), ", cr2 %016lx", current->arch->cr2);
    printk(LOG_ERR "Domain %u (%s) killed: %s %s at RIP %016lx, error code "
                   "0x%lx%s\n",
           d->domain_id, d->name, why, what, regs->rip, regs->error_code, cr2);
    show_guest_backtrace(regs);
    domain_crash(d);
}

/** @name create_bounce_frame()'s flags */
/**@{*/
#define TBF_ERROR_CODE 1 /**< push regs->error_code */
#define TBF_INTERRUPT  2 /**< mask events: the handler starts with IF clear */
/**@}*/

/**
 * Lab 4, exercise 4: deliver what @p regs->entry_vector names (an
 * exception, or PV_EVENT_VECTOR for an event upcall) to the current
 * guest's handler at @p handler, the way Xen does for 64-bit PV guests
 * (its create_bounce_frame()). @return false if the domain was killed.
 *
 * With no handler (address 0), kill the domain ("no handler for"). Count
 * the bounce in bounce_depth; past MAX_BOUNCE_DEPTH, kill it ("fault
 * loop in its handler for").
 *
 * The frame, from the lowest address up: rcx, r11, the error code (only
 * with TBF_ERROR_CODE), then what the CPU would push: rip, cs, rflags,
 * rsp, ss. Two twists: the guest's event mask
 * (vcpu_info->evtchn_upcall_mask) is its virtual IF, so the frame's
 * RFLAGS.IF is !mask and the mask is also saved in bits 32-39 of the cs
 * slot. The frame goes just below the guest's RSP rounded down to 16
 * bytes; write it with copy_to_guest() and kill the domain if that fails
 * ("stack not writable for").
 *
 * Then point the saved registers at the handler: rip = its address,
 * cs/ss = FLAT_KERNEL_CS/SS, rsp = the frame, and clear TF, NT, RF and AC
 * in rflags. With TBF_INTERRUPT, mask events.
 */
static bool create_bounce_frame(struct cpu_user_regs *regs, uint64_t handler,
                                unsigned int flags)
{
    // LAB 4 BEGIN exercise 4: create_bounce_frame()
    struct vcpu *v = current;
    uint8_t mask = v->vcpu_info->evtchn_upcall_mask;
    uint64_t frame[8], rsp;
    unsigned int n = 0;

    if (!handler) {
        pv_kill_domain(regs, "no handler for");
        return false;
    }
    if (++v->arch->bounce_depth > MAX_BOUNCE_DEPTH) {
        pv_kill_domain(regs, "fault loop in its handler for");
        return false;
    }
    frame[n++] = regs->rcx;
    frame[n++] = regs->r11;
    if (flags & TBF_ERROR_CODE)
        frame[n++] = regs->error_code;
    frame[n++] = regs->rip;
    frame[n++] = (regs->cs & 0xffff) | (uint64_t)mask << 32;
    frame[n++] = (regs->rflags & ~X86_EFLAGS_IF) | (mask ? 0 : X86_EFLAGS_IF);
    frame[n++] = regs->rsp;
    frame[n++] = regs->ss;
    rsp = (regs->rsp & ~15UL) - n * sizeof(frame[0]);
    if (copy_to_guest(rsp, frame, n * sizeof(frame[0]))) {
        pv_kill_domain(regs, "stack not writable for");
        return false;
    }
    if (flags & TBF_INTERRUPT)
        v->vcpu_info->evtchn_upcall_mask = 1;
    regs->rip = handler;
    regs->cs = FLAT_KERNEL_CS;
    regs->ss = FLAT_KERNEL_SS;
    regs->rsp = rsp;
    regs->rflags &=
        ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_AC);
    return true;
    // LAB 4 STUB
    // lab_todo(4, 4, "create_bounce_frame()");
    // (void)handler;
    // (void)flags;
    // pv_kill_domain(regs, "(exercise 4 missing) cannot bounce");
    // return false;
    // LAB 4 END
}

/** Bounce exception @p regs->entry_vector to the guest's handler for it. */
static void pv_inject_exception(struct cpu_user_regs *regs)
{
    unsigned int vec = regs->entry_vector;
    const struct trap_info *ti = &current->arch->trap_ctxt[vec];

    create_bounce_frame(regs, ti->address,
                        (X86_EXC_HAVE_EC & (1U << vec) ? TBF_ERROR_CODE : 0) |
                            (TI_GET_IF(ti) ? TBF_INTERRUPT : 0));
}

/*
 * Lab 6, exercise 4: enter the guest's event callback if it has an event
 * to see (pv_check_events()).
 *
 * The current vCPU is on its way back to the guest, interrupts off, with
 * its frame at @p regs. If its vcpu_info says an event is pending
 * (evtchn_upcall_pending) and events are not masked (evtchn_upcall_mask),
 * and it registered an event callback (arch->callbacks.event), bounce to
 * that callback as if an interrupt came: regs->entry_vector =
 * PV_EVENT_VECTOR, no error code, events masked (TBF_INTERRUPT: the
 * callback runs with "IF" clear until it returns through `iret`). Leave
 * evtchn_upcall_pending alone: the guest clears it as it looks.
 * @return whether it bounced (or killed the domain trying): the exit path
 *         then looks at softirqs again
 */
bool pv_check_events(struct cpu_user_regs *regs)
{
    // LAB 6 BEGIN exercise 4: pv_check_events()
    struct vcpu *v = current;
    const struct vcpu_info *vi = v->vcpu_info;

    if (!vi->evtchn_upcall_pending || vi->evtchn_upcall_mask ||
        !v->arch->callbacks.event)
        return false;
    regs->entry_vector = PV_EVENT_VECTOR;
    create_bounce_frame(regs, v->arch->callbacks.event, TBF_INTERRUPT);
    return true;
    // LAB 6 STUB
    // lab_todo(6, 4, "pv_check_events()");
    // (void)regs;
    // return false;
    // LAB 6 END
}

void pv_handle_exception(struct cpu_user_regs *regs)
{
    struct arch_vcpu *a = current->arch;
    unsigned int vec = regs->entry_vector;

    if ((vec == X86_EXC_GP || vec == X86_EXC_UD) && pv_emulate(regs))
        return;
    if (vec == X86_EXC_PF) {
        a->cr2 = read_cr2();
        current->vcpu_info->arch.cr2 = a->cr2;
        /* The guest kernel believes it runs in ring 0: as in Xen, its
         * faults do not say "user". */
        regs->error_code &= ~PFEC_USER;
    }
    if (vec == X86_EXC_NM) { /* the guest's TS: its handler sees it clear */
        a->fpu_ts = false;
        write_cr0(read_cr0() & ~X86_CR0_TS);
    }
    pv_inject_exception(regs);
}

/**
 * Is @p cs:@p ss a pair a PV guest may return to? Only the flat 64-bit
 * ones: any other selector, or 32-bit code with RIP above 4 GiB, would
 * make iretq fault in the hypervisor (Hospes has no 32-bit guest code).
 */
static bool guest_selectors_ok(uint64_t cs, uint64_t ss)
{
    return cs == FLAT_RING3_CS64 && ss == FLAT_RING3_SS64;
}

/**
 * The `iret` hypercall: return from a handler, undoing a bounce.
 *
 * The stub pushed rax, r11 and rcx on top of the guest's flags word and
 * the hardware-style frame: read the whole struct iret_context from the
 * guest's RSP (copy_from_guest; on failure kill the domain and return
 * -EFAULT). Refuse a frame that would make iretq fault in the hypervisor:
 * a RIP or RSP that pv_guest_addr_ok() rejects, or selectors that
 * guest_selectors_ok() rejects (the cs slot's bits 32 and up hold the
 * saved event mask: compare only its low 16 bits); kill the domain then.
 *
 * Restore rip, cs, rsp, ss; rflags filtered through GUEST_RFLAGS_MASK
 * plus IF and the always-one bit (X86_EFLAGS_MBS); rcx and r11 only if
 * VGCF_in_syscall is clear in flags. The frame's IF becomes the event
 * mask again (mask = !IF). One bounce fewer is outstanding
 * (bounce_depth). Return the frame's rax: the dispatcher stores the
 * result in RAX, so returning it restores it.
 */
long do_iret(void)
{
    // LAB 4 BEGIN exercise 5: do_iret()
    struct cpu_user_regs *regs = guest_cpu_user_regs();
    struct vcpu *v = current;
    struct iret_context ctx;

    if (copy_from_guest(&ctx, regs->rsp, sizeof(ctx))) {
        pv_kill_domain(regs, "unreadable iret frame after");
        return -EFAULT;
    }
    if (!pv_guest_addr_ok(ctx.rip) || !pv_guest_addr_ok(ctx.rsp) ||
        !guest_selectors_ok(ctx.cs & 0xffff, ctx.ss)) {
        pv_kill_domain(regs, "bad iret frame after");
        return -EINVAL;
    }
    regs->rip = ctx.rip;
    regs->cs = ctx.cs & 0xffff;
    regs->rflags =
        (ctx.rflags & GUEST_RFLAGS_MASK) | X86_EFLAGS_IF | X86_EFLAGS_MBS;
    regs->rsp = ctx.rsp;
    regs->ss = ctx.ss;
    if (!(ctx.flags & VGCF_in_syscall)) {
        regs->rcx = ctx.rcx;
        regs->r11 = ctx.r11;
    }
    v->vcpu_info->evtchn_upcall_mask = !(ctx.rflags & X86_EFLAGS_IF);
    if (v->arch->bounce_depth)
        v->arch->bounce_depth--;
    return ctx.rax;
    // LAB 4 STUB
    // lab_todo(4, 5, "do_iret()");
    // (void)guest_selectors_ok;
    // pv_kill_domain(guest_cpu_user_regs(), "(exercise 5 missing) no iret");
    // return -ENOSYS;
    // LAB 4 END
}

long do_set_trap_table(guest_va_t traps)
{
    struct trap_info *table = current->arch->trap_ctxt, ti;
    unsigned int n;

    if (!traps) { /* NULL: forget every handler */
        memset(table, 0, sizeof(current->arch->trap_ctxt));
        return 0;
    }
    for (n = 0; n < 256; n++, traps += sizeof(ti)) {
        if (copy_from_guest(&ti, traps, sizeof(ti)))
            return -EFAULT;
        if (!ti.address)
            return 0;
        if (!pv_guest_addr_ok(ti.address))
            return -EINVAL;
        ti.cs = FLAT_KERNEL_CS; /* the only code selector it may have */
        table[ti.vector] = ti;
    }
    return 0;
}

/** Check and store one callback address; 0 unsets it. */
static long set_callback(uint64_t *slot, uint64_t address)
{
    if (address && !pv_guest_addr_ok(address))
        return -EINVAL;
    *slot = address;
    return 0;
}

long do_set_callbacks(unsigned long event, unsigned long failsafe,
                      unsigned long syscall)
{
    struct pv_callbacks *cb = &current->arch->callbacks;

    return set_callback(&cb->event, event)
               ?: set_callback(&cb->failsafe, failsafe)
               ?: set_callback(&cb->syscall, syscall);
}

/** CALLBACKOP_register: one callback of type @p r->type. */
static long register_callback(const struct callback_register *r)
{
    struct pv_callbacks *cb = &current->arch->callbacks;

    switch (r->type) {
    case CALLBACKTYPE_event: /* entered with events masked, whatever
                                the flags say (as in Xen) */
        return set_callback(&cb->event, r->address);
    case CALLBACKTYPE_failsafe:
        return set_callback(&cb->failsafe, r->address);
    case CALLBACKTYPE_syscall:
        return set_callback(&cb->syscall, r->address);
    case CALLBACKTYPE_nmi:
        return set_callback(&cb->nmi, r->address);
    default: /* also sysenter, syscall32: no 32-bit guest user mode */
        return -ENOSYS;
    }
}

long do_callback_op(unsigned long cmd, guest_va_t arg)
{
    struct callback_register reg;
    struct callback_unregister unreg;

    switch ((unsigned int)cmd) {
    case CALLBACKOP_register:
        if (copy_from_guest(&reg, arg, sizeof(reg)))
            return -EFAULT;
        return register_callback(&reg);
    case CALLBACKOP_unregister: /* as in Xen, only the NMI callback */
        if (copy_from_guest(&unreg, arg, sizeof(unreg)))
            return -EFAULT;
        if (unreg.type != CALLBACKTYPE_nmi)
            return -EINVAL;
        current->arch->callbacks.nmi = 0;
        return 0;
    default:
        return -ENOSYS;
    }
}

long do_stack_switch(unsigned long ss, unsigned long sp)
{
    struct arch_vcpu *a = current->arch;

    if (ss != FLAT_KERNEL_SS || !pv_guest_addr_ok(sp))
        return -EINVAL;
    a->kernel_ss = ss;
    a->kernel_sp = sp;
    return 0;
}

long do_set_segment_base(unsigned long which, unsigned long base)
{
    return pv_set_segment_base(which, base);
}

long do_fpu_taskswitch(unsigned long set)
{
    current->arch->fpu_ts = set;
    write_cr0(set ? read_cr0() | X86_CR0_TS : read_cr0() & ~X86_CR0_TS);
    return 0;
}
