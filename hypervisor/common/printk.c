/**
 * @file
 * @brief printk(): log levels, the `loglvl=` option and the `(HV) ` prefix.
 *
 * Design page: docs/boot.md (section "printk").
 *
 * The console lock keeps two CPUs' lines apart. It is taken with
 * interrupts off (printk() is called from interrupt context too), and not
 * taken again by a CPU that already holds it: an exception while printing
 * must still be able to print its report.
 */
#include <hospes/console.h>
#include <hospes/errno.h>
#include <hospes/lib.h>
#include <hospes/param.h>
#include <hospes/printk.h>
#include <hospes/spinlock.h>

/** Messages longer than this are cut (the cut is visible: no newline). */
#define PRINTK_BUF_SIZE 512

/** Least important level still printed; `loglvl=` changes it. */
static enum log_level printk_level = LOGLVL_INFO;

/** Guards the console and at_line_start. */
static spinlock_t console_lock = SPIN_LOCK_UNLOCKED("console");

/** Is the console at the start of a line (so the next text needs a prefix)? */
static bool at_line_start = true;

/** The names `loglvl=` accepts, in enum log_level order. */
static const char *const level_names[] = {
    [LOGLVL_ERR] = "error",
    [LOGLVL_WARNING] = "warning",
    [LOGLVL_INFO] = "info",
    [LOGLVL_DEBUG] = "debug",
};

/** Parse `loglvl=none|error|warning|info|debug|all`. */
static int parse_loglvl(const char *s)
{
    unsigned int i;

    if (!strcmp(s, "none")) {
        printk_set_level(LOGLVL_NONE);
        return 0;
    }
    if (!strcmp(s, "all")) {
        printk_set_level(LOGLVL_DEBUG);
        return 0;
    }
    for (i = 0; i < ARRAY_SIZE(level_names); i++) {
        if (!strcmp(s, level_names[i])) {
            printk_set_level(i);
            return 0;
        }
    }
    return -EINVAL;
}
custom_param("loglvl", parse_loglvl);

void printk_set_level(enum log_level level)
{
    printk_level = level;
}

/**
 * Split a leading "<n>" level off @p fmt.
 * @return the level (LOGLVL_INFO if there is none); *fmt skips the prefix.
 */
static enum log_level take_level(const char **fmt)
{
    const char *f = *fmt;

    if (f[0] == '<' && f[1] >= '0' && f[1] <= '3' && f[2] == '>') {
        *fmt = f + 3;
        return f[1] - '0';
    }
    return LOGLVL_INFO;
}

/** Write @p text to the console, starting each line with the prefix. */
static void emit_lines(const char *text)
{
    while (*text) {
        const char *nl = strchr(text, '\n');
        size_t len = nl ? (size_t)(nl - text) + 1 : strlen(text);

        if (at_line_start)
            console_write(CONSOLE_PREFIX, sizeof(CONSOLE_PREFIX) - 1);
        console_write(text, len);
        at_line_start = nl != NULL;
        text += len;
    }
}

void vprintk(const char *fmt, va_list args)
{
    char buf[PRINTK_BUF_SIZE];
    enum log_level level = take_level(&fmt);
    unsigned long flags;

    if ((int)level > (int)printk_level)
        return;
    vsnprintf(buf, sizeof(buf), fmt, args);
    if (spin_is_locked_by_me(&console_lock)) { /* a fault while printing */
        emit_lines(buf);
        return;
    }
    flags = spin_lock_irqsave(&console_lock);
    emit_lines(buf);
    spin_unlock_irqrestore(&console_lock, flags);
}

void printk(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    vprintk(fmt, args);
    va_end(args);
}

void guest_console_line(unsigned int domid, const char *line, size_t len)
{
    char prefix[16];
    unsigned long flags = spin_lock_irqsave(&console_lock);

    if (!at_line_start) /* a hypervisor line half-way: finish it first */
        console_write("\n", 1);
    snprintf(prefix, sizeof(prefix), "(d%u) ", domid);
    console_write(prefix, strlen(prefix));
    console_write(line, len);
    console_write("\n", 1);
    at_line_start = true;
    spin_unlock_irqrestore(&console_lock, flags);
}
