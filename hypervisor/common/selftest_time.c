/**
 * @file
 * @brief Self-test of lab 3's timers: `selftest=timers`.
 *
 * Sets timers out of order, stops one and moves another, then waits for
 * the interrupts: they must fire in order of expiry, never early, and the
 * stopped one never. Under `-icount shift=0,sleep=off` what it prints is
 * the same on every run. Design page: docs/cpus-and-time.md.
 */
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <hospes/selftest.h>
#include <hospes/smp.h>
#include <hospes/timer.h>

/** Milliseconds from now at which each test timer is set. */
static const unsigned int delays_ms[] = { 30, 10, 50, 20, 20, 40, 60, 5 };
#define NR_TEST_TIMERS ARRAY_SIZE(delays_ms) /**< how many test timers */
#define STOPPED        2   /**< this one is stopped before it fires */
#define MOVED          6   /**< this one is moved from 60 to 25 ms */
#define MOVED_MS       25  /**< where MOVED is moved to */
#define GIVE_UP_MS     500 /**< all should have fired long before */

/** The state of the test. */
static struct {
    struct timer timers[NR_TEST_TIMERS]; /**< the timers */
    unsigned int order[NR_TEST_TIMERS];  /**< indexes, in firing order */
    s_time_t late[NR_TEST_TIMERS];       /**< how late each fired */
    unsigned int fired;                  /**< how many fired */
} tt;

/** A test timer's function: note which fired, and how late. */
static void timer_fired(void *data)
{
    unsigned int i = (unsigned long)data;

    tt.late[tt.fired] = NOW() - tt.timers[i].expires;
    tt.order[tt.fired++] = i;
}

/** Check the firing order and lateness. @return failures */
static int check_fired(unsigned int expected)
{
    s_time_t latest = 0;
    unsigned int n;
    int bad = 0;

    if (tt.fired != expected) {
        printk(LOG_ERR "timers check: %u fired, expected %u\n", tt.fired,
               expected);
        bad++;
    }
    for (n = 0; n < tt.fired; n++) {
        const struct timer *now = &tt.timers[tt.order[n]];

        if (tt.order[n] == STOPPED) {
            printk(LOG_ERR "timers check: the stopped timer fired\n");
            bad++;
        }
        if (tt.late[n] < 0) {
            printk(LOG_ERR "timers check: timer %u fired %ld ns early\n",
                   tt.order[n], -tt.late[n]);
            bad++;
        }
        if (n && now->expires < tt.timers[tt.order[n - 1]].expires) {
            printk(LOG_ERR "timers check: timer %u fired after a later one\n",
                   tt.order[n]);
            bad++;
        }
        latest = max(latest, tt.late[n]);
    }
    printk("timers check: %u fired in this order:", tt.fired);
    for (n = 0; n < tt.fired; n++)
        printk(" %u", tt.order[n]);
    printk("; latest by %ld ns\n", latest);
    return bad;
}

/** Have all the timers that should fire fired? */
static bool expected_fired(void)
{
    return tt.fired >= NR_TEST_TIMERS - 1;
}

/** Lab 3 exercise 3: timers fire in order, not early, and stop. */
static int selftest_timers(void)
{
    s_time_t start = NOW();
    unsigned int i;
    int bad;

    for (i = 0; i < NR_TEST_TIMERS; i++) {
        init_timer(&tt.timers[i], timer_fired, (void *)(unsigned long)i,
                   smp_processor_id());
        set_timer(&tt.timers[i], start + MILLISECS(delays_ms[i]));
    }
    stop_timer(&tt.timers[STOPPED]);
    set_timer(&tt.timers[MOVED], start + MILLISECS(MOVED_MS));
    dump_timers();

    selftest_wait(expected_fired, start + MILLISECS(GIVE_UP_MS));
    bad = check_fired(NR_TEST_TIMERS - 1);
    for (i = 0; i < NR_TEST_TIMERS; i++)
        kill_timer(&tt.timers[i]);
    return bad;
}
SELFTEST("timers", selftest_timers);
