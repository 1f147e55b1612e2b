/*
 * test_guest_range.c: unit tests of the guest pointer check,
 * guest_range_ok() in hypervisor/arch/x86/usercopy.c (lab 4, exercise 3),
 * and of copy_from_guest()/copy_to_guest() that rely on it.
 *
 * hv-sources: hypervisor/arch/x86/usercopy.c
 *
 * A guest may name bytes in its own part of the address space only: the
 * lower canonical half [0, 2^47), and [HYPERVISOR_VIRT_END, 2^64). The
 * table below walks every edge of those two ranges, including lengths that
 * make va + len overflow.
 *
 * In the hypervisor the copy itself is copy_guest_bytes() (assembly that
 * survives page faults). Here this file plays it with memcpy(), counting
 * calls, so a test sees whether the check let a copy through. Host buffers
 * stand for guest memory: a host program's addresses are in the lower
 * half, where a guest's own are.
 */
#include "unit.h"

#include <stdint.h>

#include <hospes/errno.h>
#include <hospes/guest_access.h>
#include <hospes/lib.h>
#include <public/arch-x86.h>

/** The first address past the lower canonical half. */
#define LOWER_END 0x0000800000000000UL

/** One case of guest_range_ok(). */
struct range_case {
    guest_va_t va;
    size_t len;
    bool ok;          /**< what guest_range_ok() must say */
    const char *what; /**< shown when the case fails */
};

static const struct range_case range_cases[] = {
    /* Zero bytes are fine wherever they are. */
    { 0, 0, true, "nothing at 0" },
    { LOWER_END, 0, true, "nothing at the first non-canonical address" },
    { HYPERVISOR_VIRT_START, 0, true, "nothing in the hypervisor's range" },
    { UINT64_MAX, 0, true, "nothing at the top" },

    /* The lower half, up to its last byte. */
    { 0, 1, true, "the first byte" },
    { 0x400000, 0x1000, true, "a page in the lower half" },
    { LOWER_END - 1, 1, true, "the last byte of the lower half" },
    { LOWER_END - 0x1000, 0x1000, true, "the last page of the lower half" },
    { 0, LOWER_END, true, "the whole lower half" },

    /* Out of the lower half, into the non-canonical hole. */
    { LOWER_END - 1, 2, false, "the last byte of the lower half and one more" },
    { LOWER_END - 0x1000, 0x1001, false, "a page crossing 2^47" },
    { 0, LOWER_END + 1, false, "the lower half and one byte more" },

    /* Non-canonical addresses. */
    { LOWER_END, 1, false, "the first non-canonical byte" },
    { 0x123456789abcdef0UL, 8, false, "a non-canonical address" },
    { HYPERVISOR_VIRT_START - 1, 1, false, "the last non-canonical byte" },

    /* The hypervisor's range, and ranges crossing into it. */
    { HYPERVISOR_VIRT_START, 1, false, "the hypervisor's first byte" },
    { HYPERVISOR_VIRT_START + 0x100000, 8, false, "inside the hypervisor" },
    { HYPERVISOR_VIRT_END - 1, 1, false, "the hypervisor's last byte" },
    { HYPERVISOR_VIRT_START - 8, 16, false, "into the hypervisor from below" },
    { LOWER_END - 0x1000, HYPERVISOR_VIRT_START + 0x1000 - (LOWER_END - 0x1000),
      false, "from the lower half, over the hole, into the hypervisor" },
    { HYPERVISOR_VIRT_END - 1, 2, false, "from the hypervisor to above it" },
    { HYPERVISOR_VIRT_END - 8, 0x1000, false,
      "into the hypervisor from above" },

    /* From HYPERVISOR_VIRT_END to the top: the guest's again. */
    { HYPERVISOR_VIRT_END, 1, true, "the first byte above the hypervisor" },
    { HYPERVISOR_VIRT_END, 0x1000, true, "a page above the hypervisor" },
    { 0xffffffff80000000UL, 0x200000, true, "a kernel in the top 2 GiB" },

    /* Ending exactly at 2^64 is fine: va + len overflows to 0, no byte
     * wraps. */
    { UINT64_MAX, 1, true, "the very last byte" },
    { UINT64_MAX - 0xfff, 0x1000, true, "the very last page" },
    { HYPERVISOR_VIRT_END, 0 - HYPERVISOR_VIRT_END, true,
      "everything above the hypervisor" },

    /* Wrapping past the top, back to the bottom, is refused, even where
     * the bytes it wraps to are the guest's. */
    { UINT64_MAX, 2, false, "the last byte and the first" },
    { UINT64_MAX - 0xfff, 0x1001, false, "the last page and a byte" },
    { UINT64_MAX - 0xff, 0x200, false, "wrapping into the lower half" },
    { HYPERVISOR_VIRT_END, 1 - HYPERVISOR_VIRT_END, false,
      "above the hypervisor, then wrapping to address 0" },

    /* Huge lengths. */
    { 0, SIZE_MAX, false, "everything but the last byte" },
    { 1, SIZE_MAX, false, "everything but the first byte" },
    { 0x1000, SIZE_MAX, false, "SIZE_MAX bytes from a page" },
    { HYPERVISOR_VIRT_END, SIZE_MAX, false, "SIZE_MAX bytes from the top" },
    { 0x1000, SIZE_MAX / 2, false, "half the address space" },
};

/* Each case of the table is one test: guest_range_ok() says what it
 * must. */
START_TEST(test_range)
{
    const struct range_case *c = &range_cases[_i];

    ck_assert_msg(guest_range_ok(c->va, c->len) == c->ok,
                  "%s: guest_range_ok(0x%016lx, 0x%lx) is %s, want %s", c->what,
                  (unsigned long)c->va, (unsigned long)c->len,
                  c->ok ? "false" : "true", c->ok ? "true" : "false");
}
END_TEST

/* -------------------------------------------------------------------------
 * The copies, over the fake copy_guest_bytes().
 */

/** What the fake copy_guest_bytes() saw and does. */
static struct {
    unsigned int calls; /**< calls so far */
    size_t fault_after; /**< copy this many bytes, then "fault" */
} copier;

/**
 * The hypervisor's copy_guest_bytes() (copy_guest.asm), on the host:
 * copy, unless the test made the copy "fault" part-way.
 * @return the bytes not copied
 */
size_t copy_guest_bytes(void *dst, const void *src, size_t n)
{
    size_t done = min(n, copier.fault_after);

    copier.calls++;
    memcpy(dst, src, done);
    return n - done;
}

static void setup(void)
{
    copier.calls = 0;
    copier.fault_after = SIZE_MAX;
    printk_clear();
}

/** Bytes a test copies: distinct, so a byte out of place shows. */
#define BUF_SIZE 64

/** Fill @p buf with a pattern that starts at @p seed. */
static void fill(unsigned char *buf, unsigned char seed)
{
    unsigned int i;

    for (i = 0; i < BUF_SIZE; i++)
        buf[i] = (unsigned char)(seed + i);
}

/** A host pointer as the guest address it stands for. */
static guest_va_t gva(const void *p)
{
    return (guest_va_t)(uintptr_t)p;
}

/* A good range: both copies return 0 with every byte copied. */
START_TEST(test_copy_good_range)
{
    unsigned char guest[BUF_SIZE], hv[BUF_SIZE];

    ck_assert(guest_range_ok(gva(guest), sizeof(guest)));
    fill(guest, 1);
    fill(hv, 100);
    ck_assert_int_eq(copy_from_guest(hv, gva(guest), sizeof(hv)), 0);
    ck_assert_mem_eq(hv, guest, sizeof(hv));
    ck_assert_uint_eq(copier.calls, 1);

    fill(hv, 200);
    ck_assert_int_eq(copy_to_guest(gva(guest), hv, sizeof(hv)), 0);
    ck_assert_mem_eq(guest, hv, sizeof(guest));
    ck_assert_uint_eq(copier.calls, 2);
}
END_TEST

/** Guest addresses both copies must refuse without trying. */
static const struct {
    guest_va_t va;
    size_t len;
} bad_ranges[] = {
    { HYPERVISOR_VIRT_START, BUF_SIZE },
    { HYPERVISOR_VIRT_END - 8, BUF_SIZE },
    { LOWER_END - 8, BUF_SIZE },
    { UINT64_MAX - 8, BUF_SIZE },
};

/* A bad range: -EFAULT, and copy_guest_bytes() is never called, so not a
 * byte of hypervisor memory is read or written. */
START_TEST(test_copy_bad_range)
{
    unsigned char hv[BUF_SIZE], before[BUF_SIZE];
    guest_va_t va = bad_ranges[_i].va;
    size_t len = bad_ranges[_i].len;

    fill(hv, 7);
    memcpy(before, hv, sizeof(hv));
    ck_assert_int_eq(copy_from_guest(hv, va, len), -EFAULT);
    ck_assert_int_eq(copy_to_guest(va, hv, len), -EFAULT);
    ck_assert_uint_eq(copier.calls, 0);
    ck_assert_mem_eq(hv, before, sizeof(hv));
}
END_TEST

/* A good range whose copy faults part-way (an unmapped page): -EFAULT. */
START_TEST(test_copy_fault)
{
    unsigned char guest[BUF_SIZE], hv[BUF_SIZE];

    fill(guest, 1);
    fill(hv, 100);
    copier.fault_after = BUF_SIZE / 2;
    ck_assert_int_eq(copy_from_guest(hv, gva(guest), sizeof(hv)), -EFAULT);
    ck_assert_int_eq(copy_to_guest(gva(guest), hv, sizeof(hv)), -EFAULT);
    ck_assert_uint_eq(copier.calls, 2);
}
END_TEST

Suite *unit_suite(void)
{
    Suite *s = suite_create("guest_range");
    TCase *ranges = tcase_create("guest_range_ok");
    TCase *copies = tcase_create("copies");

    tcase_add_loop_test(ranges, test_range, 0, ARRAY_SIZE(range_cases));
    suite_add_tcase(s, ranges);

    tcase_add_checked_fixture(copies, setup, NULL);
    tcase_add_test(copies, test_copy_good_range);
    tcase_add_loop_test(copies, test_copy_bad_range, 0, ARRAY_SIZE(bad_ranges));
    tcase_add_test(copies, test_copy_fault);
    suite_add_tcase(s, copies);
    return s;
}
