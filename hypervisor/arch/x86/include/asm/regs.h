/**
 * @file
 * @brief The registers an exception or interrupt saves: struct
 *        cpu_user_regs, in the order entry.asm pushes them.
 *
 * The CPU pushes ss, rsp, rflags, cs, rip (and for some exceptions an
 * error code); entry.asm pushes the vector, a zero error code where the
 * CPU gave none, and the general registers. Read from the bottom up, that
 * is this structure. Design page: docs/traps.md.
 */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#include <hospes/types.h>

/**
 * entry_vector of a frame that `syscall` made (a hypercall): beyond the
 * 256 interrupt vectors.
 */
#define SYSCALL_VECTOR 0x100

/** entry_vector of a guest frame while an event upcall is bounced (lab 6). */
#define PV_EVENT_VECTOR 0x101

/** The state of the interrupted code, as saved on the stack. */
struct cpu_user_regs {
    uint64_t r15;          /**< r15, as it was */
    uint64_t r14;          /**< r14, as it was */
    uint64_t r13;          /**< r13, as it was */
    uint64_t r12;          /**< r12, as it was */
    uint64_t rbp;          /**< rbp, as it was */
    uint64_t rbx;          /**< rbx, as it was */
    uint64_t r11;          /**< r11, as it was */
    uint64_t r10;          /**< r10, as it was */
    uint64_t r9;           /**< r9, as it was */
    uint64_t r8;           /**< r8, as it was */
    uint64_t rax;          /**< rax, as it was */
    uint64_t rcx;          /**< rcx, as it was */
    uint64_t rdx;          /**< rdx, as it was */
    uint64_t rsi;          /**< rsi, as it was */
    uint64_t rdi;          /**< rdi, as it was */
    uint64_t entry_vector; /**< the vector, or SYSCALL_VECTOR */
    uint64_t error_code;   /**< the CPU's, or 0 from the stub */
    uint64_t rip;          /**< where it was interrupted */
    uint64_t cs;           /**< its code segment */
    uint64_t rflags;       /**< its flags */
    uint64_t rsp;          /**< its stack pointer */
    uint64_t ss;           /**< its stack segment */
};

#endif /* ASM_REGS_H */
