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

#endif /* UNIT_UNIT_H */
