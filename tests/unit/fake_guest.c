/*
 * fake_guest.c: copy_from_guest() over the test's own memory, with the
 * bad range the test marked (see fake_guest.h).
 */
#include "unit.h"

#include <stdint.h>

#include <hospes/errno.h>

#include "fake_guest.h"

/** The range copies must not touch: [start, end); empty if equal. */
static struct {
    guest_va_t start, end;
} bad;

void fake_guest_reset(void)
{
    bad.start = bad.end = 0;
}

void fake_guest_bad(const void *p, size_t len)
{
    bad.start = GVA(p);
    bad.end = bad.start + len;
}

int copy_from_guest(void *dst, guest_va_t src, size_t len)
{
    if (!len)
        return 0;
    if (!src || (src < bad.end && bad.start < src + len))
        return -EFAULT;
    memcpy(dst, (const void *)(uintptr_t)src, len);
    return 0;
}
