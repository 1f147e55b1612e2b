/**
 * @file
 * @brief Exceptions in a PV guest: the trap table, handlers, and running an
 *        instruction that is expected to fault (guest/lib/traps.c,
 *        guest/lib/entry.asm).
 *
 * A PV guest has no IDT of its own. It gives the hypervisor a trap table
 * (HYPERVISOR_set_trap_table); when the guest takes an exception, the
 * hypervisor "bounces" it: it builds an exception frame on the guest's
 * stack and jumps to the handler the table names. The guest returns with
 * the `iret` hypercall, since `iretq` cannot restore a ring-3 kernel's
 * state. entry.asm turns each bounce into a call of guest_trap() with a
 * struct guest_regs, which calls the handler set with trap_set_handler().
 */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <public/xen.h>

/** @name Exception vectors (the x86 architecture's numbers) */
/**@{*/
#define X86_EXC_DE  0  /**< divide error */
#define X86_EXC_DB  1  /**< debug */
#define X86_EXC_NMI 2  /**< non-maskable interrupt */
#define X86_EXC_BP  3  /**< breakpoint (`int3`) */
#define X86_EXC_OF  4  /**< overflow (`into`) */
#define X86_EXC_BR  5  /**< bound range */
#define X86_EXC_UD  6  /**< invalid opcode */
#define X86_EXC_NM  7  /**< device not available */
#define X86_EXC_DF  8  /**< double fault */
#define X86_EXC_TS  10 /**< invalid TSS */
#define X86_EXC_NP  11 /**< segment not present */
#define X86_EXC_SS  12 /**< stack fault */
#define X86_EXC_GP  13 /**< general protection */
#define X86_EXC_PF  14 /**< page fault */
#define X86_EXC_MF  16 /**< x87 floating point */
#define X86_EXC_AC  17 /**< alignment check */
#define X86_EXC_MC  18 /**< machine check */
#define X86_EXC_XM  19 /**< SIMD floating point */
/** Vectors the trap table covers: 0 to 19, less NMI and reserved 15. */
#define NR_TRAP_VECTORS 20
/** The vector entry.asm gives the event callback's frames. */
#define GUEST_EVENT_VECTOR 0x100
/**@}*/

/** @name Page-fault error code bits */
/**@{*/
#define X86_PFEC_PRESENT 1 /**< the page was present (a protection fault) */
#define X86_PFEC_WRITE   2 /**< the access was a write */
#define X86_PFEC_USER    4 /**< the access came from (guest) user mode */
/**@}*/

/**
 * The registers at an exception, as entry.asm saves them: the general
 * registers (pushed by entry.asm, last pushed first), the vector and error
 * code (pushed by the stub of each vector), and the frame the hypervisor
 * built. A handler may change any of them; they are restored on return.
 */
struct guest_regs {
    uint64_t r15;        /**< general registers... */
    uint64_t r14;        /**< ... */
    uint64_t r13;        /**< ... */
    uint64_t r12;        /**< ... */
    uint64_t r11;        /**< ... */
    uint64_t r10;        /**< ... */
    uint64_t r9;         /**< ... */
    uint64_t r8;         /**< ... */
    uint64_t rbp;        /**< ... */
    uint64_t rdi;        /**< ... */
    uint64_t rsi;        /**< ... */
    uint64_t rdx;        /**< ... */
    uint64_t rcx;        /**< ... */
    uint64_t rbx;        /**< ... */
    uint64_t rax;        /**< ... the last one entry.asm pushes */
    uint64_t vector;     /**< X86_EXC_*, pushed by the vector's stub */
    uint64_t error_code; /**< the CPU's, or 0 for vectors without one */
    uint64_t rip;        /**< where to resume: change it to skip */
    uint64_t cs;         /**< code selector; bits 32-39: saved event mask */
    uint64_t rflags;     /**< flags; IF mirrors the event mask */
    uint64_t rsp;        /**< the interrupted stack pointer */
    uint64_t ss;         /**< stack selector */
};
_Static_assert(offsetof(struct guest_regs, vector) == 15 * 8,
               "entry.asm pushes 15 registers below the vector");
_Static_assert(sizeof(struct guest_regs) == 22 * 8, "guest_regs size");

/**
 * A handler: returns true if it dealt with the exception (then the guest
 * resumes at regs->rip), false to report it as unhandled.
 */
typedef bool (*trap_handler_t)(struct guest_regs *regs);

/**
 * @brief Give the hypervisor the trap table: the entry of entry.asm for
 *        every vector but NMI and 15. guest_start() calls it.
 *
 * `int3` and `into` get DPL 3, so that the guest kernel (in ring 3) may
 * use them; the others DPL 0, so an `int n` for them raises \#GP instead.
 */
void traps_init(void);

/**
 * @brief The trap table traps_init() gave the hypervisor, ended by an
 *        entry whose address is 0 (only that one if traps_init() did not
 *        run). Each vCPU has its own: the runtime gives the same table to
 *        the vCPUs it starts (guest/smp.h).
 */
const struct trap_info *traps_table(void);

/**
 * @brief Handle exception @p vector with @p fn from now on.
 * @param vector  below NR_TRAP_VECTORS.
 * @param fn      the handler, or NULL for none (the exception is then
 *                reported and ends the test with ERROR).
 */
void trap_set_handler(unsigned int vector, trap_handler_t fn);

/**
 * @brief The C side of every exception, called by entry.asm.
 *
 * Records the exception in traps_seen and calls its handler; without one,
 * or if the handler declines, prints "Unhandled exception ..." and ends the
 * test with ERROR.
 * @param regs  the saved registers; changes are restored on return.
 */
void guest_trap(struct guest_regs *regs);

/**
 * @brief The event callback's work (guest/lib/events.c): guest_trap()
 *        calls it for a frame of vector GUEST_EVENT_VECTOR.
 */
void event_upcall(void);

/** What guest_trap() has seen: how many exceptions, and the last one. */
struct trap_record {
    unsigned long count;      /**< exceptions taken so far */
    unsigned long vector;     /**< the last one's vector */
    unsigned long error_code; /**< its error code (0 if none) */
    unsigned long rip;        /**< where it happened */
    unsigned long cs;         /**< its code selector, as in the frame */
    unsigned long cr2;        /**< for a \#PF, read_cr2() in the handler */
};

/** Every exception is recorded here before its handler runs. */
extern struct trap_record traps_seen;

/**
 * @brief The faulting address of the last page fault.
 *
 * `mov %cr2` is privileged: the ring-3 guest kernel takes a \#GP, and the
 * hypervisor emulates the instruction, answering with the address of the
 * last \#PF it bounced to this vCPU (Xen does the same).
 */
static inline unsigned long read_cr2(void)
{
    unsigned long cr2;

    asm volatile("mov %%cr2, %0" : "=r"(cr2));
    return cr2;
}

/**
 * @brief A handler that only resumes: for traps such as `int3`, after
 *        which the frame's RIP already points past the instruction.
 * @return true.
 */
bool trap_resume(struct guest_regs *regs);

/**
 * @name Running an instruction that may fault
 *
 * Put the instruction between ASM_FIXUP_BEGIN and ASM_FIXUP_END in an asm
 * statement that lists ASM_FIXUP_CLOBBERS, and install trap_fixup() as the
 * handler of the exceptions it may raise. If it faults, the handler resumes
 * just after it; traps_seen tells what happened and trap_fixup_insn where
 * the instruction was. The instruction must not use the labels 0 and 1.
 * Example, a read that may page-fault:
 *
 *     asm volatile(ASM_FIXUP_BEGIN "cmpb $0, (%[p])" ASM_FIXUP_END
 *                  : : [p] "r"(addr) : "cc", ASM_FIXUP_CLOBBERS);
 */
/**@{*/
/** Asm text: note where the next instruction is and where to resume. */
#define ASM_FIXUP_BEGIN                                                        \
    "leaq 0f(%%rip), %%r11\n\t"                                                \
    "movq %%r11, trap_fixup_insn(%%rip)\n\t"                                   \
    "leaq 1f(%%rip), %%r11\n\t"                                                \
    "movq %%r11, trap_fixup_resume(%%rip)\n"                                   \
    "0:\t"
/** Asm text: the resume point; disarm, so no other fault resumes here. */
#define ASM_FIXUP_END "\n1:\tmovq $0, trap_fixup_resume(%%rip)"
/** What ASM_FIXUP_BEGIN and ASM_FIXUP_END clobber. */
#define ASM_FIXUP_CLOBBERS "r11", "memory"
/**@}*/

/** Address of the instruction run by the last ASM_FIXUP_BEGIN. */
extern uint64_t trap_fixup_insn;
/** Where trap_fixup() resumes; 0 when no instruction is armed. */
extern uint64_t trap_fixup_resume;

/**
 * @brief A handler that resumes after the instruction between
 *        ASM_FIXUP_BEGIN and ASM_FIXUP_END.
 * @return false (unhandled) if no such instruction is running.
 */
bool trap_fixup(struct guest_regs *regs);

/**
 * @brief Can the guest read the byte at @p addr?
 *
 * Tries, with trap_fixup() handling \#PF and \#GP (a non-canonical address)
 * for the moment; the earlier handlers are put back.
 * @return true if the read did not fault.
 */
bool trap_probe_read(uintptr_t addr);

#endif /* GUEST_TRAPS_H */
