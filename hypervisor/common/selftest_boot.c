/**
 * @file
 * @brief Self-tests of lab 1: printk formatting, backtraces, panic, the
 *        memory map. Selected with `selftest=` (see hospes/selftest.h).
 *
 * Each test prints what it found, so that a failing run explains itself
 * on the console, and returns how many checks failed. Design page:
 * docs/grading.md.
 */
#include <hospes/bootinfo.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <hospes/selftest.h>
#include <hospes/stacktrace.h>
#include <hospes/symbols.h>

/** Format with snprintf() and compare; print the case. @return 1 if bad */
static int __printf(2, 3)
    check_format(const char *expected, const char *fmt, ...)
{
    char got[80];
    va_list args;
    bool ok;

    va_start(args, fmt);
    vsnprintf(got, sizeof(got), fmt, args);
    va_end(args);
    ok = !strcmp(got, expected);
    printk("printk check: \"%s\" -> [%s] %s%s%s\n", fmt, got,
           ok ? "ok" : "FAILED, expected [", ok ? "" : expected, ok ? "" : "]");
    return !ok;
}

/** Lab 1 exercise 1: every conversion, length, flag and width. */
static int selftest_printk(void)
{
    int bad = 0;

    bad += check_format("0", "%d", 0);
    bad += check_format("42", "%d", 42);
    bad += check_format("-42", "%i", -42);
    bad += check_format("-2147483648", "%d", (int)0x80000000);
    bad += check_format("4294967295", "%u", 0xffffffffu);
    bad += check_format("beef", "%x", 0xbeefu);
    bad += check_format("BEEF", "%X", 0xbeefu);
    bad += check_format("0000beef", "%08x", 0xbeefu);
    bad += check_format("   42", "%5d", 42);
    bad += check_format("42   |", "%-5d|", 42);
    bad += check_format("-0042", "%05d", -42);
    bad += check_format("  -42", "%5d", -42);
    bad += check_format("ff    |", "%-6x|", 0xffu);
    bad += check_format("18446744073709551615", "%lu", (unsigned long)-1);
    bad += check_format("-9223372036854775808", "%ld", (long)(1ul << 63));
    bad += check_format("123456789abcdef0", "%llx", 0x123456789abcdef0ull);
    bad += check_format("4096", "%zu", (size_t)4096);
    bad += check_format("     7", "%*u", 6, 7u);
    bad +=
        check_format("0xffff82d080000000", "%p", (void *)0xffff82d080000000ul);
    bad += check_format("0x0000000000001000", "%p", (void *)0x1000ul);
    bad += check_format("x=[  ab]", "x=[%4s]", "ab");
    bad += check_format("[ab  ]", "[%-4s]", "ab");
    bad += check_format("c:Z 100%", "c:%c 100%%", 'Z');
    return bad;
}

/** The names the backtrace check expects, innermost caller first. */
static const char *const chain_names[] = {
    "selftest_chain_2",
    "selftest_chain_1",
    "selftest_chain_start",
};

/** Compare the first frames of a walk against chain_names. */
static int check_chain(void)
{
    unsigned long pcs[BACKTRACE_MAX];
    unsigned int i,
        n = stack_walk(__builtin_frame_address(0), pcs, BACKTRACE_MAX);
    struct symbol sym;
    int bad = 0;

    show_backtrace(__builtin_frame_address(0));
    /* pcs[0] is in our caller, selftest_chain_2, and so on outwards. */
    for (i = 0; i < ARRAY_SIZE(chain_names); i++) {
        const char *name = "(none)";

        if (i < n && symbols_lookup(pcs[i] - 1, &sym))
            name = sym.name;
        if (strcmp(name, chain_names[i])) {
            printk(LOG_ERR "backtrace check: frame %u is %s, expected %s\n", i,
                   name, chain_names[i]);
            bad++;
        }
    }
    if (n < ARRAY_SIZE(chain_names) + 2) /* + selftest_run, start_hospes */
        bad++;
    printk("backtrace check: %u frames found\n", n);
    return bad;
}

/*
 * A known call chain. __noinline and the use of the result after each call
 * keep every function a real frame on the stack (no inlining, no tail
 * calls), so the backtrace must show all of them.
 */
/** The innermost link: panic, or check the backtrace from here. */
static int __noinline selftest_chain_2(bool do_panic)
{
    if (do_panic)
        panic("selftest: a deliberate panic, to show a backtrace");
    return check_chain() + 0;
}

/** The middle link of the chain. */
static int __noinline selftest_chain_1(bool do_panic)
{
    return selftest_chain_2(do_panic) + 0;
}

/** The outermost link of the chain. */
static int __noinline selftest_chain_start(bool do_panic)
{
    return selftest_chain_1(do_panic) + 0;
}

/** Lab 1 exercise 2: a backtrace through a known chain of calls. */
static int selftest_backtrace(void)
{
    return selftest_chain_start(false);
}

/** Lab 1 exercise 2: panic() with its backtrace; never returns. */
static int selftest_panic(void)
{
    return selftest_chain_start(true);
}

/** Lab 1 exercise 3: the memory map is sane and modules are in RAM. */
static int selftest_mmap(void)
{
    return boot_info_check(&boot_info);
}

SELFTEST("printk", selftest_printk);
SELFTEST("backtrace", selftest_backtrace);
SELFTEST("panic", selftest_panic);
SELFTEST("mmap", selftest_mmap);
