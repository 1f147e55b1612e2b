/**
 * @file
 * @brief Printing through the hypervisor console (guest/lib/console.c).
 *
 * Output goes out with HYPERVISOR_console_io(CONSOLEIO_write) one whole line
 * at a time: the hypervisor starts every line it prints with "(dN) ", so a
 * line sent in pieces could be cut by another domain's output.
 */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stdarg.h>
#include <guest/compiler.h>

/**
 * @brief Print a formatted message (formats: see vformat()).
 *
 * Text is kept until a newline, or until the line buffer is full, and then
 * sent.
 * @return the number of characters printed.
 */
int printf(const char *fmt, ...) __printf(1, 2);

/** @brief printf() with a va_list. @return the number of characters. */
int vprintf(const char *fmt, va_list ap);

/** @brief Send what is buffered now, even without a newline. */
void console_flush(void);

#endif /* GUEST_CONSOLE_H */
