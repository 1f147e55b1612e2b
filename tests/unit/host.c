/*
 * host.c: the hypervisor services that unit-tested sources call, on the host.
 *
 * In the hypervisor, printk() writes to the serial console. Here it appends
 * to a buffer that a test reads with printk_output(), so that a test can
 * check that a warning was printed and that it names what it should.
 *
 * Formatting uses libc's vsnprintf(), not the hypervisor's: a bug in the
 * hypervisor's formatter (lab 1, exercise 1) then fails test_vsnprintf
 * only, not every suite that checks a message.
 *
 * Unlike the real printk(), every message is kept whatever its log level,
 * with its "<n>" level prefix as the caller wrote it.
 *
 * panic() prints its message as the hypervisor's does, then, instead of
 * stopping the machine, jumps back to the test that expected it
 * (ck_assert_panics()) or fails the test that did not.
 */
#include "unit.h"

#include <setjmp.h>
#include <stdio.h>

#include <hospes/lib.h>
#include <hospes/printk.h>

/** What printk() printed; more than any test needs, and cut if it is not. */
static struct {
    char text[64 * 1024];
    size_t len; /**< strlen(text) */
} output;

void vprintk(const char *fmt, va_list args)
{
    size_t room = sizeof(output.text) - output.len;
    int n = vsnprintf(output.text + output.len, room, fmt, args);

    if (n > 0)
        output.len += min((size_t)n, room - 1);
}

void printk(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    vprintk(fmt, args);
    va_end(args);
}

const char *printk_output(void)
{
    return output.text;
}

void printk_clear(void)
{
    output.len = 0;
    output.text[0] = '\0';
}

jmp_buf *unit_panic_catcher;

void panic(const char *fmt, ...)
{
    jmp_buf *catcher = unit_panic_catcher;
    char msg[256];
    va_list args;

    va_start(args, fmt);
    vsnprintf(msg, sizeof(msg), fmt, args);
    va_end(args);
    printk(LOG_ERR "Panic: %s\n", msg);
    if (!catcher)
        ck_abort_msg("unexpected panic: %s", msg);
    unit_panic_catcher = NULL;
    longjmp(*catcher, 1);
}

unsigned long unit_random(unsigned long *state)
{
    /* xorshift64*: Vigna, "An experimental exploration of Marsaglia's
     * xorshift generators, scrambled" (2016). */
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545f4914f6cdd1dUL;
}
