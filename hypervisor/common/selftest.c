/**
 * @file
 * @brief The self-test runner: `selftest=name[,name...]` runs the named
 *        tests, then powers off with the verdict (see hospes/selftest.h).
 *
 * Tests register themselves with SELFTEST() in the file of what they
 * test, so each lab adds its tests without touching this file. The table
 * is the `hospes_selftests` section, like the options' table (param.c).
 * Design page: docs/grading.md.
 */
#include <hospes/lib.h>
#include <hospes/param.h>
#include <hospes/printk.h>
#include <hospes/selftest.h>
#include <hospes/shutdown.h>

/** `selftest=name[,name...]`: the tests to run, then power off. */
static char opt_selftest[128];
string_param("selftest", opt_selftest);

/** The first registered test, from the linker. */
extern const struct selftest __start_hospes_selftests[];
/** One past the last registered test. */
extern const struct selftest __stop_hospes_selftests[];

/** Run the test called @p name. @return the number of failed checks. */
static int run_one(const char *name)
{
    const struct selftest *t;
    int bad;

    for (t = __start_hospes_selftests; t < __stop_hospes_selftests; t++) {
        if (strcmp(t->name, name))
            continue;
        bad = t->run();
        printk("selftest %s: %s\n", name, bad ? "FAILED" : "passed");
        return bad;
    }
    printk(LOG_ERR "selftest %s: no such test\n", name);
    return 1;
}

void selftest_run(void)
{
    char *name = opt_selftest, *comma;
    unsigned int failed = 0;

    if (!*name)
        return;
    for (; name; name = comma) {
        comma = strchr(name, ',');
        if (comma)
            *comma++ = '\0';
        if (*name)
            failed += run_one(name) != 0;
    }
    printk("selftest: %s\n", failed ? "some FAILED" : "all passed");
    machine_shutdown(failed ? SHUTDOWN_FAILURE : SHUTDOWN_SUCCESS);
}
