/**
 * @file
 * @brief This CPU's struct cpu_info (through GS), its current vCPU, and
 *        where a guest's saved registers live on its stack.
 *
 * Each CPU's GS base points at its cpu_info while hypervisor code runs;
 * while a PV guest runs, the guest's GS base is loaded instead, and every
 * entry from ring 3 (entry.asm) begins with `swapgs` to get ours back.
 *
 * An interrupt, exception or `syscall` from a guest saves the guest's
 * registers at the very top of the CPU's stack (the CPU switches to
 * TSS.RSP0 = stack_top; `syscall` entry switches by hand), so the
 * interrupted guest's state is always at guest_cpu_user_regs(). The
 * scheduler swaps vCPUs by copying that frame (docs/pv-guests.md).
 */
#ifndef ASM_CURRENT_H
#define ASM_CURRENT_H

#include <asm/regs.h>
#include <hospes/types.h>

/** What GS points at on each CPU. The layout is known to entry.asm. */
struct cpu_info {
    unsigned int cpu_id;   /**< this CPU's number: at %gs:0 */
    uint32_t apic_id;      /**< its local APIC's id */
    uint64_t stack_top;    /**< one past the top of its stack */
    uint64_t guest_rsp;    /**< scratch: the guest's RSP at `syscall` */
    struct cpu_info *self; /**< this structure's own address */
};

/** @brief This CPU's cpu_info. */
static inline struct cpu_info *get_cpu_info(void)
{
    struct cpu_info *ci;

    __asm__("mov %%gs:%c1, %0"
            : "=r"(ci)
            : "i"(__builtin_offsetof(struct cpu_info, self)));
    return ci;
}

/** @brief The registers of the guest that last entered on this CPU. */
static inline struct cpu_user_regs *guest_cpu_user_regs(void)
{
    return (struct cpu_user_regs *)get_cpu_info()->stack_top - 1;
}

/**
 * @brief Throw this CPU's stack away and continue at @p fn with the stack
 *        pointer just below the guest frame (entry.asm).
 *
 * Used by the context switch: the state worth keeping is in the vCPU
 * structures, so nothing below the guest frame needs to survive.
 */
void __noreturn reset_stack_and_jump(void (*fn)(void));

/** @brief Return to the guest whose frame is at guest_cpu_user_regs(). */
void __noreturn return_to_guest(void);

#endif /* ASM_CURRENT_H */
