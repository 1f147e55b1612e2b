/**
 * @file
 * @brief PV guest internals shared by the files of arch/x86/pv and the
 *        x86 trap and context-switch code.
 *
 * Lab 4 (labs/04-pv-domains/README.md). Design page: docs/pv-guests.md.
 */
#ifndef ARCH_X86_PV_H
#define ARCH_X86_PV_H

#include <asm/domain.h>
#include <asm/regs.h>
#include <hospes/domain.h>

/** @brief A hypercall: `syscall` from a guest (entry.asm calls it). */
void pv_hypercall(struct cpu_user_regs *regs);

/** @brief Fill a hypercall page: one 32-byte stub per number. */
void pv_write_hypercall_page(uint8_t *page);

/**
 * @brief An exception in a PV guest (ring 3): emulate what PV kernels
 *        expect emulated, else bounce it to the guest's handler, else
 *        kill the domain.
 */
void pv_handle_exception(struct cpu_user_regs *regs);

/**
 * @brief Try to emulate the privileged instruction at @p regs->rip (after
 *        a general-protection fault) or the forced-emulation CPUID
 *        (after an invalid-opcode fault).
 * @return true if it was emulated and RIP moved past it
 */
bool pv_emulate(struct cpu_user_regs *regs);

/**
 * @brief Make @p mfn, validated as an L4 of @p v's domain, @p v's page
 *        tables (its CR3), dropping the reference to the old ones.
 * @return 0, or get_page_and_type()'s error
 */
int pv_new_baseptr(struct vcpu *v, mfn_t mfn);

/**
 * @brief Make @p mfn, validated as an L4 of @p v's domain, @p v's
 *        user-mode page tables; 0 means none.
 * @return 0, or get_page_and_type()'s error
 */
int pv_new_user_baseptr(struct vcpu *v, mfn_t mfn);

/** @brief Drop the references @p v's L4s (kernel and user) hold. */
void pv_put_baseptrs(struct vcpu *v);

/** @brief Copy @p v's own descriptors into this CPU's GDT (descriptor.c). */
void pv_load_gdt(const struct vcpu *v);

/**
 * @brief Give @p v the GDT in frames @p frames with @p entries entries (at
 *        most FIRST_RESERVED_GDT_ENTRY), the domain's page lock held.
 * @return 0, or the frames' refusal (-EINVAL, -EBUSY...): nothing changes
 */
int pv_set_gdt(struct vcpu *v, const uint64_t *frames, unsigned int entries);

/** @brief Drop @p v's own GDT: the references its frames hold. */
void pv_destroy_gdt(struct vcpu *v);

/** @brief The virtual CR0 the guest sees (its TS bit is the guest's). */
unsigned long pv_guest_cr0(const struct vcpu *v);

/** @brief Set the current guest's FS base or kernel/user GS base. */
long pv_set_segment_base(unsigned int which, uint64_t base);

/**
 * @brief On the way back to the current guest (entry.asm, interrupts
 *        off): enter its event callback if an event waits unmasked.
 * @return whether the frame changed (a bounce, or the domain was killed)
 */
bool pv_check_events(struct cpu_user_regs *regs);

/**
 * @brief Kill the current domain for exception @p regs->entry_vector (or
 *        its event upcall), saying why, where, and what its stack held.
 */
void pv_kill_domain(const struct cpu_user_regs *regs, const char *why);

/**
 * @brief Is @p va a guest code address a frame may return to: canonical
 *        and outside the hypervisor's slots?
 */
bool pv_guest_addr_ok(uint64_t va);

#endif /* ARCH_X86_PV_H */
