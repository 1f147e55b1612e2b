/*
 * fake_guest.h: a guest's memory, for tests of hypercall handlers that
 * read their arguments with copy_from_guest() and write results back with
 * copy_to_guest() (lab 4 and later).
 *
 * The guest's memory is the test's: a guest address is a host pointer
 * (a guest_va_t made from it), so a test passes its own buffers to the
 * handler. What the real copy refuses or faults on, the fake refuses
 * with -EFAULT: address 0, any byte of a range the test marked bad (an
 * unmapped page, say), and, for copy_to_guest() only, any byte of a range
 * it marked read-only. A refused copy copies nothing.
 */
#ifndef UNIT_FAKE_GUEST_H
#define UNIT_FAKE_GUEST_H

#include <hospes/guest_access.h>

/** A host pointer as the guest address that stands for it. */
#define GVA(p) ((guest_va_t)(uintptr_t)(p))

/** Start over: no range is bad or read-only (but address 0 is bad). */
void fake_guest_reset(void);

/** From now on, copies touching the @p len bytes at @p p fail. */
void fake_guest_bad(const void *p, size_t len);

/**
 * From now on, copies to the @p len bytes at @p p fail, as on a
 * read-only page; copies from them work.
 */
void fake_guest_readonly(const void *p, size_t len);

#endif /* UNIT_FAKE_GUEST_H */
