/*
 * test_sched_rtds.c: unit tests of the real-time (EDF) scheduling policy,
 * hypervisor/common/sched/rtds.c (lab 7), through its struct scheduler
 * hooks, on a simulated clock.
 *
 * hv-sources: hypervisor/common/sched/rtds.c hypervisor/common/spinlock.c
 * host-sources: tests/unit/fake_domain.c tests/unit/fake_xmalloc.c
 * host-sources: tests/unit/fake_cpu.c tests/unit/sched_vcpus.c
 *
 * The test plays the scheduler core and the guests on CPU 0. Its vCPUs
 * are named by a letter, 'a' to 'd', each the only vCPU of its own domain
 * unless a test gives one domain several. simulate() runs what the policy
 * chooses for a while of simulated time, as the core would: it calls
 * do_schedule() with the vCPU that ran, and runs the one chosen for the
 * slice returned. Its vCPUs never block by themselves (they are CPU
 * hogs); a test blocks and wakes them by hand.
 *
 * What is measured: the order in which vCPUs run (a trace of switches,
 * in ms since the test began), and how much CPU time each vCPU got in
 * each of its periods.
 *
 * Each test starts at a multiple of 60 ms, a multiple of every period the
 * tests use, so that a new vCPU's periods begin when the test does. The
 * clock never goes back, not even from one test to the next (with
 * CK_FORK=no they share the policy's state).
 */
#include "unit.h"

#include <stdio.h>
#include <string.h>

#include <hospes/errno.h>
#include <hospes/sched.h>
#include <hospes/time.h>
#include <hospes/xmalloc.h>

#include "fake_domain.h"
#include "sched_vcpus.h"

/** Each test starts at a multiple of this (see the file's comment). */
#define TEST_ALIGN MILLISECS(60)

/** How long the schedulable set runs: over 2 s, and a multiple of its
 *  periods, so that each of its periods is whole. */
#define LONG_RUN (34 * TEST_ALIGN)

/** The periods simulate() counts per vCPU: LONG_RUN of 10 ms periods. */
#define MAX_PERIODS 256

/** The policy under test. */
static const struct scheduler *const rtds = &sched_rtds_def;

/** What the simulation saw of a test vCPU. */
struct test_vcpu {
    s_time_t period;              /**< its period, for ran_in */
    s_time_t ran_in[MAX_PERIODS]; /**< CPU time it got in each period */
};

/** Each vCPU's, by sched_vcpu_index(). */
static struct test_vcpu tv[NR_TEST_VCPUS];

/** The simulated clock, and when the current test began. */
static s_time_t now, start;

/** Who ran when (see simulate()), "c@0 a@1 ...": as many switches as it
 *  holds, which is all of a short test's. */
static char trace[512];

/** The test vCPU named @p name ('a' to 'd'). */
static struct test_vcpu *tvcpu(char name)
{
    return &tv[sched_vcpu_index(vcpu(name))];
}

/** The test vCPU that @p v is; NULL for an idle vCPU. */
static struct test_vcpu *test_vcpu_of(struct vcpu *v)
{
    int i = sched_vcpu_index(v);

    return i < 0 ? NULL : &tv[i];
}

/** Give @p name's domain @p period and @p budget, in ms; they must be
 *  accepted. */
static void set_params(char name, s_time_t period, s_time_t budget)
{
    struct sched_params p = { .period = MILLISECS(period),
                              .budget = MILLISECS(budget) };

    ck_assert_int_eq(rtds->adjust(rtds, vcpu(name)->domain, &p, true), 0);
    ck_assert_int_eq(p.period, MILLISECS(period));
    ck_assert_int_eq(p.budget, MILLISECS(budget));
    tvcpu(name)->period = p.period;
}

/** Wake vCPUs @p names, in that order, as vcpu_wake() does. */
static void wake_all(const char *names)
{
    for (; *names; names++)
        rtds->wake(rtds, vcpu(*names));
}

/** The vCPU running in the simulation, on CPU 0. */
static struct vcpu *running;

/**
 * Ask the policy what CPU 0 runs next, as schedule() does, and check the
 * slice: a vCPU gets one of at least 1 ns (else the core would spin) and
 * at most a period of the tests; an idle CPU may wait for a wake-up.
 */
static struct sched_decision decide(bool runnable)
{
    struct sched_decision dec =
        rtds->do_schedule(rtds, 0, running, runnable, now);

    ck_assert_ptr_nonnull(dec.next);
    if (dec.next != idle_vcpu(0))
        unit_assert(dec.slice > 0 && dec.slice <= MILLISECS(20),
                    "%c given a slice of %ld ns", name_of(dec.next),
                    (long)dec.slice);
    else
        unit_assert(dec.slice < 0 ||
                        (dec.slice > 0 && dec.slice <= MILLISECS(20)),
                    "idle for %ld ns", (long)dec.slice);
    return dec;
}

/** Count @p t's running from now to @p until in the periods it falls in. */
static void count_run(struct test_vcpu *t, s_time_t until)
{
    s_time_t from = now;

    while (from < until) {
        s_time_t k = (from - start) / t->period;
        s_time_t to = start + (k + 1) * t->period;

        to = to < until ? to : until;

        ck_assert_int_lt(k, MAX_PERIODS);
        t->ran_in[k] += to - from;
        from = to;
    }
}

/**
 * Run CPU 0 for @p duration of simulated time: ask the policy, note a
 * switch in the trace, run what it chose until its slice ends (or the
 * simulation does), and again. What runs at first may go on.
 */
static void simulate(s_time_t duration)
{
    s_time_t end = now + duration;
    size_t len = strlen(trace);

    while (now < end) {
        struct sched_decision dec = decide(running != idle_vcpu(0));
        s_time_t until = end;
        struct test_vcpu *t = test_vcpu_of(dec.next);

        if ((dec.next != running || !len) && len + 16 < sizeof(trace)) {
            len += snprintf(trace + len, sizeof(trace) - len, "%s%c@%ld",
                            len ? " " : "", name_of(dec.next),
                            (long)((now - start) / MILLISECS(1)));
        }
        running = dec.next;
        if (dec.slice >= 0 && now + dec.slice < until)
            until = now + dec.slice;
        if (t)
            count_run(t, until);
        now = until;
    }
}

/** The dump of CPU @p cpu, as debug key 'r' prints it. */
static const char *dump(unsigned int cpu)
{
    printk_clear();
    rtds->dump_cpu(rtds, cpu);
    return printk_output();
}

/** The dump the test expects next (see expect() and check_dump()). */
static char expected[640];

/**
 * Expect a dump line for vCPU @p name, @p what ("running" or "queued"),
 * with deadline @p deadline (ms since the test began), @p left us of
 * budget left, and @p period and @p budget in ms.
 */
static void expect(const char *what, char name, long deadline, long left,
                   long period, long budget)
{
    size_t len = strlen(expected);
    struct vcpu *v = vcpu(name);

    snprintf(expected + len, sizeof(expected) - len,
             "  %s: d%uv%u deadline %ld us budget left %ld us"
             " (period %ld us, budget %ld us)\n",
             what, v->domain->domain_id, v->vcpu_id,
             (long)((start + MILLISECS(deadline)) / MICROSECS(1)), left,
             period * 1000, budget * 1000);
}

/** Assert that CPU @p cpu's dump is the lines expected, in that order. */
static void check_dump(unsigned int cpu)
{
    ck_assert_str_eq(dump(cpu), expected);
    expected[0] = '\0';
}

static void setup(void)
{
    unsigned int i;

    ck_assert_int_eq(rtds->init_cpu(rtds, 0), 0);
    sched_vcpus_reset(rtds);
    for (i = 0; i < NR_TEST_VCPUS; i++) /* the default until set_params() */
        tv[i] = (struct test_vcpu){ .period = MILLISECS(10) };
    running = idle_vcpu(0);
    now = start = (now / TEST_ALIGN + 1) * TEST_ALIGN;
    trace[0] = expected[0] = '\0';
    printk_clear();
}

/** Forget every vCPU, as the core does. */
static void teardown(void)
{
    forget_all();
}

/* -------------------------------------------------------------------------
 * EDF: order, replenishment, depletion.
 */

/* The earliest deadline with budget left runs; a replenishment that gives
 * a vCPU an earlier deadline than the running one's preempts it; when
 * every vCPU has used its budget the CPU idles until the first
 * replenishment. c (5 ms period, 1 ms budget) runs first, then a (10, 3),
 * then b (20, 5), which c preempts at 5 and a does not at 10 (its new
 * deadline, 20, is no earlier than b's); b, depleted at 10, waits for 20. */
START_TEST(test_edf_order)
{
    insert("abc");
    set_params('a', 10, 3);
    set_params('b', 20, 5);
    set_params('c', 5, 1);
    wake_all("abc");
    simulate(MILLISECS(20));
    ck_assert_str_eq(trace, "c@0 a@1 b@4 c@5 b@6 c@10 a@11 -@14 c@15 -@16");
}
END_TEST

/* On equal deadlines the running vCPU goes on: the core asking again
 * (a wake-up, say) does not make b, with budget left, give way to a. */
START_TEST(test_equal_deadlines_keep_running)
{
    insert("ab");
    wake_all("ba");
    ck_assert_ptr_eq(decide(false).next, vcpu('a'));
    running = vcpu('a');
    now += MILLISECS(1);
    ck_assert_ptr_eq(decide(true).next, vcpu('a'));
    now += MILLISECS(3);
    ck_assert_ptr_eq(decide(true).next, vcpu('b'));
}
END_TEST

/* Alone, with the default 4 ms every 10 ms, a CPU hog runs 4 ms at the
 * start of each period and the CPU idles the rest. */
START_TEST(test_replenished_each_period)
{
    struct sched_params p = { 0 };
    unsigned int k;

    insert("a");
    ck_assert_int_eq(rtds->adjust(rtds, vcpu('a')->domain, &p, false), 0);
    ck_assert_int_eq(p.period, MILLISECS(10));
    ck_assert_int_eq(p.budget, MILLISECS(4));
    wake_all("a");
    simulate(MILLISECS(100));
    ck_assert_str_eq(trace, "a@0 -@4 a@10 -@14 a@20 -@24 a@30 -@34 a@40 "
                            "-@44 a@50 -@54 a@60 -@64 a@70 -@74 a@80 -@84 "
                            "a@90 -@94");
    for (k = 0; k < 10; k++)
        ck_assert_int_eq(tvcpu('a')->ran_in[k], MILLISECS(4));
}
END_TEST

/* A depleted vCPU is not picked before its replenishment, even when the
 * core asks early (a wake-up elsewhere): the CPU idles, and its slice
 * ends at the replenishment. */
START_TEST(test_depleted_waits)
{
    struct sched_decision dec;

    insert("a");
    wake_all("a");
    dec = decide(false);
    ck_assert_ptr_eq(dec.next, vcpu('a'));
    ck_assert_int_eq(dec.slice, MILLISECS(4));
    running = vcpu('a');
    now += dec.slice;
    dec = decide(true);
    ck_assert_ptr_eq(dec.next, idle_vcpu(0));
    ck_assert_int_eq(dec.slice, MILLISECS(6));
    running = idle_vcpu(0);
    expect("queued", 'a', 10, 0, 10, 4);
    check_dump(0);
    now += MILLISECS(3);
    dec = decide(false);
    ck_assert_ptr_eq(dec.next, idle_vcpu(0));
    ck_assert_int_eq(dec.slice, MILLISECS(3));
    now += dec.slice;
    dec = decide(false);
    ck_assert_ptr_eq(dec.next, vcpu('a'));
    ck_assert_int_eq(dec.slice, MILLISECS(4));
}
END_TEST

/* A vCPU that still has budget at its deadline runs no further than it:
 * its budget is renewed and its deadline moves on, and a vCPU now more
 * urgent takes over. a (10 ms, 6 ms) and b (15, 5) wake 6 ms into their
 * periods: a runs 4 ms, to its deadline, with 2 ms left; then its new
 * deadline (20) is later than b's (15). */
START_TEST(test_slice_ends_at_deadline)
{
    struct sched_decision dec;

    insert("ab");
    set_params('a', 10, 6);
    set_params('b', 15, 5);
    now += MILLISECS(6);
    wake_all("ab");
    dec = decide(false);
    ck_assert_ptr_eq(dec.next, vcpu('a'));
    ck_assert_int_eq(dec.slice, MILLISECS(4));
    running = vcpu('a');
    now += dec.slice;
    ck_assert_ptr_eq(decide(true).next, vcpu('b'));
    running = vcpu('b');
    expect("running", 'b', 15, 5000, 15, 5);
    expect("queued", 'a', 20, 6000, 10, 6);
    check_dump(0);
}
END_TEST

/* A schedulable set, utilisation 0.2 + 0.2 + 0.25: the first 60 ms go in
 * EDF order (a (10 ms, 2 ms), b (15, 3), c (20, 5)), and over 2.04 s
 * every vCPU gets its whole
 * budget in every one of its periods, and not a nanosecond more; the CPU
 * idles the other 35%. */
START_TEST(test_schedulable_set_gets_budgets)
{
    static const struct {
        char name;
        s_time_t period, budget; /* ms */
    } set[] = { { 'a', 10, 2 }, { 'b', 15, 3 }, { 'c', 20, 5 } };
    s_time_t busy = 0;
    unsigned int i, k;

    insert("abc");
    for (i = 0; i < ARRAY_SIZE(set); i++)
        set_params(set[i].name, set[i].period, set[i].budget);
    wake_all("cba");
    simulate(TEST_ALIGN);
    ck_assert_str_eq(trace, "a@0 b@2 c@5 a@10 -@12 b@15 -@18 a@20 c@22 -@27 "
                            "a@30 b@32 -@35 a@40 c@42 b@47 a@50 -@52");
    trace[0] = '\0';
    simulate(LONG_RUN - TEST_ALIGN);
    for (i = 0; i < ARRAY_SIZE(set); i++) {
        struct test_vcpu *t = tvcpu(set[i].name);

        for (k = 0; k < LONG_RUN / MILLISECS(set[i].period); k++) {
            ck_assert_msg(t->ran_in[k] == MILLISECS(set[i].budget),
                          "%c ran %ld us in its period %u, want %ld ms",
                          set[i].name, (long)(t->ran_in[k] / 1000), k,
                          (long)set[i].budget);
            busy += t->ran_in[k];
        }
    }
    ck_assert_int_eq(busy, LONG_RUN * 65 / 100);
}
END_TEST

/* -------------------------------------------------------------------------
 * Blocking and waking.
 */

/* A vCPU that blocks keeps its deadline and what is left of its budget:
 * a (10 ms, 4 ms) runs 1 ms, blocks, wakes 1 ms later and takes the CPU
 * back from b (deadline 20) for the 3 ms it has left, not 4. Blocked
 * past its deadline, it wakes with a new deadline, the first one after
 * now, and a full budget. */
START_TEST(test_block_keeps_deadline)
{
    struct sched_decision dec;

    insert("ab");
    set_params('b', 20, 4);
    wake_all("ab");
    ck_assert_ptr_eq(decide(false).next, vcpu('a'));
    running = vcpu('a');
    now += MILLISECS(1);
    rtds->sleep(rtds, vcpu('a'));
    ck_assert_ptr_eq(decide(false).next, vcpu('b'));
    running = vcpu('b');
    now += MILLISECS(1);
    wake_all("a");
    expect("running", 'b', 20, 4000, 20, 4); /* charged at do_schedule() */
    expect("queued", 'a', 10, 3000, 10, 4);
    check_dump(0);
    dec = decide(true);
    ck_assert_ptr_eq(dec.next, vcpu('a'));
    ck_assert_int_eq(dec.slice, MILLISECS(3));
    running = vcpu('a');
    now += dec.slice;
    ck_assert_ptr_eq(decide(true).next, vcpu('b'));
    running = vcpu('b');
    rtds->sleep(rtds, vcpu('a')); /* blocks while queued, depleted */
    simulate(MILLISECS(22));      /* to 27 ms: b runs 5-8 and 20-24 */
    ck_assert_str_eq(trace, "b@5 -@8 b@20 -@24");
    wake_all("a");
    ck_assert_ptr_eq(decide(false).next, vcpu('a'));
    expect("running", 'a', 30, 4000, 10, 4);
    expect("queued", 'b', 40, 0, 20, 4);
    check_dump(0);
}
END_TEST

/* -------------------------------------------------------------------------
 * Parameters, memory, CPUs.
 */

/* Bad parameters are refused and change nothing: a budget above the
 * period, a period or budget under 10 us. The limits are taken. They
 * are a domain's: set for all its vCPUs, and given to one it adds. */
START_TEST(test_params)
{
    struct sched_params p;
    struct domain stranger = { .domain_id = 99 };
    static const struct sched_params bad[] = {
        { .period = MILLISECS(10), .budget = MILLISECS(10) + 1 },
        { .period = MICROSECS(10) - 1, .budget = MICROSECS(5) },
        { .period = MILLISECS(10), .budget = MICROSECS(10) - 1 },
        { .period = 0, .budget = 0 },
    };
    unsigned int i;

    insert("a");
    insert_into('b', 'a', 1);
    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        p = bad[i];
        ck_assert_int_eq(rtds->adjust(rtds, vcpu('a')->domain, &p, true),
                         -EINVAL);
    }
    ck_assert_int_eq(rtds->adjust(rtds, vcpu('a')->domain, &p, false), 0);
    ck_assert_int_eq(p.period, MILLISECS(10));
    ck_assert_int_eq(p.budget, MILLISECS(4));
    p = (struct sched_params){ .period = MICROSECS(10),
                               .budget = MICROSECS(10) };
    ck_assert_int_eq(rtds->adjust(rtds, vcpu('a')->domain, &p, true), 0);
    set_params('a', 30, 7);
    insert_into('c', 'a', 2);
    wake_all("abc");
    ck_assert_ptr_eq(decide(false).next, vcpu('c'));
    expect("running", 'c', 30, 7000, 30, 7);
    expect("queued", 'b', 30, 7000, 30, 7);
    expect("queued", 'a', 30, 7000, 30, 7);
    check_dump(0);
    p = (struct sched_params){ .period = MILLISECS(10) };
    ck_assert_int_eq(rtds->adjust(rtds, &stranger, &p, true), -ESRCH);
    ck_assert_int_eq(rtds->adjust(rtds, &stranger, &p, false), -ESRCH);
}
END_TEST

/* remove_vcpu() frees what insert_vcpu() allocated. */
START_TEST(test_remove_frees)
{
    insert("ab");
    ck_assert_uint_eq(xmalloc_stats().objects, 2);
    forget('b');
    ck_assert_ptr_null(vcpu('b')->sched_priv);
    ck_assert_uint_eq(xmalloc_stats().objects, 1);
    forget('a');
    ck_assert_uint_eq(xmalloc_stats().objects, 0);
}
END_TEST

/* Each CPU has its own queue and budgets: b, on CPU 1, never runs on
 * CPU 0, not even when CPU 0 idles with a depleted; CPU 1, which has not
 * run yet, then runs b for a whole budget, and what it does leaves CPU
 * 0's queue as it was. */
START_TEST(test_queues_are_per_cpu)
{
    struct sched_decision dec;

    ck_assert_int_eq(rtds->init_cpu(rtds, 1), 0);
    vcpu('b')->processor = 1;
    insert("ab");
    wake_all("ba");
    simulate(MILLISECS(20));
    ck_assert_str_eq(trace, "a@0 -@4 a@10 -@14");
    dec = rtds->do_schedule(rtds, 1, idle_vcpu(1), false, now);
    ck_assert_ptr_eq(dec.next, vcpu('b'));
    ck_assert_int_eq(dec.slice, MILLISECS(4));
    expect("running", 'b', 30, 4000, 10, 4);
    check_dump(1);
    now += MILLISECS(4);
    dec = rtds->do_schedule(rtds, 1, vcpu('b'), true, now);
    ck_assert_ptr_eq(dec.next, idle_vcpu(1));
    ck_assert_int_eq(dec.slice, MILLISECS(6));
    expect("queued", 'a', 20, 0, 10, 4); /* untouched by CPU 1 */
    check_dump(0);
}
END_TEST

Suite *unit_suite(void)
{
    Suite *s = suite_create("sched_rtds");
    TCase *edf = tcase_create("edf");
    TCase *waking = tcase_create("waking");
    TCase *misc = tcase_create("misc");

    tcase_add_checked_fixture(edf, setup, teardown);
    tcase_add_test(edf, test_edf_order);
    tcase_add_test(edf, test_equal_deadlines_keep_running);
    tcase_add_test(edf, test_replenished_each_period);
    tcase_add_test(edf, test_depleted_waits);
    tcase_add_test(edf, test_slice_ends_at_deadline);
    tcase_add_test(edf, test_schedulable_set_gets_budgets);
    suite_add_tcase(s, edf);

    tcase_add_checked_fixture(waking, setup, teardown);
    tcase_add_test(waking, test_block_keeps_deadline);
    suite_add_tcase(s, waking);

    tcase_add_checked_fixture(misc, setup, teardown);
    tcase_add_test(misc, test_params);
    tcase_add_test(misc, test_remove_frees);
    tcase_add_test(misc, test_queues_are_per_cpu);
    suite_add_tcase(s, misc);
    return s;
}
