/**
 * @file
 * @brief show_backtrace(): print a call chain with function names.
 *
 * stack_walk() (arch code, lab 1 exercise 2) finds the return addresses;
 * this file turns them into names. Design page: docs/boot.md.
 */
#include <hospes/printk.h>
#include <hospes/stacktrace.h>
#include <hospes/symbols.h>

void show_backtrace(const void *frame)
{
    unsigned long pcs[BACKTRACE_MAX];
    unsigned int i, n = stack_walk(frame, pcs, BACKTRACE_MAX);
    struct symbol sym;

    printk(LOG_ERR "Backtrace (innermost first):\n");
    for (i = 0; i < n; i++) {
        /*
         * A return address is the instruction after the call. When the
         * call was a function's last instruction (a call to a noreturn
         * function), that is already the next function: look up pc - 1.
         */
        if (symbols_lookup(pcs[i] - 1, &sym))
            printk(LOG_ERR "   [<%016lx>] %s+0x%lx/0x%lx\n", pcs[i], sym.name,
                   pcs[i] - sym.start, sym.size);
        else
            printk(LOG_ERR "   [<%016lx>] ???\n", pcs[i]);
    }
    if (!n)
        printk(LOG_ERR "   (no frames)\n");
}
