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

void print_code_address(const char *prefix, unsigned long addr,
                        bool return_address)
{
    struct symbol sym;

    /*
     * A return address is the instruction after the call. When the call
     * was a function's last instruction (a call to a noreturn function),
     * that is already the next function: look up addr - 1.
     */
    if (symbols_lookup(addr - return_address, &sym))
        printk(LOG_ERR "%s [<%016lx>] %s+0x%lx/0x%lx\n", prefix, addr, sym.name,
               addr - sym.start, sym.size);
    else
        printk(LOG_ERR "%s [<%016lx>] ???\n", prefix, addr);
}

void show_backtrace(const void *frame)
{
    unsigned long pcs[BACKTRACE_MAX];
    unsigned int i, n = stack_walk(frame, pcs, BACKTRACE_MAX);

    printk(LOG_ERR "Backtrace (innermost first):\n");
    for (i = 0; i < n; i++)
        print_code_address("  ", pcs[i], true);
    if (!n)
        printk(LOG_ERR "   (no frames)\n");
}
