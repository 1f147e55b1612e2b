/**
 * @file
 * @brief Stack backtraces from frame pointers.
 *
 * The hypervisor is built with frame pointers: every function starts with
 * `push %rbp; mov %rsp,%rbp`, so RBP points at a two-word record, the
 * caller's RBP and then the return address. Following the saved RBPs walks
 * the call chain. Design page: docs/boot.md (section "panic and backtraces").
 */
#ifndef HOSPES_STACKTRACE_H
#define HOSPES_STACKTRACE_H

#include <hospes/types.h>

/** Most frames a backtrace shows. */
#define BACKTRACE_MAX 32

/**
 * @brief Collect the return addresses of a call chain (architecture code).
 *
 * @param frame  a frame pointer (an RBP value) of the current stack.
 * @param pcs    receives the return addresses, innermost first.
 * @param max    room in @p pcs.
 * @return how many addresses were stored.
 */
unsigned int stack_walk(const void *frame, unsigned long *pcs,
                        unsigned int max);

/**
 * @brief Print `prefix [<address>] function+offset/size` for code address
 *        @p addr, or `???` for the function if it is not in the image.
 * @param return_address  true if @p addr is a return address: the
 *        function is then looked up at addr - 1 (see backtrace.c).
 */
void print_code_address(const char *prefix, unsigned long addr,
                        bool return_address);

/**
 * @brief Print the call chain starting at @p frame, one function per line,
 *        as `[<address>] function+offset/size`.
 */
void show_backtrace(const void *frame);

#endif /* HOSPES_STACKTRACE_H */
