/**
 * @file
 * @brief copy_from_guest() and copy_to_guest(): every byte a hypercall
 *        reads from or writes to a guest goes through here.
 *
 * Lab 4, exercise 3 (labs/04-pv-domains/README.md): guest_range_ok().
 * Design page: docs/pv-guests.md (section "Guest pointers").
 */
#include <hospes/errno.h>
#include <hospes/guest_access.h>
#include <hospes/lab.h>
#include <public/xen.h>

#include "setup.h"

/** End of the lower canonical half: addresses from here on to
 *  HYPERVISOR_VIRT_START are non-canonical, then come ours. */
#define LOWER_HALF_END 0x0000800000000000UL

/** copy_guest_bytes() (copy_guest.asm): the bytes it did NOT copy. */
size_t copy_guest_bytes(void *dst, const void *src, size_t n);

/**
 * May a guest name the @p len bytes from @p va? Only if they lie wholly
 * in the guest's part of the address space: the lower canonical half
 * [0, LOWER_HALF_END), or from HYPERVISOR_VIRT_END to the top. Everything
 * between is either non-canonical or the hypervisor's (PML4 slots
 * 256-271). Beware of wrap-around: @p va + @p len may overflow, and a
 * range that ends exactly at the top of the address space is fine.
 * Zero bytes are always fine.
 */
bool guest_range_ok(guest_va_t va, size_t len)
{
    // LAB 4 BEGIN exercise 3: guest_range_ok()
    guest_va_t last = va + len - 1;

    if (!len)
        return true;
    if (last < va)
        return false; /* wraps around the top */
    return last < LOWER_HALF_END || va >= HYPERVISOR_VIRT_END;
    // LAB 4 STUB
    // lab_todo(4, 3, "guest_range_ok()");
    // (void)va;
    // (void)len;
    // return false;
    // LAB 4 END
}

int copy_from_guest(void *dst, guest_va_t src, size_t len)
{
    if (!guest_range_ok(src, len))
        return -EFAULT;
    return copy_guest_bytes(dst, (const void *)src, len) ? -EFAULT : 0;
}

int copy_to_guest(guest_va_t dst, const void *src, size_t len)
{
    if (!guest_range_ok(dst, len))
        return -EFAULT;
    return copy_guest_bytes((void *)dst, src, len) ? -EFAULT : 0;
}
