/**
 * @file
 * @brief Compiler helpers for the guest runtime and the guest programs.
 *
 * The guest side shares no header with the hypervisor except the public ABI
 * (hypervisor/include/public/), so it has its own few attribute names; they
 * are the ones the hypervisor and Linux use.
 */
#ifndef GUEST_COMPILER_H
#define GUEST_COMPILER_H

/** @name GCC attributes */
/**@{*/
#define __noreturn __attribute__((noreturn)) /**< never returns */
#define __weak     __attribute__((weak)) /**< a default others may replace */
/** Check printf-style calls: the format is argument f, values from a. */
#define __printf(f, a) __attribute__((format(printf, f, a)))
/**@}*/

#endif /* GUEST_COMPILER_H */
