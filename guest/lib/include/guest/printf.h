/**
 * @file
 * @brief The guest's formatting engine (guest/lib/printf.c).
 *
 * One function turns a format and its arguments into characters and hands
 * them, one at a time, to an output function: printf() passes the console's.
 */
#ifndef GUEST_PRINTF_H
#define GUEST_PRINTF_H

#include <stdarg.h>

/** An output function: receives each character with the caller's @p arg. */
typedef void (*format_put_t)(char c, void *arg);

/**
 * @brief Format @p fmt with the values in @p ap, character by character.
 *
 * Conversions: `%s %c %d %i %u %x %p %%`, with a field width, `0`
 * padding (numbers only) and the size prefixes `l`, `ll` and `z`. `%p`
 * prints `0x` and the address in hexadecimal; a NULL `%s` prints
 * `(null)`. Anything else is printed as it stands.
 *
 * @param put  receives every character produced.
 * @param arg  passed to @p put unchanged.
 * @param fmt  the format.
 * @param ap   its values.
 * @return the number of characters produced.
 */
int vformat(format_put_t put, void *arg, const char *fmt, va_list ap);

#endif /* GUEST_PRINTF_H */
