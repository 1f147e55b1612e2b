/*
 * unit.h: what every unit test includes, first.
 *
 * A unit test is one file tests/unit/test_NAME.c that defines unit_suite();
 * main.c runs it with Check. The hypervisor sources the test needs are
 * compiled for the host and linked in (see unit.mk); the test calls them
 * through their real headers in hypervisor/include.
 */
#ifndef UNIT_UNIT_H
#define UNIT_UNIT_H

/*
 * The hypervisor's headers use the macros of compiler.h (__section, ...).
 * Its hidden visibility must go, as in hv_shim.h: test code calls libc and
 * Check, which live in shared libraries.
 */
#include <hospes/compiler.h>
#pragma GCC visibility pop

#include <check.h>
#include <setjmp.h>
#include <string.h>

/**
 * The test suite of this binary, defined by its test_NAME.c. It is run by
 * main.c; Check's environment variables apply (CK_RUN_CASE=name runs one
 * test case, CK_VERBOSITY=verbose lists every test, CK_FORK=no runs all
 * tests in one process, for gdb).
 */
Suite *unit_suite(void);

/**
 * Everything the hypervisor code printed with printk() since the last
 * printk_clear(), as one string. Each message keeps its log level prefix
 * ("<1>" for LOG_WARNING, ...), so a test can check the level too.
 */
const char *printk_output(void);

/** Forget what printk() printed so far. */
void printk_clear(void);

/** Assert that printk() printed @p text (with any log level prefix in it). */
#define ck_assert_printed(text)                                                \
    ck_assert_msg(strstr(printk_output(), (text)),                             \
                  "expected printk output containing \"%s\", got \"%s\"",      \
                  (text), printk_output())

/**
 * Assert @p cond; if it fails, fail the test with the printf-style
 * message that follows. Like ck_assert_msg(), but for loops over thousands
 * of frames or bytes: Check records every assertion that holds (a write
 * to its log), which there costs seconds; this costs nothing until it
 * fails.
 */
#define unit_assert(cond, ...)                                                 \
    do {                                                                       \
        if (!(cond))                                                           \
            ck_abort_msg(__VA_ARGS__);                                         \
    } while (0)

/**
 * Where panic() jumps to, or NULL: then a panic fails the test. Set only
 * by ck_assert_panics(); panic() clears it before jumping.
 */
extern jmp_buf *unit_panic_catcher;

/**
 * Assert that running @p stmt makes the hypervisor code panic (panic() or
 * BUG_ON()). The panic's message is in printk_output(), as
 * "<0>Panic: ...". Like the hypervisor, the code does not go on after the
 * panic: @p stmt is abandoned there, so use this only where the code
 * under test panics before it has changed anything.
 */
#define ck_assert_panics(stmt)                                                 \
    do {                                                                       \
        jmp_buf unit_catcher_;                                                 \
                                                                               \
        if (!setjmp(unit_catcher_)) {                                          \
            unit_panic_catcher = &unit_catcher_;                               \
            stmt;                                                              \
            unit_panic_catcher = NULL;                                         \
            ck_abort_msg("expected a panic from: %s", #stmt);                  \
        }                                                                      \
    } while (0)

/**
 * The next number of a pseudo-random sequence (xorshift64*), the same on
 * every host. Seed @p state with any value but 0; a test that names its
 * seed reruns exactly.
 */
unsigned long unit_random(unsigned long *state);

#endif /* UNIT_UNIT_H */
