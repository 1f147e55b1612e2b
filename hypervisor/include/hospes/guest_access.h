/**
 * @file
 * @brief Copying to and from a guest's memory, checking every address.
 *
 * Lab 4 (labs/04-pv-domains/README.md, exercise 3). Design page:
 * docs/pv-guests.md (section "Guest pointers").
 *
 * A hypercall argument that points into the guest is a guest virtual
 * address, used through the current vCPU's page tables. The guest could
 * pass anything: an unmapped address, a read-only page, or an address in
 * the hypervisor's own part of the address space. The copy functions
 * refuse the last outright and survive the others (a page fault during
 * the copy ends it), and say so with -EFAULT, so no guest pointer can
 * crash the hypervisor or make it read or write its own memory.
 */
#ifndef HOSPES_GUEST_ACCESS_H
#define HOSPES_GUEST_ACCESS_H

#include <hospes/types.h>

/** A guest virtual address, as hypercalls pass them (Xen's guest handle). */
typedef uint64_t guest_va_t;

/** @brief May a guest name the @p len bytes at @p va (its own part)? */
bool guest_range_ok(guest_va_t va, size_t len);

/**
 * @brief Copy @p len bytes from the current guest's @p src to @p dst.
 * @return 0, or -EFAULT if any byte was outside the guest's part of the
 *         address space or not mapped (then @p dst may be partly written)
 */
int copy_from_guest(void *dst, guest_va_t src, size_t len);

/**
 * @brief Copy @p len bytes from @p src to the current guest's @p dst.
 * @return 0, or -EFAULT (see copy_from_guest(); also for read-only pages)
 */
int copy_to_guest(guest_va_t dst, const void *src, size_t len);

#endif /* HOSPES_GUEST_ACCESS_H */
