/**
 * @file
 * @brief stack_walk(): follow the frame-pointer chain on x86-64.
 *
 * Lab 1, exercise 2 (labs/01-boot/README.md).
 * Design page: docs/boot.md (section "panic and backtraces").
 *
 * With frame pointers each function begins
 *
 *     push %rbp          ; save the caller's frame pointer
 *     mov  %rsp, %rbp    ; this frame starts here
 *
 * so at any moment RBP points at a struct frame: the caller's RBP, then
 * the address this function will return to. The entry code sets RBP to 0
 * before the first C call, which ends the chain.
 */
#include <asm/layout.h>
#include <hospes/lab.h>
#include <hospes/stacktrace.h>

/** The record that `push %rbp; mov %rsp, %rbp` leaves on the stack. */
struct frame {
    const struct frame *next; /**< the caller's frame (its saved RBP) */
    unsigned long ret;        /**< return address into the caller */
};

/**
 * Walk the chain from @p frame, storing return addresses in @p pcs.
 *
 * Stop at the first frame pointer that cannot be trusted. The stack is
 * STACK_SIZE bytes aligned to STACK_SIZE, so every good frame lies in
 * [base, base + STACK_SIZE) where base is @p frame rounded down; a frame
 * must be 8-byte aligned, whole inside those bounds, and above the frame
 * before it (the stack grows down, so callers' frames are higher). A NULL
 * frame pointer is the end of the chain. A corrupt stack must end the walk,
 * never fault.
 */
unsigned int stack_walk(const void *frame, unsigned long *pcs, unsigned int max)
{
    // LAB 1 BEGIN exercise 2: stack_walk()
    unsigned long base = (unsigned long)frame & ~(STACK_SIZE - 1);
    unsigned long top = base + STACK_SIZE;
    const struct frame *f = frame, *prev = NULL;
    unsigned int n = 0;

    while (f && n < max) {
        unsigned long at = (unsigned long)f;

        if (at & 7 || at < base || at + sizeof(*f) > top || f <= prev)
            break;
        pcs[n++] = f->ret;
        prev = f;
        f = f->next;
    }
    return n;
    // LAB 1 STUB
    // lab_todo(1, 2, "stack_walk()");
    // (void)frame;
    // (void)pcs;
    // (void)max;
    // return 0;
    // LAB 1 END
}
