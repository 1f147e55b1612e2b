/**
 * @file
 * @brief The hypercalls: one do_<name>() per hypercall, each in the file
 *        of its subsystem, and the table that dispatches to them.
 *
 * Lab 4 (labs/04-pv-domains/README.md). Design page: docs/pv-guests.md
 * (section "The hypercall path").
 *
 * Arguments arrive as the guest's registers, unsigned long each; guest
 * pointers are guest_va_t (checked on use by copy_from_guest()). Where
 * Xen's interface says `unsigned int` or `int`, the handler uses the low
 * 32 bits, as a C callee would. Results are >= 0, or a negated XEN_E*.
 */
#ifndef HOSPES_HYPERCALL_H
#define HOSPES_HYPERCALL_H

#include <hospes/guest_access.h>

/**
 * @brief Run hypercall @p nr with arguments @p args (five of them; a
 *        handler uses as many as it takes).
 * @return its result; -ENOSYS for a number with no handler
 */
long do_hypercall(unsigned long nr, const unsigned long args[5]);

/** @name Common hypercalls */
/**@{*/
/** @brief CONSOLEIO_write @p count bytes from @p buf (common/console_io.c). */
long do_console_io(unsigned long cmd, unsigned long count, guest_va_t buf);
/** @brief Version, capabilities, features (common/version.c). */
long do_xen_version(unsigned long cmd, guest_va_t arg);
/** @brief Yield, block, shut down (common/sched/core.c). */
long do_sched_op(unsigned long cmd, guest_va_t arg);
/** @brief Run @p nr hypercalls from the guest's list (common/multicall.c). */
long do_multicall(guest_va_t calls, unsigned long nr);
/** @brief Turn an optional behaviour on or off (common/domain.c). */
long do_vm_assist(unsigned long cmd, unsigned long type);
/**@}*/

/** @name x86 PV hypercalls (arch/x86/pv/) */
/**@{*/
/** @brief Register the guest's exception handlers. */
long do_set_trap_table(guest_va_t traps);
/** @brief Register the event, failsafe and syscall entry points. */
long do_set_callbacks(unsigned long event, unsigned long failsafe,
                      unsigned long syscall);
/** @brief Register or unregister one callback. */
long do_callback_op(unsigned long cmd, guest_va_t arg);
/** @brief Return from an exception or event handler. */
long do_iret(void);
/** @brief Set the kernel stack used on traps from guest user mode. */
long do_stack_switch(unsigned long ss, unsigned long sp);
/** @brief Set the FS or GS base. */
long do_set_segment_base(unsigned long which, unsigned long base);
/** @brief Set or clear the guest's CR0.TS. */
long do_fpu_taskswitch(unsigned long set);
/** @brief Write page-table entries, checked (lab 5). */
long do_mmu_update(guest_va_t reqs, unsigned long count, guest_va_t done,
                   unsigned long domid);
/** @brief Set the L1 entry that maps one address (lab 5). */
long do_update_va_mapping(unsigned long va, unsigned long val,
                          unsigned long flags);
/** @brief Reservations, the machine's size, the M2P's place (lab 5). */
long do_memory_op(unsigned long cmd, guest_va_t arg);
/** @brief Pin, unpin, switch page tables, flush TLBs (lab 5). */
long do_mmuext_op(guest_va_t ops, unsigned long count, guest_va_t done,
                  unsigned long domid);
/** @brief Install the guest's own GDT: @p entries descriptors in the
 *         frames listed at @p frame_list (lab 5). */
long do_set_gdt(guest_va_t frame_list, unsigned long entries);
/** @brief Write descriptor @p desc at machine address @p maddr, checked
 *         (lab 5). */
long do_update_descriptor(unsigned long maddr, unsigned long desc);
/** @brief Event channels: bind, send, close, unmask ... (lab 6). */
long do_event_channel_op(unsigned long cmd, guest_va_t arg);
/** @brief Raise VIRQ_TIMER at system time @p timeout; 0 cancels (lab 6). */
long do_set_timer_op(unsigned long timeout);
/** @brief A vCPU's timers, runstate and vcpu_info (lab 6). */
long do_vcpu_op(unsigned long cmd, unsigned long vcpuid, guest_va_t arg);
/** @brief dom0 controls the machine: public/sysctl.h (lab 7). */
long do_sysctl(guest_va_t arg);

/** @brief dom0 controls another domain: public/domctl.h (lab 7). */
long do_domctl(guest_va_t arg);
/**@}*/

#endif /* HOSPES_HYPERCALL_H */
