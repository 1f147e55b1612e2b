/**
 * @file
 * @brief The hypervisor console: where printk() output goes.
 *
 * In lab 1 the console is the first serial port (COM1). Later labs add the
 * console_io hypercall and the Ctrl-A switch to debug keys on top of it.
 */
#ifndef HOSPES_CONSOLE_H
#define HOSPES_CONSOLE_H

#include <hospes/types.h>

/** @brief Bring up the console device (the COM1 UART). */
void console_init(void);

/**
 * @brief Write @p len bytes to the console, as they are (no prefix).
 *
 * A `\n` is sent as `\r\n`, as a serial terminal wants.
 */
void console_write(const char *s, size_t len);

/** @brief A byte typed on the console, or -1 if none is waiting. */
int console_getc(void);

#endif /* HOSPES_CONSOLE_H */
