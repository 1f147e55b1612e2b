/*
 * test_param.c: unit tests of the command-line parser,
 * hypervisor/common/param.c (lab 1, exercise 4: parse_bool() and
 * parse_size_and_unit()).
 *
 * hv-sources: hypervisor/common/param.c
 *
 * The test registers options of its own, one or more of every kind, with
 * the real macros of hospes/param.h. They land in the section
 * hospes_params of this program, whose bounds the linker provides, and
 * cmdline_parse() finds them there as it finds the hypervisor's.
 */
#include "unit.h"

#include <limits.h>
#include <stdio.h>

#include <hospes/errno.h>
#include <hospes/param.h>
#include <hospes/printk.h>

/* -------------------------------------------------------------------------
 * The test's options, and their defaults (set before every test).
 */

#define COUNT_DEFAULT 7
#define MEM_DEFAULT   42
#define NAME_DEFAULT  "default"

static bool opt_flag;
boolean_param("flag", opt_flag);

/*
 * Both "reboot" and "noreboot" exist, as in Xen: "noreboot" is an option
 * of its own, not "reboot" negated (that is "no-reboot").
 */
static bool opt_reboot;
boolean_param("reboot", opt_reboot);
static bool opt_noreboot;
boolean_param("noreboot", opt_noreboot);

static unsigned long opt_count;
integer_param("count", opt_count);

static uint64_t opt_mem;
size_param("mem", opt_mem);

/* Room for 7 characters and the NUL. */
static char opt_name[8];
string_param("name", opt_name);

/* What the custom parser was given. */
static struct {
    unsigned int calls;
    char last[16];
} level;

/* A custom parser that knows two values. */
static int parse_level(const char *val)
{
    level.calls++;
    snprintf(level.last, sizeof(level.last), "%s", val);
    return strcmp(val, "low") && strcmp(val, "high") ? -EINVAL : 0;
}
custom_param("level", parse_level);

/* Before every test (CK_FORK=no runs them all in one process). */
static void reset_options(void)
{
    opt_flag = false;
    opt_reboot = true;
    opt_noreboot = false;
    opt_count = COUNT_DEFAULT;
    opt_mem = MEM_DEFAULT;
    strcpy(opt_name, NAME_DEFAULT);
    level.calls = 0;
    level.last[0] = '\0';
    printk_clear();
}

/* -------------------------------------------------------------------------
 * Helpers.
 */

/* Parse @p cmdline and check that every word was accepted, silently. */
static void parse_ok(const char *cmdline)
{
    unsigned int bad = cmdline_parse(cmdline);

    ck_assert_msg(bad == 0 && !*printk_output(),
                  "\"%s\": %u words rejected, printk said \"%s\"", cmdline, bad,
                  printk_output());
}

/*
 * Parse @p cmdline and check that @p nbad words were rejected and that
 * the warning @p warning was printed.
 */
static void parse_rejects(const char *cmdline, unsigned int nbad,
                          const char *warning)
{
    unsigned int bad = cmdline_parse(cmdline);

    ck_assert_msg(bad == nbad, "\"%s\": %u words rejected, expected %u",
                  cmdline, bad, nbad);
    ck_assert_printed(warning);
}

/* The warning for a value param_set() refused. */
static const char *refused(const char *why, const char *option,
                           const char *value)
{
    static char text[128];

    snprintf(text, sizeof(text),
             LOG_WARNING "cmdline: %s for option '%s': '%s'; keeping its "
                         "default",
             why, option, value);
    return text;
}

/*
 * Check that each `option=value` of @p values is refused as malformed,
 * with a warning that names the option and the value.
 */
static void expect_malformed(const char *option, const char *const *values,
                             size_t n)
{
    char word[64];

    for (size_t i = 0; i < n; i++) {
        printk_clear();
        snprintf(word, sizeof(word), "%s=%s", option, values[i]);
        parse_rejects(word, 1, refused("malformed value", option, values[i]));
    }
}

/* -------------------------------------------------------------------------
 * Booleans.
 */

START_TEST(test_bool_bare_name_sets)
{
    parse_ok("flag");
    ck_assert(opt_flag);
}
END_TEST

START_TEST(test_bool_values)
{
    static const struct {
        const char *cmdline;
        bool want;
    } cases[] = {
        { "flag=1", true },      { "flag=0", false },
        { "flag=yes", true },    { "flag=no", false },
        { "flag=on", true },     { "flag=off", false },
        { "flag=true", true },   { "flag=false", false },
        { "flag=enable", true }, { "flag=disable", false },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        opt_flag = !cases[i].want;
        parse_ok(cases[i].cmdline);
        ck_assert_msg(opt_flag == cases[i].want, "\"%s\" left flag at %d",
                      cases[i].cmdline, opt_flag);
    }
}
END_TEST

START_TEST(test_bool_no_prefix_clears)
{
    opt_flag = true;
    parse_ok("no-flag");
    ck_assert(!opt_flag);
}
END_TEST

START_TEST(test_option_names_starting_with_no)
{
    parse_ok("noreboot");
    ck_assert(opt_noreboot);
    ck_assert(opt_reboot);

    parse_ok("no-noreboot");
    ck_assert(!opt_noreboot);
    ck_assert(opt_reboot);

    parse_ok("no-reboot");
    ck_assert(!opt_reboot);
}
END_TEST

START_TEST(test_bool_malformed)
{
    static const char *const bad[] = { "maybe", "", "2", "yess", "of" };

    expect_malformed("flag", bad, ARRAY_SIZE(bad));
    ck_assert(!opt_flag);
}
END_TEST

/* "no-flag=1" is a riddle: refused, and the value is left alone. */
START_TEST(test_bool_negated_with_value)
{
    opt_flag = true;
    parse_rejects("no-flag=0", 1, refused("malformed value", "flag", "0"));
    ck_assert(opt_flag);
}
END_TEST

/* Only booleans can be negated or stand alone. */
START_TEST(test_non_bool_without_value)
{
    parse_rejects("no-count=5", 1, refused("malformed value", "count", "5"));
    printk_clear();
    parse_rejects("count", 1, refused("malformed value", "count", ""));
    ck_assert_uint_eq(opt_count, COUNT_DEFAULT);
}
END_TEST

START_TEST(test_parse_bool_words)
{
    static const char *const yes[] = { "1", "yes", "on", "true", "enable" };
    static const char *const no[] = { "0", "no", "off", "false", "disable" };
    static const char *const neither[] = { "",  "2",       "yess",  "of",
                                           "y", "enabled", "true ", "-1" };

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
        ck_assert_msg(parse_bool(yes[i]) == 1, "parse_bool(\"%s\") = %d",
                      yes[i], parse_bool(yes[i]));
    for (size_t i = 0; i < ARRAY_SIZE(no); i++)
        ck_assert_msg(parse_bool(no[i]) == 0, "parse_bool(\"%s\") = %d", no[i],
                      parse_bool(no[i]));
    for (size_t i = 0; i < ARRAY_SIZE(neither); i++)
        ck_assert_msg(parse_bool(neither[i]) == -EINVAL,
                      "parse_bool(\"%s\") = %d, expected -EINVAL", neither[i],
                      parse_bool(neither[i]));
}
END_TEST

/* -------------------------------------------------------------------------
 * Integers.
 */

START_TEST(test_integer_values)
{
    static const struct {
        const char *cmdline;
        unsigned long want;
    } cases[] = {
        { "count=0", 0 },
        { "count=123", 123 },
        { "count=0x1f", 0x1f },
        { "count=0XfF", 0xff },
        { "count=08", 8 }, /* decimal: no octal on a command line */
        { "count=18446744073709551615", ULONG_MAX },
        { "count=0xffffffffffffffff", ULONG_MAX },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        parse_ok(cases[i].cmdline);
        ck_assert_msg(opt_count == cases[i].want, "\"%s\" gave %lu",
                      cases[i].cmdline, opt_count);
    }
}
END_TEST

START_TEST(test_integer_overflow_saturates)
{
    static const char *const huge[] = { "count=18446744073709551616",
                                        "count=0x10000000000000000",
                                        "count=99999999999999999999999999" };

    for (size_t i = 0; i < ARRAY_SIZE(huge); i++) {
        opt_count = COUNT_DEFAULT;
        parse_ok(huge[i]);
        ck_assert_msg(opt_count == ULONG_MAX, "\"%s\" gave %lu", huge[i],
                      opt_count);
    }
}
END_TEST

START_TEST(test_integer_malformed)
{
    static const char *const bad[] = { "", "12abc", "-1", "0x", "x1", "1.5" };

    expect_malformed("count", bad, ARRAY_SIZE(bad));
    ck_assert_uint_eq(opt_count, COUNT_DEFAULT);
}
END_TEST

/* -------------------------------------------------------------------------
 * Sizes.
 */

/* A command line and the value of `mem` it must give. */
struct size_case {
    const char *cmdline;
    uint64_t want;
};

/* Parse each case and check the value it gives. */
static void check_sizes(const struct size_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        parse_ok(cases[i].cmdline);
        ck_assert_msg(opt_mem == cases[i].want, "\"%s\" gave %llu",
                      cases[i].cmdline, (unsigned long long)opt_mem);
    }
}

START_TEST(test_size_units)
{
    static const struct size_case cases[] = {
        { "mem=1B", 1 },
        { "mem=1b", 1 },
        { "mem=2K", 2ULL << 10 },
        { "mem=2k", 2ULL << 10 },
        { "mem=3M", 3ULL << 20 },
        { "mem=3m", 3ULL << 20 },
        { "mem=4G", 4ULL << 30 },
        { "mem=4g", 4ULL << 30 },
        { "mem=5T", 5ULL << 40 },
        { "mem=5t", 5ULL << 40 },
        { "mem=6", 6ULL << 10 }, /* no unit: KiB, as in Xen */
        { "mem=0", 0 },
        { "mem=0x10M", 16ULL << 20 },
        { "mem=512M", 512ULL << 20 },
    };

    check_sizes(cases, ARRAY_SIZE(cases));
}
END_TEST

START_TEST(test_size_overflow_saturates)
{
    static const struct size_case cases[] = {
        { "mem=16777215T", 16777215ULL << 40 }, /* the largest that fits */
        { "mem=16777216T", UINT64_MAX },        /* 2^64 */
        { "mem=17179869184G", UINT64_MAX },
        { "mem=18014398509481984", UINT64_MAX }, /* KiB */
        { "mem=18446744073709551615B", UINT64_MAX },
        { "mem=99999999999999999999999B", UINT64_MAX },
    };

    check_sizes(cases, ARRAY_SIZE(cases));
}
END_TEST

START_TEST(test_size_malformed)
{
    static const char *const bad[] = { "", "M", "12X", "1MB", "-1M", "1.5G" };

    expect_malformed("mem", bad, ARRAY_SIZE(bad));
    ck_assert_uint_eq(opt_mem, MEM_DEFAULT);
}
END_TEST

/* parse_size_and_unit() stops after the unit and says where. */
START_TEST(test_parse_size_and_unit_end)
{
    static const struct {
        const char *text;
        uint64_t want;
        size_t used; /* characters consumed */
    } cases[] = {
        { "512Mrest", 512ULL << 20, 4 },
        { "64", 64ULL << 10, 2 },
        { "0x20k,", 32ULL << 10, 5 },
        { "7 G", 7ULL << 10, 1 },
        { "xyz", 0, 0 },
        { "", 0, 0 },
    };
    const char *end;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t got = parse_size_and_unit(cases[i].text, &end);

        ck_assert_msg(
            got == cases[i].want && end == cases[i].text + cases[i].used,
            "\"%s\": got %llu using %td characters, expected %llu using %zu",
            cases[i].text, (unsigned long long)got, end - cases[i].text,
            (unsigned long long)cases[i].want, cases[i].used);
    }
}
END_TEST

/* -------------------------------------------------------------------------
 * Strings and custom options.
 */

START_TEST(test_string_values)
{
    parse_ok("name=hospes");
    ck_assert_str_eq(opt_name, "hospes");
    parse_ok("name=1234567"); /* exactly fills the buffer */
    ck_assert_str_eq(opt_name, "1234567");
    parse_ok("name=a=b"); /* the value runs from the first '=' */
    ck_assert_str_eq(opt_name, "a=b");
    parse_ok("name=");
    ck_assert_str_eq(opt_name, "");
}
END_TEST

START_TEST(test_string_too_long)
{
    parse_rejects("name=12345678", 1,
                  refused("value too long", "name", "12345678"));
    ck_assert_str_eq(opt_name, NAME_DEFAULT);
    printk_clear();
    parse_rejects("name", 1, refused("malformed value", "name", ""));
    ck_assert_str_eq(opt_name, NAME_DEFAULT);
}
END_TEST

START_TEST(test_custom_accepts)
{
    parse_ok("level=high");
    ck_assert_uint_eq(level.calls, 1);
    ck_assert_str_eq(level.last, "high");
}
END_TEST

START_TEST(test_custom_rejects)
{
    parse_rejects("level=bogus", 1,
                  refused("malformed value", "level", "bogus"));
    ck_assert_uint_eq(level.calls, 1);

    /* Without a value the parser is not even called: it gets no NULL. */
    printk_clear();
    parse_rejects("level", 1, refused("malformed value", "level", ""));
    ck_assert_uint_eq(level.calls, 1);
}
END_TEST

/* -------------------------------------------------------------------------
 * The command line as a whole.
 */

START_TEST(test_unknown_options)
{
    parse_rejects("bogus", 1,
                  LOG_WARNING "cmdline: unknown option 'bogus', ignored");
    printk_clear();
    parse_rejects("bogus=3", 1,
                  LOG_WARNING "cmdline: unknown option 'bogus', ignored");
    printk_clear();
    parse_rejects("no-bogus", 1,
                  LOG_WARNING "cmdline: unknown option 'no-bogus', ignored");
}
END_TEST

/* A bad word is skipped; the words around it still count. */
START_TEST(test_parsing_goes_on_after_errors)
{
    parse_rejects("bogus flag count=12abc mem=2M name=x", 2,
                  LOG_WARNING "cmdline: unknown option 'bogus', ignored");
    ck_assert_printed(refused("malformed value", "count", "12abc"));
    ck_assert(opt_flag);
    ck_assert_uint_eq(opt_count, COUNT_DEFAULT);
    ck_assert_uint_eq(opt_mem, 2ULL << 20);
    ck_assert_str_eq(opt_name, "x");
}
END_TEST

START_TEST(test_empty_command_line)
{
    parse_ok("");
    parse_ok("    ");
    ck_assert(!opt_flag);
    ck_assert_uint_eq(opt_count, COUNT_DEFAULT);
    ck_assert_uint_eq(opt_mem, MEM_DEFAULT);
    ck_assert_str_eq(opt_name, NAME_DEFAULT);
}
END_TEST

START_TEST(test_multiple_spaces)
{
    parse_ok("   flag    count=3  mem=1M      name=spaced   ");
    ck_assert(opt_flag);
    ck_assert_uint_eq(opt_count, 3);
    ck_assert_uint_eq(opt_mem, 1ULL << 20);
    ck_assert_str_eq(opt_name, "spaced");
}
END_TEST

START_TEST(test_last_word_wins)
{
    parse_ok("count=1 count=2 flag no-flag");
    ck_assert_uint_eq(opt_count, 2);
    ck_assert(!opt_flag);
}
END_TEST

/*
 * Words of up to 255 characters are parsed; longer ones are refused whole
 * with a warning, and the next word is still parsed.
 */
START_TEST(test_very_long_word)
{
    char cmdline[400];
    int len;

    /* "count=" and leading zeros: 255 characters, value 5. */
    len = snprintf(cmdline, sizeof(cmdline), "count=%0249d", 5);
    ck_assert_int_eq(len, 255);
    parse_ok(cmdline);
    ck_assert_uint_eq(opt_count, 5);

    /* One more zero: too long; "mem=3K" after it still counts. */
    snprintf(cmdline, sizeof(cmdline), "count=%0250d mem=3K", 6);
    parse_rejects(cmdline, 1,
                  LOG_WARNING "cmdline: a word of 256 characters is too long "
                              "(at most 255), ignored");
    ck_assert_uint_eq(opt_count, 5);
    ck_assert_uint_eq(opt_mem, 3ULL << 10);
}
END_TEST

/* param_dump() shows every kind of option. */
START_TEST(test_param_dump)
{
    param_dump();
    ck_assert_printed(LOG_DEBUG "option flag = no\n");
    ck_assert_printed(LOG_DEBUG "option reboot = yes\n");
    ck_assert_printed(LOG_DEBUG "option count = 7\n");
    ck_assert_printed(LOG_DEBUG "option mem = 42 bytes\n");
    ck_assert_printed(LOG_DEBUG "option name = 'default'\n");
    ck_assert_printed(LOG_DEBUG "option level (parsed by a function)\n");
}
END_TEST

Suite *unit_suite(void)
{
    Suite *s = suite_create("param");
    TCase *kinds = tcase_create("kinds");
    TCase *cmdline = tcase_create("cmdline");

    tcase_add_checked_fixture(kinds, reset_options, NULL);
    tcase_add_test(kinds, test_bool_bare_name_sets);
    tcase_add_test(kinds, test_bool_values);
    tcase_add_test(kinds, test_bool_no_prefix_clears);
    tcase_add_test(kinds, test_option_names_starting_with_no);
    tcase_add_test(kinds, test_bool_malformed);
    tcase_add_test(kinds, test_bool_negated_with_value);
    tcase_add_test(kinds, test_non_bool_without_value);
    tcase_add_test(kinds, test_parse_bool_words);
    tcase_add_test(kinds, test_integer_values);
    tcase_add_test(kinds, test_integer_overflow_saturates);
    tcase_add_test(kinds, test_integer_malformed);
    tcase_add_test(kinds, test_size_units);
    tcase_add_test(kinds, test_size_overflow_saturates);
    tcase_add_test(kinds, test_size_malformed);
    tcase_add_test(kinds, test_parse_size_and_unit_end);
    tcase_add_test(kinds, test_string_values);
    tcase_add_test(kinds, test_string_too_long);
    tcase_add_test(kinds, test_custom_accepts);
    tcase_add_test(kinds, test_custom_rejects);
    suite_add_tcase(s, kinds);

    tcase_add_checked_fixture(cmdline, reset_options, NULL);
    tcase_add_test(cmdline, test_unknown_options);
    tcase_add_test(cmdline, test_parsing_goes_on_after_errors);
    tcase_add_test(cmdline, test_empty_command_line);
    tcase_add_test(cmdline, test_multiple_spaces);
    tcase_add_test(cmdline, test_last_word_wins);
    tcase_add_test(cmdline, test_very_long_word);
    tcase_add_test(cmdline, test_param_dump);
    suite_add_tcase(s, cmdline);
    return s;
}
