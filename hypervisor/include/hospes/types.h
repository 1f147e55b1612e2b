/**
 * @file
 * @brief Basic types for the hypervisor.
 *
 * Only the compiler's freestanding headers are used: they work both in the
 * hypervisor and in the host-compiled unit tests.
 */
#ifndef HOSPES_TYPES_H
#define HOSPES_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** A machine (host-physical) address. */
typedef uint64_t paddr_t;

/** Format a paddr_t with printk: `printk("%" PRIpaddr, pa)`. */
#define PRIpaddr "016lx"

#endif /* HOSPES_TYPES_H */
