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
#include <hospes/irq.h>
#include <hospes/lib.h>
#include <hospes/param.h>
#include <hospes/printk.h>
#include <hospes/selftest.h>
#include <hospes/shutdown.h>
#include <hospes/smp.h>
#include <hospes/softirq.h>
#include <hospes/timer.h>

/** `selftest=name[,name...]`: the tests to run, then power off. */
static char opt_selftest[128];
string_param("selftest", opt_selftest);

/** The first registered test, from the linker. */
extern const struct selftest __start_hospes_selftests[];
/** One past the last registered test. */
extern const struct selftest __stop_hospes_selftests[];

/** Does nothing: the deadline timer only has to wake the CPU. */
static void wake_up(void *unused)
{
    (void)unused;
}

void selftest_wait(bool (*done)(void), s_time_t deadline)
{
    struct timer guard;

    init_timer(&guard, wake_up, NULL, smp_processor_id());
    set_timer(&guard, deadline);
    while (!done() && NOW() < deadline) {
        wait_for_interrupt();
        do_softirq();
    }
    kill_timer(&guard);
}

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
