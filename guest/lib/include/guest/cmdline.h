/**
 * @file
 * @brief Options on the guest's command line (guest/lib/cmdline.c).
 *
 * The command line (start_info.cmd_line) is words separated by spaces;
 * an option is a word `name=value`, as in `count=50 expect-flags=3`.
 */
#ifndef GUEST_CMDLINE_H
#define GUEST_CMDLINE_H

#include <stdbool.h>

/**
 * @brief Read option @p name as a number, decimal or `0x` hexadecimal.
 * @param cmdline  the command line.
 * @param name     the option's name, without `=`.
 * @param value    receives the number.
 * @return true if the option is there and a number; false leaves @p value
 *         alone, so it can hold the default beforehand.
 */
bool cmdline_get_ulong(const char *cmdline, const char *name,
                       unsigned long *value);

/**
 * @brief Is option @p name there with exactly the value @p value?
 *        (`role=server2` is not `role=server`.)
 */
bool cmdline_is(const char *cmdline, const char *name, const char *value);

/**
 * @brief Does option @p name select @p value: is it @p value, or absent?
 *        For an option that picks one of several things and, without it,
 *        all of them: `part=send` runs the part "send", no `part=` every
 *        part.
 */
bool cmdline_selects(const char *cmdline, const char *name, const char *value);

#endif /* GUEST_CMDLINE_H */
