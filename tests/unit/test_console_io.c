/*
 * test_console_io.c: unit tests of the console_io hypercall,
 * hypervisor/common/console_io.c (lab 4): guests' output assembled into
 * lines, and rate-limited.
 *
 * hv-sources: hypervisor/common/console_io.c hypervisor/common/softirq.c
 * hv-sources: hypervisor/common/spinlock.c
 * host-sources: tests/unit/fake_domain.c tests/unit/fake_guest.c
 * host-sources: tests/unit/fake_time.c tests/unit/fake_cpu.c
 *
 * (softirq.c is there for fake_time.c, whose timer interrupt raises a
 * softirq; console_io.c sets no timer.)
 *
 * Three domains call it: dom0 (privileged) and domUs 1 and 2, each with
 * one vCPU that the test makes current before each call. Their buffers
 * are the test's own (fake_guest.h). The clock is fake_time's, and moves
 * only when the test moves it, so the rate limit's budget is exact.
 *
 * printk.c's guest_console_line() prints a finished line as "(dN) text".
 * This file's stand-in prints it the same way, with printk() into the
 * buffer of host.c: the domains' lines and the hypervisor's warnings then
 * form one stream, whose order the tests check. It also counts lines, for
 * tests that print more than that buffer holds.
 */
#include "unit.h"

#include <stdio.h>

#include <hospes/errno.h>
#include <hospes/hypercall.h>
#include <hospes/printk.h>
#include <public/xen.h>

#include "fake_domain.h"
#include "fake_guest.h"
#include "fake_time.h"

/** A domU may print this many bytes at once... */
#define BURST 16384
/** ...and this many more each second. */
#define RATE 8192

/** The clock at the start of every test. */
#define START SECONDS(1)

/** Bytes of one line of write_lines(), its newline included. */
#define LINE_BYTES 64

/** The domains and their vCPUs: [0] is dom0, [1] d1, [2] d2. */
static struct domain doms[3];
static struct vcpu vcpus[3];

/** Lines guest_console_line() printed since the test began. */
static unsigned long lines_printed;

/** printk.c's guest_console_line(), into printk()'s buffer. */
void guest_console_line(unsigned int domid, const char *line, size_t len)
{
    printk("(d%u) %.*s\n", domid, (int)len, line);
    lines_printed++;
}

/** Forget what was printed, to look at what comes next. */
static void clear_output(void)
{
    printk_clear();
    lines_printed = 0;
}

static void setup(void)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(doms); i++) {
        doms[i] = (struct domain){ .domain_id = i, .is_privileged = !i };
        fake_vcpu_init(&vcpus[i], &doms[i], 0, 0);
    }
    fake_time_reset(START);
    for (i = 0; i < ARRAY_SIZE(doms); i++)
        guest_console_init(&doms[i]);
    fake_guest_reset();
    clear_output();
}

/** CONSOLEIO_write from domain @p id: the @p n bytes at @p buf. */
static long write_buf(unsigned int id, const void *buf, size_t n)
{
    set_current(&vcpus[id]);
    return do_console_io(CONSOLEIO_write, n, GVA(buf));
}

/** CONSOLEIO_write of string @p s from domain @p id; it must succeed. */
static void write_str(unsigned int id, const char *s)
{
    ck_assert_int_eq(write_buf(id, s, strlen(s)), 0);
}

/**
 * CONSOLEIO_write from domain @p id of @p nr lines of LINE_BYTES bytes,
 * in one call; it must succeed. Line i is "line <i> ---...".
 */
static void write_lines(unsigned int id, unsigned int nr)
{
    static char buf[2000 * LINE_BYTES];
    unsigned int i;

    ck_assert_uint_le(nr * LINE_BYTES, sizeof(buf));
    for (i = 0; i < nr; i++) {
        char *line = buf + i * LINE_BYTES;
        int len = snprintf(line, LINE_BYTES, "line %u ", i);

        memset(line + len, '-', LINE_BYTES - 1 - len);
        line[LINE_BYTES - 1] = '\n';
    }
    ck_assert_int_eq(write_buf(id, buf, nr * LINE_BYTES), 0);
}

/** Assert that printk() printed exactly @p want since the last clear. */
#define ck_assert_output(want) ck_assert_str_eq(printk_output(), (want))

/** Assert that what printk() printed since the last clear begins with
 * @p want. */
#define ck_assert_output_starts(want)                                          \
    ck_assert_msg(!strncmp(printk_output(), (want), strlen(want)),             \
                  "expected output starting \"%s\", got \"%.300s\"", (want),   \
                  printk_output())

/** The warning for @p n bytes of domain 1's output dropped. */
#define DROPPED_D1(n)                                                          \
    LOG_WARNING "d1: " #n " bytes of console output dropped (rate limit)\n"

/* -------------------------------------------------------------------------
 * Lines.
 */

/* Pieces make one line, printed only when its newline comes. */
START_TEST(test_line_from_pieces)
{
    write_str(1, "hel");
    write_str(1, "lo wo");
    ck_assert_output("");
    write_str(1, "rld\n");
    ck_assert_output("(d1) hello world\n");

    clear_output();
    write_str(1, "two\nlines\nand a");
    ck_assert_output("(d1) two\n(d1) lines\n");
}
END_TEST

/* Carriage returns are dropped, wherever they are. */
START_TEST(test_carriage_return_dropped)
{
    write_str(1, "\ra\r\nb\rc\r\n");
    ck_assert_output("(d1) a\n(d1) bc\n");
}
END_TEST

/* Each domain has its own line: pieces do not mix. */
START_TEST(test_lines_per_domain)
{
    write_str(1, "abc");
    write_str(2, "xyz\n");
    write_str(1, "def\n");
    ck_assert_output("(d2) xyz\n(d1) abcdef\n");
}
END_TEST

/* A line longer than the buffer is printed in buffer-long pieces; one
 * exactly as long is one line, with no empty line after it. */
START_TEST(test_long_line_split)
{
    const size_t size = sizeof(doms[1].console.line);
    char text[3 * sizeof(doms[1].console.line)], want[512];
    size_t i, len = 2 * size + 44;

    for (i = 0; i < len; i++)
        text[i] = 'a' + i % 26;
    text[len] = '\n';
    ck_assert_int_eq(write_buf(1, text, len + 1), 0);
    snprintf(want, sizeof(want), "(d1) %.*s\n(d1) %.*s\n(d1) %.*s\n", (int)size,
             text, (int)size, text + size, (int)(len - 2 * size),
             text + 2 * size);
    ck_assert_output(want);

    clear_output();
    text[size] = '\n';
    ck_assert_int_eq(write_buf(1, text, size + 1), 0);
    snprintf(want, sizeof(want), "(d1) %.*s\n", (int)size, text);
    ck_assert_output(want);
    ck_assert_uint_eq(lines_printed, 1);
}
END_TEST

/* -------------------------------------------------------------------------
 * Commands and errors.
 */

/* Reading the console is dom0's (and gets nothing yet). */
START_TEST(test_read_is_privileged)
{
    char buf[16];

    set_current(&vcpus[1]);
    ck_assert_int_eq(do_console_io(CONSOLEIO_read, sizeof(buf), GVA(buf)),
                     -EPERM);
    set_current(&vcpus[0]);
    ck_assert_int_eq(do_console_io(CONSOLEIO_read, sizeof(buf), GVA(buf)), 0);
}
END_TEST

/* A command that does not exist. */
START_TEST(test_unknown_command)
{
    static const char text[] = "not printed\n";

    set_current(&vcpus[1]);
    ck_assert_int_eq(do_console_io(2, sizeof(text) - 1, GVA(text)), -ENOSYS);
    ck_assert_int_eq(do_console_io(0xffffffffUL, 1, GVA(text)), -ENOSYS);
    ck_assert_output("");
}
END_TEST

/* A pointer the guest may not use: -EFAULT, and nothing from it or after
 * it is printed. Zero bytes from anywhere are fine. */
START_TEST(test_bad_pointer)
{
    char text[300];

    ck_assert_int_eq(write_buf(1, NULL, 5), -EFAULT);
    ck_assert_int_eq(write_buf(1, NULL, 0), 0);

    memset(text, 'a', 200);
    memset(text + 200, 'z', 100);
    fake_guest_bad(text + 200, 10);
    ck_assert_int_eq(write_buf(1, text, sizeof(text)), -EFAULT);
    guest_console_flush(&doms[1]);
    ck_assert_msg(!strchr(printk_output(), 'z'), "printed: %s",
                  printk_output());
}
END_TEST

/* -------------------------------------------------------------------------
 * The rate limit.
 */

/* A domU writing 100 KiB at once prints its burst and no more; one
 * second later, the next output is first the count of what was dropped,
 * then the second's worth of bytes; after ten idle seconds, the burst
 * again, not ten seconds' worth. */
START_TEST(test_rate_limit)
{
    write_lines(1, 100 * 1024 / LINE_BYTES);
    ck_assert_uint_eq(lines_printed, BURST / LINE_BYTES);
    ck_assert_msg(!strstr(printk_output(), "dropped"), "reported too early");

    /* Other domains have budgets of their own. */
    write_str(2, "d2 still prints\n");
    ck_assert_uint_eq(lines_printed, BURST / LINE_BYTES + 1);

    fake_time_set(START + SECONDS(1));
    clear_output();
    write_lines(1, 200);
    ck_assert_uint_eq(lines_printed, RATE / LINE_BYTES);
    ck_assert_output_starts(DROPPED_D1(86016) "(d1) line 0 ");

    fake_time_set(START + SECONDS(11));
    clear_output();
    write_lines(1, 400);
    ck_assert_uint_eq(lines_printed, BURST / LINE_BYTES);
    ck_assert_output_starts(DROPPED_D1(4608) "(d1) line 0 ");
}
END_TEST

/* Output flows back at the rate, as the clock moves. */
START_TEST(test_rate_limit_refill)
{
    write_lines(1, BURST / LINE_BYTES);
    write_str(1, "dropped\n");
    fake_time_set(START + MILLISECS(500)); /* RATE / 2 bytes earned */
    clear_output();
    write_lines(1, RATE / 2 / LINE_BYTES + 1);
    ck_assert_uint_eq(lines_printed, RATE / 2 / LINE_BYTES);
    ck_assert_output_starts(DROPPED_D1(8) "(d1) line 0 ");
}
END_TEST

/** How many times @p needle occurs in @p haystack. */
static unsigned int count_of(const char *haystack, const char *needle)
{
    unsigned int n = 0;

    for (; (haystack = strstr(haystack, needle)); haystack++)
        n++;
    return n;
}

/* A domain that keeps flooding gets at most one report a second: the
 * reports are the hypervisor's lines, not limited by the domain's budget,
 * and must not become a flood of their own. */
START_TEST(test_report_once_a_second)
{
    unsigned int step;

    write_lines(1, BURST / LINE_BYTES + 10);
    clear_output();
    for (step = 1; step <= 9; step++) {
        fake_time_set(START + MILLISECS(100) * step);
        write_lines(1, 20); /* each step earns about 13 lines */
    }
    ck_assert_uint_eq(count_of(printk_output(), "dropped"), 1);
    ck_assert_uint_gt(lines_printed, 9 * 10);

    fake_time_set(START + MILLISECS(2000));
    write_lines(1, 1);
    ck_assert_uint_eq(count_of(printk_output(), "dropped"), 2);
}
END_TEST

/* dom0 is never limited. */
START_TEST(test_dom0_unlimited)
{
    write_lines(0, 100 * 1024 / LINE_BYTES);
    ck_assert_uint_eq(lines_printed, 100 * 1024 / LINE_BYTES);
    clear_output();
    guest_console_flush(&doms[0]);
    ck_assert_output("");
}
END_TEST

/* -------------------------------------------------------------------------
 * Flushing.
 */

/* A flush prints the unfinished line, then the count of bytes dropped;
 * once. */
START_TEST(test_flush)
{
    char more[100];

    write_str(1, "partial");
    ck_assert_output("");
    guest_console_flush(&doms[1]);
    ck_assert_output("(d1) partial\n");

    /* Use the budget up but for less than a line of 105 bytes: the
     * flush drops the whole line (never a part of it) and says so. */
    write_lines(1, BURST / LINE_BYTES - 1);
    write_str(1, "again");
    memset(more, '!', sizeof(more));
    ck_assert_int_eq(write_buf(1, more, sizeof(more)), 0);
    clear_output();
    guest_console_flush(&doms[1]);
    ck_assert_output(DROPPED_D1(106));

    clear_output();
    guest_console_flush(&doms[1]);
    ck_assert_output("");
}
END_TEST

Suite *unit_suite(void)
{
    Suite *s = suite_create("console_io");
    TCase *lines = tcase_create("lines");
    TCase *commands = tcase_create("commands");
    TCase *rate = tcase_create("rate_limit");

    tcase_add_checked_fixture(lines, setup, NULL);
    tcase_add_test(lines, test_line_from_pieces);
    tcase_add_test(lines, test_carriage_return_dropped);
    tcase_add_test(lines, test_lines_per_domain);
    tcase_add_test(lines, test_long_line_split);
    tcase_add_test(lines, test_flush);
    suite_add_tcase(s, lines);

    tcase_add_checked_fixture(commands, setup, NULL);
    tcase_add_test(commands, test_read_is_privileged);
    tcase_add_test(commands, test_unknown_command);
    tcase_add_test(commands, test_bad_pointer);
    suite_add_tcase(s, commands);

    tcase_add_checked_fixture(rate, setup, NULL);
    tcase_add_test(rate, test_rate_limit);
    tcase_add_test(rate, test_rate_limit_refill);
    tcase_add_test(rate, test_report_once_a_second);
    tcase_add_test(rate, test_dom0_unlimited);
    suite_add_tcase(s, rate);
    return s;
}
