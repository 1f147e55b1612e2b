/**
 * @file
 * @brief printf() for guests: whole lines through
 *        HYPERVISOR_console_io(CONSOLEIO_write).
 *
 * Characters collect in a line buffer that is sent when a newline arrives
 * or the buffer fills up. One hypercall per line is cheaper than one per
 * character, and the hypervisor, which starts each line of a guest with
 * "(dN) ", then never sees half a line that another domain's output could
 * cut in two.
 *
 * Each vCPU builds its own line (a domain's vCPUs may print at once), with
 * no lock: an exception handler that prints while a line is half built
 * adds its text to that line.
 */
#include <stddef.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/printf.h>
#include <guest/smp.h>

/** A line longer than this goes out in pieces of this size. */
#define CONSOLE_LINE_MAX 256

/** A line being built. */
struct line {
    char buf[CONSOLE_LINE_MAX]; /**< its characters */
    size_t len;                 /**< how many */
};

/** Each vCPU's line. */
static struct line lines[SMP_MAX_VCPUS];

void console_flush(void)
{
    struct line *line = &lines[smp_processor_id()];

    /* Nothing useful can be done if the hypervisor refuses: ignore it. */
    if (line->len)
        HYPERVISOR_console_io(CONSOLEIO_write, (int)line->len, line->buf);
    line->len = 0;
}

/** vformat()'s output function. */
static void console_put(char c, void *unused)
{
    struct line *line = &lines[smp_processor_id()];

    (void)unused;
    line->buf[line->len++] = c;
    if (c == '\n' || line->len == sizeof(line->buf))
        console_flush();
}

int vprintf(const char *fmt, va_list ap)
{
    return vformat(console_put, NULL, fmt, ap);
}

int printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}
