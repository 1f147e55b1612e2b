/*
 * test_timer.c: unit tests of timers, hypervisor/common/timer.c (lab 3,
 * exercise 3: add_entry()), and of the softirqs that fire them,
 * hypervisor/common/softirq.c, on the fake clock of fake_time.c.
 *
 * hv-sources: hypervisor/common/timer.c hypervisor/common/softirq.c
 * hv-sources: hypervisor/common/spinlock.c
 * host-sources: tests/unit/fake_time.c tests/unit/fake_cpu.c
 *
 * The test keeps its own account of every timer: whether it is set, for
 * when, when it was set, and on which CPU. That account is the oracle,
 * for the CPU the test plays (CPU 0, or CPU 1 in the tests of timers that
 * move):
 *
 * - the timer that fires must be the one of this CPU due first: the
 *   earliest expiry, and among equal expiries the one set first; it must
 *   be set, due (never early), and on this CPU;
 * - after the clock moves and the softirqs run, no set timer of this CPU
 *   is overdue (never late);
 * - after every operation, the deadline the timer code programmed is the
 *   expiry of this CPU's first set timer, or 0 if it has none.
 *
 * The clock moves only when the test moves it, in steps; the fake timer
 * interrupt then raises TIMER_SOFTIRQ if the programmed deadline has
 * come, and the test runs do_softirq() as the idle loop does.
 *
 * fake_time.c has one timer interrupt, and each CPU's timer code programs
 * its own: so the fake interrupt stands for the interrupt of the CPU the
 * test plays. A test that moves timers to CPU 1 plays it (play_cpu()) to
 * see them fire, and the CPU it switches to takes the interrupt over by
 * running its TIMER softirq, which programs it for that CPU's first
 * timer. The other CPU's interrupt is then not modelled: its timers fire
 * when the test plays it again.
 */
#include "unit.h"

#include <stdio.h>

#include <hospes/lib.h>
#include <hospes/printk.h>
#include <hospes/smp.h>
#include <hospes/softirq.h>
#include <hospes/timer.h>

#include "fake_cpu.h"
#include "fake_time.h"

/** The clock at the start of every test: well after 0, which means "no
 * deadline" to reprogram_timer(). */
#define START SECONDS(1)

/** Timers in the test's pool: the random tests use them all. */
#define NR_TIMERS 1000

/** The CPUs the tests play: 0, and 1 for the timers that move. */
#define NR_TEST_CPUS 2

/** A timer of the test, with the test's account of it. */
struct test_timer {
    struct timer timer;
    unsigned int id;      /**< its index in the pool */
    unsigned int cpu;     /**< the CPU whose queue it is on */
    bool set;             /**< set and not yet fired, stopped or killed */
    s_time_t expires;     /**< when it was last set for */
    unsigned long serial; /**< when it was last set: set_timer() calls */
    unsigned int fired;   /**< how many times it fired */
    s_time_t period;      /**< if not 0, it sets itself again, this later */
    bool raise_schedule;  /**< when it fires, it raises SCHEDULE_SOFTIRQ */
};

/** The state of a test. */
static struct {
    struct test_timer t[NR_TIMERS];
    unsigned long serials;      /**< set_timer() calls so far */
    unsigned int fired;         /**< timers fired so far, all of them */
    bool in_softirq;            /**< do_softirq() is running */
    unsigned int schedule_runs; /**< calls of the SCHEDULE_SOFTIRQ handler */
    unsigned int schedule_more; /**< times it raises itself again */
    char trace[64];             /**< handlers run: T timer fired, S schedule */
} tc;

/* -------------------------------------------------------------------------
 * The test's side of the timers.
 */

/** Note handler @p what ran, if the trace has room (tests that read it
 * run few handlers). */
static void trace(char what)
{
    size_t len = strlen(tc.trace);

    if (len < sizeof(tc.trace) - 1)
        tc.trace[len] = what;
}

/** The set timer of the CPU the test plays due first by the test's
 * account, or NULL if none. */
static struct test_timer *first_set(void)
{
    struct test_timer *first = NULL;
    unsigned int i;

    for (i = 0; i < NR_TIMERS; i++) {
        struct test_timer *t = &tc.t[i];

        if (t->set && t->cpu == smp_processor_id() &&
            (!first || t->expires < first->expires ||
             (t->expires == first->expires && t->serial < first->serial)))
            first = t;
    }
    return first;
}

/** Assert that the timer interrupt is set for the first set timer. */
static void check_deadline(void)
{
    const struct test_timer *first = first_set();

    unit_assert(fake_time_deadline() == (first ? first->expires : 0),
                "the timer interrupt is set for %ld ns, but %s %ld ns",
                fake_time_deadline(),
                first ? "the first timer expires at" : "no timer is set: want",
                first ? first->expires : 0);
}

/** Assert that no set timer is overdue: each fired when its time came. */
static void check_none_overdue(void)
{
    const struct test_timer *first = first_set();

    unit_assert(!first || first->expires > NOW(),
                "at %ld ns, timer %u (due at %ld ns) has not fired", NOW(),
                first ? first->id : 0, first ? first->expires : 0);
}

/** set_timer(@p t, @p expires), and note it. */
static void do_set(struct test_timer *t, s_time_t expires)
{
    set_timer(&t->timer, expires);
    t->set = true;
    t->expires = expires;
    t->serial = tc.serials++;
    if (!tc.in_softirq) /* the softirq reprograms when it is done */
        check_deadline();
}

/** stop_timer(@p t), and note it. */
static void do_stop(struct test_timer *t)
{
    stop_timer(&t->timer);
    t->set = false;
    check_deadline();
}

/** migrate_timer(@p t, @p cpu), and note it. */
static void do_migrate(struct test_timer *t, unsigned int cpu)
{
    migrate_timer(&t->timer, cpu);
    /* A set timer that moves is queued on its new CPU as if set again,
     * behind those of equal expiry; one that stays is not touched. */
    if (t->set && t->cpu != cpu)
        t->serial = tc.serials++;
    t->cpu = cpu;
    check_deadline();
}

/** kill_timer(@p t), and note it. */
static void do_kill(struct test_timer *t)
{
    kill_timer(&t->timer);
    t->set = false;
    check_deadline();
}

/** The function of every test timer: check it is its turn, note it. */
static void timer_fired(void *data)
{
    struct test_timer *t = data;
    const struct test_timer *first = first_set();

    unit_assert(t->cpu == smp_processor_id(),
                "timer %u of CPU %u fired on CPU %u", t->id, t->cpu,
                smp_processor_id());
    unit_assert(t->set,
                "timer %u fired, but it is not set (stopped, or "
                "fired already)",
                t->id);
    unit_assert(NOW() >= t->expires, "timer %u fired %ld ns early", t->id,
                t->expires - NOW());
    unit_assert(first == t,
                "timer %u (expires %ld, set %lu) fired before timer %u "
                "(expires %ld, set %lu)",
                t->id, t->expires, t->serial, first->id, first->expires,
                first->serial);
    t->set = false;
    t->fired++;
    tc.fired++;
    trace('T');
    if (t->period)
        do_set(t, t->expires + t->period);
    if (t->raise_schedule)
        raise_softirq(SCHEDULE_SOFTIRQ);
}

/** The test's SCHEDULE_SOFTIRQ handler: count, and raise itself again if
 * asked to. */
static void schedule_softirq(void)
{
    tc.schedule_runs++;
    trace('S');
    if (tc.schedule_more) {
        tc.schedule_more--;
        raise_softirq(SCHEDULE_SOFTIRQ);
    }
}

/** Run the softirqs, as the idle loop does after an interrupt. */
static void run_softirqs(void)
{
    tc.in_softirq = true;
    do_softirq();
    tc.in_softirq = false;
    check_none_overdue();
    check_deadline();
}

/** Move the clock to @p now, and run the softirqs. */
static void run_to(s_time_t now)
{
    fake_time_set(now);
    run_softirqs();
}

/**
 * Play CPU @p cpu from now on. It takes the one fake timer interrupt
 * over (see the file's comment): its TIMER softirq runs, firing what of
 * its own is due, and programs the interrupt for its first timer.
 */
static void play_cpu(unsigned int cpu)
{
    fake_cpu_set(cpu);
    raise_softirq(TIMER_SOFTIRQ);
    run_softirqs();
}

/**
 * Is a softirq pending on CPU @p cpu? (In the tests that ask, only the
 * timer code raises one there: TIMER_SOFTIRQ.) The test plays the CPU for
 * a moment to look, and changes nothing there.
 */
static bool pending_on(unsigned int cpu)
{
    unsigned int me = smp_processor_id();
    bool pending;

    fake_cpu_set(cpu);
    pending = softirq_pending();
    fake_cpu_set(me);
    return pending;
}

/** Move the clock in random steps of 1 to @p max_step ns until every
 * set timer has fired. */
static void run_all(unsigned long *seed, s_time_t max_step)
{
    while (first_set())
        run_to(NOW() + 1 + (s_time_t)(unit_random(seed) % max_step));
}

/** Timer @p i of the pool. */
static struct test_timer *pool(unsigned int i)
{
    return &tc.t[i];
}

/** Shuffle the @p n numbers at @p a (Fisher-Yates). */
static void shuffle(unsigned int *a, unsigned int n, unsigned long *seed)
{
    unsigned int i;

    for (i = n - 1; i > 0; i--) {
        unsigned int j = unit_random(seed) % (i + 1), tmp = a[i];

        a[i] = a[j];
        a[j] = tmp;
    }
}

/**
 * A random time on one of the @p spread whole microseconds after START:
 * with 1000 timers on 100 of them, ten or so share each.
 */
static s_time_t random_time(unsigned long *seed, unsigned int spread)
{
    return START + MICROSECS(1 + unit_random(seed) % spread);
}

/** Set every timer of the pool once, in an order @p seed picks, at
 * random_time(@p seed, @p spread). */
static void set_all(unsigned long *seed, unsigned int spread)
{
    static unsigned int order[NR_TIMERS];
    unsigned int i;

    for (i = 0; i < NR_TIMERS; i++)
        order[i] = i;
    shuffle(order, NR_TIMERS, seed);
    for (i = 0; i < NR_TIMERS; i++)
        do_set(pool(order[i]), random_time(seed, spread));
}

static void setup(void)
{
    /* Once per process: with CK_FORK=no the tests share one. */
    static bool opened;
    unsigned int i;

    if (!opened) {
        timer_init();
        open_softirq(SCHEDULE_SOFTIRQ, schedule_softirq);
        opened = true;
    }
    memset(&tc, 0, sizeof(tc));
    for (i = 0; i < NR_TIMERS; i++) {
        tc.t[i].id = i;
        tc.t[i].cpu = smp_processor_id();
        init_timer(&tc.t[i].timer, timer_fired, &tc.t[i], smp_processor_id());
    }
    fake_time_reset(START);
    printk_clear();
}

/** Leave no timer queued for the next test (with CK_FORK=no), no
 * softirq pending on the CPUs the tests play, and the test on CPU 0. */
static void teardown(void)
{
    unsigned int i;

    for (i = 0; i < NR_TIMERS; i++)
        stop_timer(&tc.t[i].timer);
    for (i = NR_TEST_CPUS; i-- > 0;) {
        fake_cpu_set(i);
        do_softirq();
    }
}

/* -------------------------------------------------------------------------
 * Order.
 */

/* 1000 timers at random times, many equal, set in random order, then 300
 * of them moved: they fire in order of expiry, equal ones in the order
 * they were set, each once, never early or late. Seeds 1, 2, 3. */
START_TEST(test_fire_in_expiry_order)
{
    unsigned long seed = 1 + _i;
    unsigned int i;

    set_all(&seed, 100);
    for (i = 0; i < 300; i++)
        do_set(pool(unit_random(&seed) % NR_TIMERS), random_time(&seed, 100));
    run_all(&seed, 2000);
    for (i = 0; i < NR_TIMERS; i++)
        unit_assert(pool(i)->fired == 1, "timer %u fired %u times", i,
                    pool(i)->fired);
}
END_TEST

/* 5000 random operations on 1000 timers while the clock moves: set or
 * move one (on whole microseconds, so often equal, at times in the past),
 * stop one, or move the clock. The account holds after each. Seeds 4, 5,
 * 6. */
START_TEST(test_random_operations)
{
    unsigned long seed = 4 + _i;
    unsigned int i;

    for (i = 0; i < 5000; i++) {
        struct test_timer *t = pool(unit_random(&seed) % NR_TIMERS);
        unsigned int op = unit_random(&seed) % 10;
        s_time_t us = NOW() / MICROSECS(1);

        if (op < 6)
            do_set(t, MICROSECS(us + unit_random(&seed) % 50));
        else if (op < 8)
            do_stop(t);
        else
            run_to(NOW() + 1 + (s_time_t)(unit_random(&seed) % 3000));
    }
    run_all(&seed, 3000);
}
END_TEST

/* 1000 timers on the same nanosecond fire together, in the order they
 * were set; one set again goes behind the others. */
START_TEST(test_equal_expiries_fire_in_set_order)
{
    unsigned long seed = 7;
    unsigned int i;

    set_all(&seed, 1);
    for (i = 0; i < 100; i++)
        do_set(pool(unit_random(&seed) % NR_TIMERS), START + MICROSECS(1));
    run_to(START + MICROSECS(1) - 1);
    ck_assert_uint_eq(tc.fired, 0);
    run_to(START + MICROSECS(1));
    ck_assert_uint_eq(tc.fired, NR_TIMERS);
}
END_TEST

/* A timer fires on its nanosecond, not one before; one set in the past
 * fires at the next softirq without the clock moving. */
START_TEST(test_never_early)
{
    do_set(pool(0), START + 1000);
    do_set(pool(1), START + 1001);
    run_to(START + 999);
    ck_assert_uint_eq(tc.fired, 0);
    run_to(START + 1000);
    ck_assert_uint_eq(pool(0)->fired, 1);
    ck_assert_uint_eq(pool(1)->fired, 0);
    run_to(START + 1001);
    ck_assert_uint_eq(pool(1)->fired, 1);

    do_set(pool(2), START + 500);
    run_softirqs();
    ck_assert_uint_eq(pool(2)->fired, 1);
}
END_TEST

/* dump_timers() lists the queue, first first. */
START_TEST(test_dump_lists_in_order)
{
    char want[3][32];
    const char *at[3];
    unsigned int i;

    do_set(pool(0), START + 300);
    do_set(pool(1), START + 100);
    do_set(pool(2), START + 200);
    dump_timers();
    for (i = 0; i < 3; i++) {
        snprintf(want[i], sizeof(want[i]), "(%p)", (void *)pool(i));
        at[i] = strstr(printk_output(), want[i]);
        ck_assert_msg(at[i], "timer %u missing: %s", i, printk_output());
    }
    ck_assert_printed("in 100 ns:");
    ck_assert_msg(at[1] < at[2] && at[2] < at[0], "out of order: %s",
                  printk_output());
}
END_TEST

/* -------------------------------------------------------------------------
 * Stopping and moving.
 */

/* Stopping a later timer leaves the deadline; stopping the first moves it
 * to the next, and to none after the last; stopping twice is harmless. */
START_TEST(test_stop_reprograms)
{
    do_set(pool(0), START + 100);
    do_set(pool(1), START + 200);
    do_set(pool(2), START + 300);
    do_stop(pool(1)); /* check_deadline(): still 100 */
    do_stop(pool(0)); /* now 300 */
    ck_assert_int_eq(fake_time_deadline(), START + 300);
    do_stop(pool(2));
    ck_assert_int_eq(fake_time_deadline(), 0);
    do_stop(pool(2));
    run_to(START + 1000);
    ck_assert_uint_eq(tc.fired, 0);
}
END_TEST

/* Of 1000 random timers, the 500 stopped never fire, the others do. */
START_TEST(test_stopped_never_fire)
{
    unsigned long seed = 11;
    unsigned int i, left = NR_TIMERS;

    set_all(&seed, 100);
    for (i = 0; i < 500; i++) {
        struct test_timer *t = pool(unit_random(&seed) % NR_TIMERS);

        left -= t->set;
        do_stop(t);
    }
    run_all(&seed, 2000);
    ck_assert_uint_eq(tc.fired, left);
}
END_TEST

/* set_timer() on a set timer moves it: earlier, to the front, later,
 * behind an equal one, and the first one later behind the others. It
 * fires once, at its new time. */
START_TEST(test_set_again_moves)
{
    do_set(pool(0), START + 100);
    do_set(pool(1), START + 200);
    do_set(pool(2), START + 300);
    do_set(pool(2), START + 50);  /* to the front */
    do_set(pool(2), START + 200); /* behind timer 1 */
    do_set(pool(0), START + 400); /* the first, behind them all */
    ck_assert_int_eq(fake_time_deadline(), START + 200);
    run_to(START + 399);
    ck_assert_uint_eq(pool(0)->fired, 0);
    run_to(START + 400);
    ck_assert_uint_eq(tc.fired, 3);
    ck_assert_uint_eq(pool(0)->fired, 1);
}
END_TEST

/* -------------------------------------------------------------------------
 * Timers that set themselves, and killed timers.
 */

/* A timer that sets itself again one period on fires once a period; after
 * a jump of five periods it fires five times in one softirq, catching up;
 * stopped, it fires no more. */
START_TEST(test_periodic)
{
    const s_time_t period = MICROSECS(10);
    struct test_timer *t = pool(0);
    s_time_t now = START;
    unsigned int i;

    t->period = period;
    do_set(t, START + period);
    do_set(pool(1), START + 3 * period + 1); /* fires between two periods */
    for (i = 0; i < 40; i++) {               /* ten periods */
        now += period / 4;
        run_to(now);
    }
    ck_assert_uint_eq(t->fired, 10);
    ck_assert_uint_eq(pool(1)->fired, 1);

    run_to(now + 5 * period);
    ck_assert_uint_eq(t->fired, 15);
    do_stop(t);
    run_to(now + 10 * period);
    ck_assert_uint_eq(t->fired, 15);
}
END_TEST

/* A killed timer is out of the queue for good: setting it again is a bug. */
START_TEST(test_kill_then_set_is_a_bug)
{
    do_set(pool(0), START + 100);
    do_set(pool(1), START + 200);
    do_kill(pool(0));
    ck_assert_int_eq(fake_time_deadline(), START + 200);
    ck_assert_panics(set_timer(&pool(0)->timer, START + 300));
    ck_assert_printed("Panic: BUG at");

    do_kill(pool(2)); /* never set */
    ck_assert_panics(set_timer(&pool(2)->timer, START + 300));
    run_to(START + 1000);
    ck_assert_uint_eq(tc.fired, 1);
    ck_assert_uint_eq(pool(0)->fired, 0);
}
END_TEST

/* A timer can only be for a CPU that may exist. */
START_TEST(test_init_on_no_cpu_is_a_bug)
{
    struct timer t;

    ck_assert_panics(init_timer(&t, timer_fired, NULL, NR_CPUS));
}
END_TEST

/* -------------------------------------------------------------------------
 * Softirqs.
 */

/* A raised softirq runs once, at the next do_softirq(), not again; raised
 * twice before then, it still runs once (pending is a flag, not a
 * count). */
START_TEST(test_softirq_runs_once_per_raise)
{
    run_softirqs();
    ck_assert_uint_eq(tc.schedule_runs, 0);
    raise_softirq(SCHEDULE_SOFTIRQ);
    ck_assert_uint_eq(tc.schedule_runs, 0);
    run_softirqs();
    ck_assert_uint_eq(tc.schedule_runs, 1);
    run_softirqs();
    ck_assert_uint_eq(tc.schedule_runs, 1);
    raise_softirq(SCHEDULE_SOFTIRQ);
    raise_softirq(SCHEDULE_SOFTIRQ);
    run_softirqs();
    ck_assert_uint_eq(tc.schedule_runs, 2);
}
END_TEST

/* A softirq raised by a handler runs in the same do_softirq(): a handler
 * raising itself, and a timer raising another softirq. */
START_TEST(test_softirq_raised_in_handler)
{
    tc.schedule_more = 3;
    raise_softirq(SCHEDULE_SOFTIRQ);
    run_softirqs();
    ck_assert_uint_eq(tc.schedule_runs, 4);

    pool(0)->raise_schedule = true;
    do_set(pool(0), START + 100);
    run_to(START + 100);
    ck_assert_str_eq(tc.trace, "SSSSTS");
}
END_TEST

/* The lowest number runs first: TIMER before SCHEDULE, whichever was
 * raised first. */
START_TEST(test_softirq_order)
{
    raise_softirq(SCHEDULE_SOFTIRQ);
    do_set(pool(0), START + 100);
    run_to(START + 100); /* raises TIMER_SOFTIRQ */
    ck_assert_str_eq(tc.trace, "TS");
}
END_TEST

/* Every softirq has one handler: a second, or a softirq that does not
 * exist, is a bug. */
START_TEST(test_open_softirq_misuse)
{
    ck_assert_panics(open_softirq(SCHEDULE_SOFTIRQ, schedule_softirq));
    ck_assert_panics(open_softirq(NR_SOFTIRQS, schedule_softirq));
}
END_TEST

/* -------------------------------------------------------------------------
 * Timers that move between CPUs, as a vCPU's follow it (lab 7).
 */

/* Active timers moved to CPU 1 leave CPU 0's queue (its deadline moves to
 * its next timer), and do not fire there when their time comes. The first
 * to arrive raises CPU 1's TIMER softirq, which fires what is due and
 * programs CPU 1's interrupt for the next, which fires on its nanosecond,
 * not before. CPU 0's own timer fires when CPU 0 runs again. */
START_TEST(test_migrate_active_timer)
{
    do_set(pool(0), START + 100);
    do_set(pool(1), START + 200);
    do_set(pool(2), START + 300);
    do_migrate(pool(0), 1);
    ck_assert_int_eq(fake_time_deadline(), START + 200);
    ck_assert(pending_on(1));
    do_migrate(pool(2), 1);
    ck_assert_int_eq(fake_time_deadline(), START + 200);
    run_to(START + 100);
    ck_assert_uint_eq(tc.fired, 0);

    play_cpu(1);
    ck_assert_uint_eq(pool(0)->fired, 1);
    ck_assert_int_eq(fake_time_deadline(), START + 300);
    run_to(START + 299);
    ck_assert_uint_eq(pool(2)->fired, 0);
    run_to(START + 300);
    ck_assert_uint_eq(pool(2)->fired, 1);
    ck_assert_uint_eq(pool(1)->fired, 0);

    play_cpu(0);
    ck_assert_uint_eq(pool(1)->fired, 1);
    ck_assert_uint_eq(tc.fired, 3);
}
END_TEST

/* The last timer of CPU 0 moved away leaves it no deadline at all. */
START_TEST(test_migrate_last_timer_clears_deadline)
{
    do_set(pool(0), START + 100);
    do_migrate(pool(0), 1);
    ck_assert_int_eq(fake_time_deadline(), 0);
    run_to(START + 100);
    play_cpu(1);
    ck_assert_uint_eq(pool(0)->fired, 1);
}
END_TEST

/* An inactive timer moved to CPU 1 changes no queue; set, it goes to CPU
 * 1's queue, not CPU 0's, and fires there. */
START_TEST(test_migrate_inactive_then_set)
{
    do_set(pool(1), START + 200);
    do_migrate(pool(0), 1);
    ck_assert(!pending_on(1));
    do_set(pool(0), START + 100);
    ck_assert_int_eq(fake_time_deadline(), START + 200);
    run_to(START + 100);
    ck_assert_uint_eq(pool(0)->fired, 0);
    play_cpu(1);
    ck_assert_uint_eq(pool(0)->fired, 1);
    ck_assert_uint_eq(pool(1)->fired, 0);
}
END_TEST

/* Moving a timer to the CPU it is on changes nothing: a set one keeps its
 * place before an equal one set after it, an inactive one stays so, and
 * no softirq is raised. */
START_TEST(test_migrate_to_same_cpu)
{
    do_set(pool(0), START + 100);
    do_set(pool(1), START + 100);
    do_migrate(pool(0), 0);
    do_migrate(pool(2), 0);
    ck_assert(!pending_on(0));
    run_to(START + 100); /* timer_fired(): 0 first, then 1 */
    ck_assert_uint_eq(tc.fired, 2);
    run_to(START + 1000);
    ck_assert_uint_eq(pool(2)->fired, 0);
}
END_TEST

/* Setting, from CPU 0, a timer that lives on CPU 1 raises CPU 1's TIMER
 * softirq when it becomes CPU 1's first timer (CPU 1 must program its
 * interrupt earlier), and not when it goes behind another. */
START_TEST(test_set_remote_timer_raises_its_softirq)
{
    do_migrate(pool(0), 1);
    do_migrate(pool(1), 1);
    do_set(pool(0), START + 200);
    ck_assert(pending_on(1));
    ck_assert_int_eq(fake_time_deadline(), 0); /* CPU 0's: no timer */
    play_cpu(1);
    ck_assert_int_eq(fake_time_deadline(), START + 200);
    play_cpu(0);
    do_set(pool(1), START + 300);
    ck_assert(!pending_on(1));
    do_set(pool(1), START + 100);
    ck_assert(pending_on(1));
    run_to(START + 100);
    play_cpu(1);
    ck_assert_uint_eq(pool(1)->fired, 1);
    run_to(START + 200);
    ck_assert_uint_eq(pool(0)->fired, 1);
}
END_TEST

Suite *unit_suite(void)
{
    Suite *s = suite_create("timer");
    TCase *order = tcase_create("order");
    TCase *changes = tcase_create("changes");
    TCase *softirq = tcase_create("softirq");
    TCase *cpus = tcase_create("cpus");

    tcase_add_checked_fixture(order, setup, teardown);
    tcase_add_loop_test(order, test_fire_in_expiry_order, 0, 3);
    tcase_add_loop_test(order, test_random_operations, 0, 3);
    tcase_add_test(order, test_equal_expiries_fire_in_set_order);
    tcase_add_test(order, test_never_early);
    tcase_add_test(order, test_dump_lists_in_order);
    suite_add_tcase(s, order);

    tcase_add_checked_fixture(changes, setup, teardown);
    tcase_add_test(changes, test_stop_reprograms);
    tcase_add_test(changes, test_stopped_never_fire);
    tcase_add_test(changes, test_set_again_moves);
    tcase_add_test(changes, test_periodic);
    tcase_add_test(changes, test_kill_then_set_is_a_bug);
    tcase_add_test(changes, test_init_on_no_cpu_is_a_bug);
    suite_add_tcase(s, changes);

    tcase_add_checked_fixture(softirq, setup, teardown);
    tcase_add_test(softirq, test_softirq_runs_once_per_raise);
    tcase_add_test(softirq, test_softirq_raised_in_handler);
    tcase_add_test(softirq, test_softirq_order);
    tcase_add_test(softirq, test_open_softirq_misuse);
    suite_add_tcase(s, softirq);

    tcase_add_checked_fixture(cpus, setup, teardown);
    tcase_add_test(cpus, test_migrate_active_timer);
    tcase_add_test(cpus, test_migrate_last_timer_clears_deadline);
    tcase_add_test(cpus, test_migrate_inactive_then_set);
    tcase_add_test(cpus, test_migrate_to_same_cpu);
    tcase_add_test(cpus, test_set_remote_timer_raises_its_softirq);
    suite_add_tcase(s, cpus);
    return s;
}
