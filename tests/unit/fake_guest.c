/*
 * fake_guest.c: copy_from_guest() and copy_to_guest() over the test's own
 * memory, with the bad and read-only ranges the test marked (see
 * fake_guest.h).
 */
#include "unit.h"

#include <stdint.h>

#include <hospes/errno.h>

#include "fake_guest.h"

/** A range of guest addresses, [start, end); empty if equal. */
struct range {
    guest_va_t start, end;
};

/** Copies must not touch bad; copies to the guest must not touch readonly. */
static struct range bad, readonly;

void fake_guest_reset(void)
{
    bad = readonly = (struct range){ 0, 0 };
}

static struct range range_of(const void *p, size_t len)
{
    return (struct range){ GVA(p), GVA(p) + len };
}

void fake_guest_bad(const void *p, size_t len)
{
    bad = range_of(p, len);
}

void fake_guest_readonly(const void *p, size_t len)
{
    readonly = range_of(p, len);
}

/** Do the @p len bytes at @p va (len > 0) touch @p r? */
static bool touches(struct range r, guest_va_t va, size_t len)
{
    return va < r.end && r.start < va + len;
}

int copy_from_guest(void *dst, guest_va_t src, size_t len)
{
    if (!len)
        return 0;
    if (!src || touches(bad, src, len))
        return -EFAULT;
    memcpy(dst, (const void *)(uintptr_t)src, len);
    return 0;
}

int copy_to_guest(guest_va_t dst, const void *src, size_t len)
{
    if (!len)
        return 0;
    if (!dst || touches(bad, dst, len) || touches(readonly, dst, len))
        return -EFAULT;
    memcpy((void *)(uintptr_t)dst, src, len);
    return 0;
}
