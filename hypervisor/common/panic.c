/**
 * @file
 * @brief panic(): report a broken invariant and stop.
 *
 * Design page: docs/boot.md (section "panic and backtraces").
 */
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <hospes/shutdown.h>
#include <hospes/stacktrace.h>

/** Set once we are panicking, so a panic inside panic() cannot loop. */
static bool panicking;

void panic(const char *fmt, ...)
{
    char msg[256];
    va_list args;

    if (panicking)
        machine_shutdown(SHUTDOWN_FAILURE);
    panicking = true;

    va_start(args, fmt);
    vsnprintf(msg, sizeof(msg), fmt, args);
    va_end(args);
    printk(LOG_ERR "****************************************\n");
    printk(LOG_ERR "Panic: %s\n", msg);
    printk(LOG_ERR "****************************************\n");
    show_backtrace(__builtin_frame_address(0));
    machine_shutdown(SHUTDOWN_FAILURE);
}

void __warn(const char *file, int line, const char *cond)
{
    printk(LOG_WARNING "WARNING at %s:%d: %s\n", file, line, cond);
    show_backtrace(__builtin_frame_address(0));
}
