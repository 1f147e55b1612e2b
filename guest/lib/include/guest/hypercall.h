/**
 * @file
 * @brief Hypercalls from a 64-bit PV guest: through the hypercall page, or
 *        with a bare `syscall`.
 *
 * Xen's convention (docs/pv-guests.md, "The hypercall path"): the number
 * in RAX, the arguments in RDI, RSI, RDX, R10 and R8, the result in RAX, a
 * negated XEN_E* (public/errno.h) on failure.
 *
 * The usual way in is the hypercall page (head.asm): before the guest
 * starts, the hypervisor writes one 32-byte stub per hypercall number into
 * it, and the guest calls stub `nr`. A stub saves RCX and R11 (which
 * `syscall` overwrites), loads the number, does `syscall` and returns, so
 * the guest never needs to know how the hypervisor is entered. The
 * hypervisor may change its arguments, so all five count as clobbered.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdint.h>
#include <public/xen.h>

/** @name The hypercall page */
/**@{*/
#define HYPERCALL_STUB_SIZE  32 /**< bytes per stub: stub n is at n * 32 */
#define HYPERCALL_PAGE_STUBS (4096 / HYPERCALL_STUB_SIZE) /**< 128 stubs */
/**@}*/

/**
 * The hypercall page (head.asm): page-aligned in .text and filled with
 * `int3` until the hypervisor writes the stubs. Stubs for numbers from
 * NR_HYPERCALLS up exist too; they return -XEN_ENOSYS.
 */
extern uint8_t hypercall_page[HYPERCALL_PAGE_STUBS][HYPERCALL_STUB_SIZE];

/**
 * @brief Make hypercall @p nr with five arguments through its stub.
 * @param nr  the hypercall number, below HYPERCALL_PAGE_STUBS.
 * @param a1  first argument (RDI), and so on to @p a5 (R8).
 * @param a2  second argument (RSI).
 * @param a3  third argument (RDX).
 * @param a4  fourth argument (R10).
 * @param a5  fifth argument (R8).
 * @return what the hypervisor left in RAX.
 */
static inline long _hypercall5(unsigned int nr, unsigned long a1,
                               unsigned long a2, unsigned long a3,
                               unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    long ret;

    /* The stub keeps RCX and R11 itself; an indirect call keeps this one
     * function good for any number, constant or not. */
    asm volatile("call *%[stub]"
                 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                 : [stub] "r"(hypercall_page[nr])
                 : "memory");
    return ret;
}

/** @name Shorter forms: the missing arguments are 0 */
/**@{*/
/** A hypercall with one argument. */
#define _hypercall1(nr, a1) _hypercall5(nr, (unsigned long)(a1), 0, 0, 0, 0)
/** A hypercall with two arguments. */
#define _hypercall2(nr, a1, a2)                                                \
    _hypercall5(nr, (unsigned long)(a1), (unsigned long)(a2), 0, 0, 0)
/** A hypercall with three arguments. */
#define _hypercall3(nr, a1, a2, a3)                                            \
    _hypercall5(nr, (unsigned long)(a1), (unsigned long)(a2),                  \
                (unsigned long)(a3), 0, 0)
/** A hypercall with four arguments. */
#define _hypercall4(nr, a1, a2, a3, a4)                                        \
    _hypercall5(nr, (unsigned long)(a1), (unsigned long)(a2),                  \
                (unsigned long)(a3), (unsigned long)(a4), 0)
/**@}*/

/**
 * @brief Make hypercall @p nr with a bare `syscall`, not through the page.
 *
 * Linux does this in places, and it is the only way to try numbers that
 * have no stub (128 and up). `syscall` overwrites RCX and R11.
 * @param nr  the hypercall number, any value.
 * @param a1  first argument (RDI).
 * @param a2  second argument (RSI).
 * @param a3  third argument (RDX).
 * @param a4  fourth argument (R10).
 * @param a5  fifth argument (R8).
 * @return what the hypervisor left in RAX.
 */
static inline long raw_syscall(unsigned long nr, unsigned long a1,
                               unsigned long a2, unsigned long a3,
                               unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    long ret = (long)nr;

    asm volatile("syscall"
                 : "+a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                 :
                 : "rcx", "r11", "memory");
    return ret;
}

/**
 * @brief Install exception handlers.
 * @param table  entries ending with one whose address is 0; NULL clears
 *               every handler.
 * @return 0, or -XEN_EFAULT if the table cannot be read.
 */
static inline long HYPERVISOR_set_trap_table(const struct trap_info *table)
{
    return _hypercall1(__HYPERVISOR_set_trap_table, table);
}

/**
 * @brief Set the stack the hypervisor switches to when it enters the guest
 *        kernel from guest user mode.
 * @param ss   the stack selector (FLAT_KERNEL_SS).
 * @param rsp  the stack pointer.
 * @return 0 or a negated XEN_E*.
 */
static inline long HYPERVISOR_stack_switch(unsigned long ss, unsigned long rsp)
{
    return _hypercall2(__HYPERVISOR_stack_switch, ss, rsp);
}

/**
 * @brief Register the event, failsafe and `syscall` entry points at once.
 * @param event     the event upcall (CALLBACKTYPE_event).
 * @param failsafe  where a failed return to the guest goes.
 * @param syscall   the guest user mode's `syscall` entry.
 * @return 0 or a negated XEN_E*.
 */
static inline long HYPERVISOR_set_callbacks(unsigned long event,
                                            unsigned long failsafe,
                                            unsigned long syscall)
{
    return _hypercall3(__HYPERVISOR_set_callbacks, event, failsafe, syscall);
}

/**
 * @brief Set (@p set = 1) or clear (0) the guest's CR0.TS.
 * @return 0 or a negated XEN_E*.
 */
static inline long HYPERVISOR_fpu_taskswitch(int set)
{
    return _hypercall1(__HYPERVISOR_fpu_taskswitch, set);
}

/**
 * @brief Ask for version information.
 * @param cmd  XENVER_* (public/version.h).
 * @param arg  the command's buffer, or NULL for those that need none.
 * @return the answer (XENVER_version: major << 16 | minor), 0, or a negated
 *         XEN_E*.
 */
static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}

/**
 * @brief Use the hypervisor's console.
 * @param cmd    CONSOLEIO_write or CONSOLEIO_read.
 * @param count  bytes to write, or room to read into.
 * @param buf    the bytes.
 * @return 0 (write), the bytes read, or a negated XEN_E*.
 */
static inline long HYPERVISOR_console_io(int cmd, int count, char *buf)
{
    return _hypercall3(__HYPERVISOR_console_io, cmd, count, buf);
}

/**
 * @brief Turn an optional hypervisor behaviour on or off.
 * @param cmd   VMASST_CMD_enable or VMASST_CMD_disable.
 * @param type  VMASST_TYPE_*.
 * @return 0, or -XEN_EINVAL for a type the hypervisor does not offer.
 */
static inline long HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{
    return _hypercall2(__HYPERVISOR_vm_assist, cmd, type);
}

/**
 * @brief Set a segment base the guest cannot write itself (FS, GS).
 * @param reg    SEGBASE_*.
 * @param value  the base (or the selector, for SEGBASE_GS_USER_SEL).
 * @return 0 or a negated XEN_E*.
 */
static inline long HYPERVISOR_set_segment_base(int reg, unsigned long value)
{
    return _hypercall2(__HYPERVISOR_set_segment_base, reg, value);
}

/**
 * @brief Yield, block or shut down.
 * @param cmd  SCHEDOP_* (public/sched.h).
 * @param arg  the command's argument (struct sched_shutdown for
 *             SCHEDOP_shutdown), or NULL.
 * @return 0 or a negated XEN_E*; a shutdown does not return.
 */
static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}

/**
 * @brief Register or unregister one callback (public/callback.h).
 * @param cmd  CALLBACKOP_register or CALLBACKOP_unregister.
 * @param arg  struct callback_register or struct callback_unregister.
 * @return 0 or a negated XEN_E*.
 */
static inline long HYPERVISOR_callback_op(int cmd, const void *arg)
{
    return _hypercall2(__HYPERVISOR_callback_op, cmd, arg);
}

/**
 * @brief Write page-table entries, in order, stopping at the first one
 *        the hypervisor refuses.
 * @param req    the requests: MMU_NORMAL_PT_UPDATE (ptr = the machine
 *               address of an entry in one of the domain's page tables,
 *               val = the new entry) or MMU_MACHPHYS_UPDATE, the command
 *               in the low 2 bits of ptr.
 * @param count  how many.
 * @param done   receives how many were done, or NULL.
 * @param domid  DOMID_SELF (another domain's: the toolstack, in dom0).
 * @return 0, or the refused request's error (a negated XEN_E*).
 */
static inline long HYPERVISOR_mmu_update(const struct mmu_update *req,
                                         unsigned int count, unsigned int *done,
                                         domid_t domid)
{
    return _hypercall4(__HYPERVISOR_mmu_update, req, count, done, domid);
}

/**
 * @brief Set the L1 entry that maps @p va in the current page tables.
 * @param va     the virtual address; the L4, L3 and L2 entries above it
 *               must be present.
 * @param val    the new entry (machine address | flags), 0 to unmap.
 * @param flags  UVMF_NONE, UVMF_INVLPG or UVMF_TLB_FLUSH, | UVMF_LOCAL or
 *               UVMF_ALL: which TLB entries to flush afterwards.
 * @return 0 or a negated XEN_E*.
 */
static inline long HYPERVISOR_update_va_mapping(unsigned long va, uint64_t val,
                                                unsigned long flags)
{
    return _hypercall3(__HYPERVISOR_update_va_mapping, va, val, flags);
}

/**
 * @brief Extended MMU operations, in order, stopping at the first one
 *        the hypervisor refuses: pin and unpin page tables, switch to
 *        another L4 (MMUEXT_NEW_BASEPTR), flush TLBs.
 * @param ops    the operations.
 * @param count  how many.
 * @param done   receives how many were done, or NULL.
 * @param domid  DOMID_SELF.
 * @return 0, or the refused operation's error (a negated XEN_E*).
 */
static inline long HYPERVISOR_mmuext_op(const struct mmuext_op *ops,
                                        unsigned int count, unsigned int *done,
                                        domid_t domid)
{
    return _hypercall4(__HYPERVISOR_mmuext_op, ops, count, done, domid);
}

/**
 * @brief Give the vCPU a GDT of its own: descriptors [0, @p entries) in
 *        the frames listed in @p frames (512 descriptors a frame). The
 *        frames must not be mapped writable; the hypervisor checks every
 *        descriptor and raises a DPL below 3 to 3.
 * @param frames   machine frame numbers, one per 512 entries.
 * @param entries  at most FIRST_RESERVED_GDT_ENTRY; 0 drops the GDT.
 * @return 0 or a negated XEN_E*.
 */
static inline long HYPERVISOR_set_gdt(const unsigned long *frames,
                                      unsigned int entries)
{
    return _hypercall2(__HYPERVISOR_set_gdt, frames, entries);
}

/**
 * @brief Write one descriptor, checked, at machine address @p maddr (in a
 *        GDT frame or any frame the guest could map writable).
 * @return 0 or a negated XEN_E*.
 */
static inline long HYPERVISOR_update_descriptor(uint64_t maddr, uint64_t desc)
{
    return _hypercall2(__HYPERVISOR_update_descriptor, maddr, desc);
}

/**
 * @brief Event channels: EVTCHNOP_* (public/event_channel.h) with its
 *        argument structure.
 * @return 0 or a negated XEN_E*.
 */
static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}

/**
 * @brief Raise VIRQ_TIMER at system time @p deadline (ns); 0 cancels.
 * @return 0.
 */
static inline long HYPERVISOR_set_timer_op(uint64_t deadline)
{
    return _hypercall1(__HYPERVISOR_set_timer_op, deadline);
}

/**
 * @brief vCPU operations: VCPUOP_* (public/vcpu.h) on vCPU @p vcpu.
 * @return 0 (or a result) or a negated XEN_E*.
 */
static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
    return _hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

#endif /* GUEST_HYPERCALL_H */
