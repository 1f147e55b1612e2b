/**
 * @file
 * @brief printk(), the hypervisor's console log, and its format engine.
 *
 * A message may start with a log level, as in Xen:
 * `printk(LOG_WARNING "dom%u: bad request\n", d)`. The `loglvl=` option
 * chooses the least important level that is still shown. Every line on the
 * console starts with `(HV) `, the way Xen's start with `(XEN) `.
 * Design page: docs/boot.md.
 */
#ifndef HOSPES_PRINTK_H
#define HOSPES_PRINTK_H

#include <hospes/types.h>

/** @name Log levels, most important first (Xen's numbering). */
/**@{*/
#define LOG_ERR     "<0>" /**< Something failed. */
#define LOG_WARNING "<1>" /**< Something is wrong, but we go on. */
#define LOG_INFO    "<2>" /**< Normal progress (the default level). */
#define LOG_DEBUG   "<3>" /**< Details for developers (`loglvl=all`). */
/**@}*/

/** Numeric log levels, as parsed from the `"<n>"` prefix. */
enum log_level {
    LOGLVL_ERR,
    LOGLVL_WARNING,
    LOGLVL_INFO,
    LOGLVL_DEBUG,
    LOGLVL_NONE = -1, /**< Only for `loglvl=none`: show nothing. */
};

/** The prefix of every console line. */
#define CONSOLE_PREFIX "(HV) "

/**
 * @brief Format into a buffer, like C's vsnprintf().
 *
 * Conversions: `%d %i %u %x %X %p %s %c %%`, with the length modifiers
 * `l`, `ll` and `z`, a field width (a number or `*`), the `0` (zero pad) and
 * `-` (left justify) flags. `%p` prints `0x` and 16 hex digits.
 *
 * @param buf   where to write; always NUL-terminated if @p size > 0.
 * @param size  size of @p buf in bytes.
 * @param fmt   the format.
 * @param args  the arguments.
 * @return the length the whole output would have had (may exceed @p size).
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);

/** @brief Format into a buffer; see vsnprintf(). */
int __printf(3, 4) snprintf(char *buf, size_t size, const char *fmt, ...);

/**
 * @brief Print a message on the hypervisor console.
 *
 * The message is dropped if its level (see LOG_INFO) is less important
 * than the `loglvl=` option allows. Lines are prefixed with `(HV) `.
 */
void __printf(1, 2) printk(const char *fmt, ...);

/** @brief printk() with a va_list. */
void vprintk(const char *fmt, va_list args);

/**
 * @brief Set the least important level that is still printed.
 * @param level  a level from enum log_level, or LOGLVL_NONE.
 */
void printk_set_level(enum log_level level);

/**
 * @brief Print one line of guest output, @p len bytes of @p line without
 *        its newline, as "(dN) line": a guest's, not the hypervisor's,
 *        so without the "(HV) " prefix and whatever `loglvl=` says.
 */
void guest_console_line(unsigned int domid, const char *line, size_t len);

#endif /* HOSPES_PRINTK_H */
