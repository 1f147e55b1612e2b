/**
 * @file
 * @brief The test framework of the guest programs (guest/lib/test.c).
 *
 * A program defines test_main(). The runtime starts it (guest_start()),
 * with the trap table installed unless the program defines
 * `const bool guest_no_traps = true;`. The program checks what it wants
 * with CHECK() and CHECK_EQ(), each failure printing a line
 * "FAIL: <file>:<line>: <message>"; test_skip() and test_error() end it
 * early. Last comes exactly one verdict line, in the format of Xen's test
 * framework (XTF), which the graders match:
 *
 *     Test result: SUCCESS | FAILURE | ERROR | SKIP
 *
 * and the domain shuts down: SHUTDOWN_poweroff after SUCCESS or SKIP,
 * SHUTDOWN_crash after FAILURE or ERROR. FAILURE means a check failed;
 * ERROR means the test could not run as planned (an unhandled exception,
 * a broken prerequisite).
 */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include <stdbool.h>
#include <public/xen.h>
#include <guest/compiler.h>

/**
 * @brief The program's test, defined by every program.
 * @param si  what the domain builder passed (RSI at entry).
 */
void test_main(const struct start_info *si);

/**
 * A program defines this as true to run without a trap table: any
 * exception then kills the domain. Programs that do not define it get a
 * trap table.
 */
extern const bool guest_no_traps;

/**
 * @brief The runtime's C entry, called by head.asm on its own stack.
 *
 * Installs the trap table (unless guest_no_traps), runs test_main() and
 * prints the verdict: SUCCESS if no check failed, else FAILURE.
 * @param si  the start_info page.
 */
__noreturn void guest_start(struct start_info *si);

/** Check @p cond; if false, print the printf-style message and count a failure. */
#define CHECK(cond, ...) test_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/** Check that the integers @p a (what came) and @p b (what should) are equal. */
#define CHECK_EQ(a, b)                                                         \
    test_check_eq((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)

/**
 * @brief CHECK()'s work.
 * @param ok    the condition's value.
 * @param file  where the check is.
 * @param line  its line.
 * @param fmt   message printed after "FAIL: <file>:<line>: " if not @p ok.
 * @return @p ok.
 */
bool test_check(bool ok, const char *file, int line, const char *fmt, ...)
    __printf(4, 5);

/**
 * @brief CHECK_EQ()'s work.
 * @param got        the value that came.
 * @param want       the value expected.
 * @param got_text   the expression that gave @p got.
 * @param want_text  the expression that gave @p want.
 * @param file       where the check is.
 * @param line       its line.
 * @return whether they are equal.
 */
bool test_check_eq(long long got, long long want, const char *got_text,
                   const char *want_text, const char *file, int line);

/**
 * @brief End the test now with SKIP: it cannot run here.
 * @param fmt  why (printf-style), printed on its own line.
 */
__noreturn void test_skip(const char *fmt, ...) __printf(1, 2);

/**
 * @brief End the test now with ERROR: something it relies on is broken.
 * @param fmt  what (printf-style), printed on its own line.
 */
__noreturn void test_error(const char *fmt, ...) __printf(1, 2);

/**
 * @brief Shut the domain down with @p reason (SHUTDOWN_*, public/sched.h).
 *
 * Sends any buffered output first. If the hypervisor returns from the
 * shutdown, says so and spins: nothing else is safe.
 */
__noreturn void guest_exit(unsigned int reason);

/** @brief Sleep for good: SCHEDOP_block, again whenever it returns. */
__noreturn void guest_block_forever(void);

#endif /* GUEST_TEST_H */
