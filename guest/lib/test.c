/**
 * @file
 * @brief The guest test framework: the runtime's C entry, checks, verdicts
 *        and shutdown. Design: guest/test.h.
 */
#include <stdarg.h>
#include <public/sched.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/test.h>
#include <guest/traps.h>

/** The verdicts, in XTF's words. */
enum verdict { SUCCESS, FAILURE, ERROR, SKIP };

/** The verdict line's words. */
static const char *const verdict_names[] = {
    [SUCCESS] = "SUCCESS",
    [FAILURE] = "FAILURE",
    [ERROR] = "ERROR",
    [SKIP] = "SKIP",
};

/** Checks that failed so far, on any vCPU. */
static unsigned int failures;

/**
 * A weak reference: its address is NULL unless the program defines it.
 * (A weak definition here, = false, would not do: GCC folds a constant's
 * value into this file's code even when the definition is weak.)
 */
extern const bool guest_no_traps __weak;

/**
 * Print the verdict line and shut down, with crash for a bad verdict so
 * that the hypervisor's log shows it too.
 */
static __noreturn void finish(enum verdict verdict)
{
    printf("Test result: %s\n", verdict_names[verdict]);
    guest_exit(verdict == SUCCESS || verdict == SKIP ? SHUTDOWN_poweroff
                                                     : SHUTDOWN_crash);
}

void guest_start(struct start_info *si)
{
    if (!&guest_no_traps || !guest_no_traps)
        traps_init();
    test_main(si);
    finish(__atomic_load_n(&failures, __ATOMIC_SEQ_CST) ? FAILURE : SUCCESS);
}

bool test_check(bool ok, const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    if (ok)
        return true;
    __atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST);
    printf("FAIL: %s:%d: ", file, line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    return false;
}

bool test_check_eq(long long got, long long want, const char *got_text,
                   const char *want_text, const char *file, int line)
{
    return test_check(got == want, file, line,
                      "%s == %s: got %lld (0x%llx), expected %lld (0x%llx)",
                      got_text, want_text, got, got, want, want);
}

/** Print a printf-style message on its own line. */
static void print_line(const char *fmt, va_list ap)
{
    vprintf(fmt, ap);
    printf("\n");
}

void test_skip(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    print_line(fmt, ap);
    va_end(ap);
    finish(SKIP);
}

void test_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    print_line(fmt, ap);
    va_end(ap);
    finish(ERROR);
}

void guest_exit(unsigned int reason)
{
    struct sched_shutdown shutdown = { .reason = reason };
    long rc;

    console_flush();
    rc = HYPERVISOR_sched_op(SCHEDOP_shutdown, &shutdown);
    /* Still here: the hypervisor refused. Crash instead, with no handler
     * left, so that it stops us rather than leave us spinning. */
    printf("guest_exit: SCHEDOP_shutdown returned %ld; crashing\n", rc);
    console_flush();
    HYPERVISOR_set_trap_table(NULL);
    for (;;)
        asm volatile("ud2");
}

void guest_block_forever(void)
{
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}
