/*
 * test_vsnprintf.c: unit tests of the hypervisor's formatter,
 * hypervisor/common/vsnprintf.c (lab 1, exercise 1: format_number()).
 *
 * hv-sources: hypervisor/common/vsnprintf.c
 *
 * The conversions the hypervisor supports behave as C's, so most tests ask
 * the host's libc for the right answer: a grid of every conversion, length
 * modifier, flag, width and many values, and every buffer size for a few
 * formats. The rest (%p, %s of NULL, unknown conversions) are ours and are
 * checked against fixed strings, as are the extreme values, so that the
 * tests do not lean on libc alone.
 */
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * The hypervisor's formatter, declared by its real header under the names
 * that hv_shim.h gives it (so a change of signature breaks the build).
 */
#define vsnprintf hv_vsnprintf
#define snprintf  hv_snprintf
#include <hospes/printk.h>
#undef vsnprintf
#undef snprintf

/** Larger than any output of these tests. */
#define BUF_SIZE 128
/** What the buffers hold before formatting, to see which bytes were written. */
#define UNTOUCHED 0x5a

/**
 * Format with libc and with the hypervisor into buffers of @p size bytes
 * and check they agree: same return value, same bytes written, nothing
 * written past the first @p size bytes.
 */
static void __printf(2, 3) expect_as_libc(size_t size, const char *fmt, ...)
{
    char want[BUF_SIZE], got[BUF_SIZE];
    int want_len, got_len;
    va_list args, copy;

    ck_assert_uint_le(size, BUF_SIZE);
    memset(want, UNTOUCHED, sizeof(want));
    memset(got, UNTOUCHED, sizeof(got));

    va_start(args, fmt);
    va_copy(copy, args);
    want_len = vsnprintf(want, size, fmt, args);
    got_len = hv_vsnprintf(got, size, fmt, copy);
    va_end(copy);
    va_end(args);

    /* %.*s: a broken formatter may leave no NUL in the buffer. */
    ck_assert_msg(got_len == want_len && !memcmp(got, want, size),
                  "format \"%s\", buffer of %zu: the hypervisor returned %d "
                  "and wrote \"%.*s\"; libc returned %d and wrote \"%s\"",
                  fmt, size, got_len, (int)size, got, want_len,
                  size ? want : "");
    for (size_t i = size; i < sizeof(got); i++)
        ck_assert_msg(got[i] == UNTOUCHED,
                      "format \"%s\", buffer of %zu: the hypervisor wrote "
                      "past its end, at byte %zu",
                      fmt, size, i);
}

/**
 * Format with the hypervisor and check the result is @p want, and that the
 * return value is its length.
 */
static void __printf(2, 3)
    expect_exactly(const char *want, const char *fmt, ...)
{
    /* One byte more, always NUL, in case the formatter forgets its own. */
    char got[BUF_SIZE + 1] = "";
    va_list args;
    int len;

    va_start(args, fmt);
    len = hv_vsnprintf(got, BUF_SIZE, fmt, args);
    va_end(args);

    ck_assert_msg(!strcmp(got, want) && len == (int)strlen(want),
                  "format \"%s\": expected \"%s\" (length %zu), got \"%s\" "
                  "(returned %d)",
                  fmt, want, strlen(want), got, len);
}

/* -------------------------------------------------------------------------
 * The grid: every integer conversion, compared with libc.
 */

static const char *const conversions[] = { "d", "i", "u", "x", "X" };
static const char *const lengths[] = { "", "l", "ll", "z" };
static const char *const flags[] = { "", "0", "-", "0-", "-0" };
/* 20 and 21: the longest numbers (UINT64_MAX, INT64_MIN) and one more. */
static const char *const widths[] = { "",   "1",  "2",  "5", "19",
                                      "20", "21", "40", "*" };
/* Widths for "*": a negative one means left-justified. */
static const int star_widths[] = { -30, -3, 0, 4, 25 };

static const int64_t values[] = {
    0,
    1,
    -1,
    7,
    9,
    10,
    15,
    16,
    255,
    4096,
    -4096,
    123456789,
    -987654321,
    INT32_MAX,
    INT32_MIN,
    UINT32_MAX,
    (int64_t)UINT32_MAX + 1,
    INT64_MAX,
    INT64_MIN,
    (int64_t)0xdeadbeefcafef00dULL,
    0x0123456789abcdefLL,
};

/* Pass @p v to expect_as_libc() as a @p type, after the width for "*". */
#define EXPECT_AS(type)                                                        \
    (star ? expect_as_libc(BUF_SIZE, fmt, width, (type)v)                      \
          : expect_as_libc(BUF_SIZE, fmt, (type)v))

/**
 * Compare one integer conversion @p fmt whose length modifier is @p length:
 * @p v is passed as the type that modifier names, signed or not.
 */
static void expect_integer(const char *fmt, const char *length, bool is_signed,
                           bool star, int width, int64_t v)
{
    if (!strcmp(length, ""))
        is_signed ? EXPECT_AS(int) : EXPECT_AS(unsigned int);
    else if (!strcmp(length, "l"))
        is_signed ? EXPECT_AS(long) : EXPECT_AS(unsigned long);
    else if (!strcmp(length, "ll"))
        is_signed ? EXPECT_AS(long long) : EXPECT_AS(unsigned long long);
    else
        is_signed ? EXPECT_AS(ssize_t) : EXPECT_AS(size_t);
}

/* One run per conversion, so that a failure names it (grid:0 is %d). */
START_TEST(test_integer_grid)
{
    const char *conv = conversions[_i];
    bool is_signed = !strcmp(conv, "d") || !strcmp(conv, "i");
    char fmt[16];

    for (size_t l = 0; l < ARRAY_SIZE(lengths); l++)
        for (size_t f = 0; f < ARRAY_SIZE(flags); f++)
            for (size_t w = 0; w < ARRAY_SIZE(widths); w++) {
                bool star = !strcmp(widths[w], "*");
                size_t nstars = star ? ARRAY_SIZE(star_widths) : 1;

                snprintf(fmt, sizeof(fmt), "%%%s%s%s%s", flags[f], widths[w],
                         lengths[l], conv);
                for (size_t s = 0; s < nstars; s++)
                    for (size_t v = 0; v < ARRAY_SIZE(values); v++)
                        expect_integer(fmt, lengths[l], is_signed, star,
                                       star_widths[s], values[v]);
            }
}
END_TEST

/* %s and %c with widths and the '-' flag, compared with libc. */
START_TEST(test_string_and_char_grid)
{
    static const char *const strings[] = { "", "a", "hello", "a sentence" };
    static const char *const widths_sc[] = { "", "1", "5", "12" };
    static const char *const flags_sc[] = { "", "-" };
    char fmt[16];

    for (size_t f = 0; f < ARRAY_SIZE(flags_sc); f++)
        for (size_t w = 0; w < ARRAY_SIZE(widths_sc); w++) {
            snprintf(fmt, sizeof(fmt), "[%%%s%ss]", flags_sc[f], widths_sc[w]);
            for (size_t s = 0; s < ARRAY_SIZE(strings); s++)
                expect_as_libc(BUF_SIZE, fmt, strings[s]);
            snprintf(fmt, sizeof(fmt), "[%%%s%sc]", flags_sc[f], widths_sc[w]);
            expect_as_libc(BUF_SIZE, fmt, 'x');
        }
    for (size_t s = 0; s < ARRAY_SIZE(star_widths); s++)
        expect_as_libc(BUF_SIZE, "[%*s|%*c]", star_widths[s], "ab",
                       star_widths[s], 'z');
}
END_TEST

/* Text around conversions, several conversions in one format, and %%. */
START_TEST(test_mixed_formats)
{
    expect_as_libc(BUF_SIZE, "no conversion at all");
    expect_as_libc(BUF_SIZE, "100%% sure");
    expect_as_libc(BUF_SIZE, "%s=%08lx (%-4d|%3u) %c%%", "rip",
                   0xffff82d080000000UL, -7, 42u, '!');
    expect_as_libc(BUF_SIZE, "%zu bytes at %lx", (size_t)4096, 0x1000UL);
}
END_TEST

/* -------------------------------------------------------------------------
 * Buffer sizes: truncation, NUL termination, size 0.
 */

/* Every buffer size from 0 to past the end, compared with libc. */
START_TEST(test_every_buffer_size)
{
    for (size_t size = 0; size <= 40; size++) {
        expect_as_libc(size, "%s=%08lx|%-6d|%c", "cr3", 0x1234abcdUL, -42, 'q');
        expect_as_libc(size, "%30d", 5);
        expect_as_libc(size, "%-25lld!", (long long)INT64_MIN);
    }
}
END_TEST

START_TEST(test_truncation_returns_full_length)
{
    char buf[8];

    memset(buf, UNTOUCHED, sizeof(buf));
    ck_assert_int_eq(hv_snprintf(buf, 4, "%d", 123456), 6);
    ck_assert_str_eq(buf, "123");
    ck_assert_int_eq(buf[4], UNTOUCHED);

    /* A width wider than the buffer: counted in full, cut to fit. */
    ck_assert_int_eq(hv_snprintf(buf, sizeof(buf), "%30d", 5), 30);
    ck_assert_str_eq(buf, "       ");
    ck_assert_int_eq(hv_snprintf(buf, sizeof(buf), "%-30s|", "left"), 31);
    ck_assert_str_eq(buf, "left   ");

    /* Exactly full: the last byte is the NUL. */
    ck_assert_int_eq(hv_snprintf(buf, sizeof(buf), "%s", "1234567"), 7);
    ck_assert_str_eq(buf, "1234567");
    ck_assert_int_eq(hv_snprintf(buf, sizeof(buf), "%s", "12345678"), 8);
    ck_assert_str_eq(buf, "1234567");

    /* Size 1: only the NUL. */
    memset(buf, UNTOUCHED, sizeof(buf));
    ck_assert_int_eq(hv_snprintf(buf, 1, "%lx", 0xabcUL), 3);
    ck_assert_int_eq(buf[0], '\0');
    ck_assert_int_eq(buf[1], UNTOUCHED);
}
END_TEST

START_TEST(test_size_zero_writes_nothing)
{
    char buf[8];

    memset(buf, UNTOUCHED, sizeof(buf));
    ck_assert_int_eq(hv_snprintf(buf, 0, "%s and %d", "this", 1234), 13);
    for (size_t i = 0; i < sizeof(buf); i++)
        ck_assert_int_eq(buf[i], UNTOUCHED);

    /* So a caller can measure first, with no buffer at all. */
    ck_assert_int_eq(hv_snprintf(NULL, 0, "%d", -42), 3);
}
END_TEST

/* -------------------------------------------------------------------------
 * Fixed expectations: extreme values, and what is the hypervisor's own.
 */

START_TEST(test_extreme_values)
{
    expect_exactly("-9223372036854775808", "%ld", INT64_MIN);
    expect_exactly("-9223372036854775808", "%lld", (long long)INT64_MIN);
    expect_exactly("-000009223372036854775808", "%025ld", INT64_MIN);
    expect_exactly("8000000000000000", "%lx", (unsigned long)INT64_MIN);
    expect_exactly("9223372036854775807", "%ld", INT64_MAX);
    expect_exactly("18446744073709551615", "%lu", UINT64_MAX);
    expect_exactly("18446744073709551615", "%zu", SIZE_MAX);
    expect_exactly("ffffffffffffffff", "%lx", UINT64_MAX);
    expect_exactly("FFFFFFFFFFFFFFFF", "%llX", (unsigned long long)UINT64_MAX);
    expect_exactly("-1", "%zd", (ssize_t)-1);
    expect_exactly("-2147483648", "%d", INT32_MIN);
    expect_exactly("4294967295", "%u", UINT32_MAX);
    expect_exactly("-0000000001", "%011i", -1);
    expect_exactly("0", "%x", 0u);
    expect_exactly("   -5|", "%*d|", 5, -5);
    expect_exactly("-5   |", "%*d|", -5, -5);
}
END_TEST

/* %p: always "0x" and 16 digits, so addresses line up in columns. */
START_TEST(test_pointer)
{
    expect_exactly("0x0000000000000000", "%p", NULL);
    expect_exactly("0x0000000000001234", "%p", (void *)0x1234);
    expect_exactly("0xffff82d080000000", "%p", (void *)0xffff82d080000000UL);
    expect_exactly("[0x00000000deadbeef]", "[%p]", (void *)0xdeadbeefUL);
}
END_TEST

/*
 * The tests below pass formats and arguments that the compiler's printf
 * checks reject on purpose. Read through a volatile pointer, a value is
 * unknown at compile time, so the compiler cannot check it.
 */

START_TEST(test_null_string)
{
    const char *volatile null = NULL;

    expect_exactly("(null)", "%s", null);
    expect_exactly("  (null)|", "%8s|", null);
}
END_TEST

/*
 * An unknown conversion, or a '%' that ends the format, is printed as it
 * was written, so that the mistake shows.
 */
START_TEST(test_odd_formats)
{
    static const struct {
        const char *fmt;
        const char *want;
    } cases[] = {
        { "", "" },
        { "%q and %w", "%q and %w" },
        { "50%", "50%" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const char *volatile fmt = cases[i].fmt;

        expect_exactly(cases[i].want, fmt);
    }
}
END_TEST

Suite *unit_suite(void)
{
    Suite *s = suite_create("vsnprintf");
    TCase *grid = tcase_create("grid");
    TCase *sizes = tcase_create("sizes");
    TCase *fixed = tcase_create("fixed");

    tcase_add_loop_test(grid, test_integer_grid, 0, ARRAY_SIZE(conversions));
    tcase_add_test(grid, test_string_and_char_grid);
    tcase_add_test(grid, test_mixed_formats);
    suite_add_tcase(s, grid);

    tcase_add_test(sizes, test_every_buffer_size);
    tcase_add_test(sizes, test_truncation_returns_full_length);
    tcase_add_test(sizes, test_size_zero_writes_nothing);
    suite_add_tcase(s, sizes);

    tcase_add_test(fixed, test_extreme_values);
    tcase_add_test(fixed, test_pointer);
    tcase_add_test(fixed, test_null_string);
    tcase_add_test(fixed, test_odd_formats);
    suite_add_tcase(s, fixed);
    return s;
}
