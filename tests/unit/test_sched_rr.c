/*
 * test_sched_rr.c: unit tests of the round-robin scheduling policy,
 * hypervisor/common/sched/rr.c (lab 4), through its struct scheduler
 * hooks, as the scheduler core calls them.
 *
 * hv-sources: hypervisor/common/sched/rr.c
 * host-sources: tests/unit/fake_domain.c tests/unit/fake_xmalloc.c
 *
 * The test plays the scheduler core on CPU 0 with four vCPUs, named by a
 * letter: a, b, c of domain 1 and d of domain 2. It wakes and sleeps them
 * and asks do_schedule() what runs next, passing the vCPU it chose last
 * as prev, as the core does. A queue is read by draining it: do_schedule()
 * until it answers with the idle vCPU, every vCPU picked blocking at once,
 * so the picks spell the queue ("abc"). That also shows a queue whose
 * links or tail pointer went wrong: a vCPU lost, or picked twice.
 */
#include "unit.h"

#include <hospes/sched.h>
#include <hospes/time.h>
#include <hospes/xmalloc.h>

#include "fake_domain.h"

/** The time slice every vCPU gets. */
#define RR_SLICE MILLISECS(10)

/** The test's vCPUs: a, b, c, d. */
#define NR_TEST_VCPUS 4

/** The policy under test. */
static const struct scheduler *const rr = &sched_rr_def;

static struct domain doms[2];
static struct vcpu vcpus[NR_TEST_VCPUS];

/** The vCPU named @p name ('a' to 'd'). */
static struct vcpu *vcpu(char name)
{
    unsigned int i = name - 'a';

    ck_assert_uint_lt(i, NR_TEST_VCPUS);
    return &vcpus[i];
}

/** The letter of @p v; '-' for CPU 0's idle vCPU. */
static char name_of(const struct vcpu *v)
{
    if (v == idle_vcpu(0))
        return '-';
    ck_assert(v >= vcpus && v < vcpus + NR_TEST_VCPUS);
    return 'a' + (v - vcpus);
}

/** Wake the vCPUs named in @p names, in that order. */
static void wake(const char *names)
{
    for (; *names; names++)
        rr->wake(rr, vcpu(*names));
}

/** CPU 0 had @p prev running, which may go on if @p runnable: what next? */
static struct vcpu *pick(struct vcpu *prev, bool runnable)
{
    struct sched_decision dec = rr->do_schedule(rr, 0, prev, runnable, 0);

    ck_assert_ptr_nonnull(dec.next);
    if (dec.next == idle_vcpu(0))
        ck_assert_msg(dec.slice < 0, "idle for %ld ns, want until woken",
                      dec.slice);
    else
        ck_assert_int_eq(dec.slice, RR_SLICE);
    return dec.next;
}

/**
 * Pick on CPU 0 until it goes idle, every vCPU picked blocking at once.
 * @return the names of the vCPUs picked, in order: the queue it had
 */
static const char *drain(void)
{
    static char picked[NR_TEST_VCPUS + 2];
    struct vcpu *v = idle_vcpu(0);
    unsigned int n = 0;

    while ((v = pick(v, false)) != idle_vcpu(0)) {
        /* A vCPU queued twice, or a cycle in the queue, shows here. */
        ck_assert_msg(n < NR_TEST_VCPUS, "picked \"%.*s%c\" and more", n,
                      picked, name_of(v));
        picked[n++] = name_of(v);
    }
    picked[n] = '\0';
    return picked;
}

static void setup(void)
{
    unsigned int i;

    rr->init_cpu(rr, 0);
    doms[0] = (struct domain){ .domain_id = 1 };
    doms[1] = (struct domain){ .domain_id = 2 };
    for (i = 0; i < NR_TEST_VCPUS; i++) {
        fake_vcpu_init(&vcpus[i], &doms[i / 3], i % 3, 0);
        ck_assert_int_eq(rr->insert_vcpu(rr, &vcpus[i]), 0);
    }
    printk_clear();
}

/** Forget every vCPU, as the core does: dequeue it, then remove it. */
static void teardown(void)
{
    unsigned int i;

    for (i = 0; i < NR_TEST_VCPUS; i++) {
        rr->sleep(rr, &vcpus[i]);
        rr->remove_vcpu(rr, &vcpus[i]);
    }
}

/* -------------------------------------------------------------------------
 * Picking.
 */

/* Nothing queued: the CPU runs its idle vCPU, until something is woken. */
START_TEST(test_empty_queue_runs_idle)
{
    ck_assert_ptr_eq(pick(idle_vcpu(0), false), idle_vcpu(0));
    ck_assert_ptr_eq(pick(vcpu('a'), false), idle_vcpu(0));
    ck_assert_str_eq(drain(), "");
}
END_TEST

/* vCPUs run in the order they were woken, 10 ms each (pick() checks);
 * one woken alone after its turn runs alone. */
START_TEST(test_fifo_order)
{
    wake("cadb");
    ck_assert_str_eq(drain(), "cadb");
    wake("c");
    ck_assert_str_eq(drain(), "c");
}
END_TEST

/* A vCPU that may run on goes to the back: over many rounds the vCPUs
 * take turns in the same order, each as often as the others. */
START_TEST(test_round_robin)
{
    const char order[] = "bdac";
    unsigned int turns[NR_TEST_VCPUS] = { 0 }, i;
    struct vcpu *v;

    wake(order);
    v = pick(idle_vcpu(0), false);
    for (i = 0; i < 400; i++) {
        unit_assert(name_of(v) == order[i % 4], "turn %u: %c ran, want %c", i,
                    name_of(v), order[i % 4]);
        turns[v - vcpus]++;
        v = pick(v, true);
    }
    for (i = 0; i < NR_TEST_VCPUS; i++)
        ck_assert_uint_eq(turns[i], 100);
}
END_TEST

/* A vCPU that may not run on (it blocked) is not put back; one that may,
 * alone on the queue, runs again. */
START_TEST(test_blocked_prev_not_requeued)
{
    struct vcpu *v;

    wake("ab");
    v = pick(idle_vcpu(0), false);
    ck_assert_ptr_eq(v, vcpu('a'));
    v = pick(v, false);
    ck_assert_ptr_eq(v, vcpu('b'));
    ck_assert_ptr_eq(pick(v, true), vcpu('b'));
    ck_assert_ptr_eq(pick(v, false), idle_vcpu(0));
}
END_TEST

/* Waking a queued vCPU again leaves it where it is, and once: the head,
 * one in the middle, the tail. */
START_TEST(test_wake_is_idempotent)
{
    wake("abcabcb");
    ck_assert_str_eq(drain(), "abc");
}
END_TEST

/* Each CPU has its own queue: CPU 1's vCPU never runs on CPU 0. */
START_TEST(test_queues_are_per_cpu)
{
    struct sched_decision dec;

    ck_assert_int_eq(rr->init_cpu(rr, 1), 0);
    vcpu('d')->processor = 1;
    wake("da");
    ck_assert_str_eq(drain(), "a");
    dec = rr->do_schedule(rr, 1, idle_vcpu(1), false, 0);
    ck_assert_ptr_eq(dec.next, vcpu('d'));
    dec = rr->do_schedule(rr, 1, vcpu('d'), false, 0);
    ck_assert_ptr_eq(dec.next, idle_vcpu(1));
}
END_TEST

/* -------------------------------------------------------------------------
 * Sleeping: leaving the queue from anywhere in it.
 */

START_TEST(test_sleep_head)
{
    wake("abcd");
    rr->sleep(rr, vcpu('a'));
    ck_assert_str_eq(drain(), "bcd");
}
END_TEST

START_TEST(test_sleep_middle)
{
    wake("abcd");
    rr->sleep(rr, vcpu('c'));
    rr->sleep(rr, vcpu('b'));
    ck_assert_str_eq(drain(), "ad");
}
END_TEST

/* After the tail leaves, the next vCPU woken goes behind the new tail. */
START_TEST(test_sleep_tail_then_wake)
{
    wake("abc");
    rr->sleep(rr, vcpu('c'));
    wake("d");
    rr->sleep(rr, vcpu('d'));
    wake("c");
    ck_assert_str_eq(drain(), "abc");
}
END_TEST

/* The only vCPU queued is head and tail: the queue is empty after, and
 * works again. */
START_TEST(test_sleep_only)
{
    wake("a");
    rr->sleep(rr, vcpu('a'));
    ck_assert_str_eq(drain(), "");
    wake("ba");
    ck_assert_str_eq(drain(), "ba");
}
END_TEST

/* Sleeping a vCPU that is not queued, once or twice, changes nothing. */
START_TEST(test_sleep_not_queued)
{
    wake("bc");
    rr->sleep(rr, vcpu('a'));
    rr->sleep(rr, vcpu('a'));
    rr->sleep(rr, vcpu('b'));
    rr->sleep(rr, vcpu('b'));
    ck_assert_str_eq(drain(), "c");
}
END_TEST

/* -------------------------------------------------------------------------
 * Removing and dumping.
 */

/* remove_vcpu() frees what insert_vcpu() allocated; the others stay
 * queued. */
START_TEST(test_remove_frees)
{
    unsigned long before = xmalloc_stats().objects;

    ck_assert_uint_eq(before, NR_TEST_VCPUS);
    wake("abc");
    rr->sleep(rr, vcpu('b'));
    rr->remove_vcpu(rr, vcpu('b'));
    ck_assert_ptr_null(vcpu('b')->sched_priv);
    ck_assert_uint_eq(xmalloc_stats().objects, before - 1);
    ck_assert_str_eq(drain(), "ac");

    teardown(); /* runs again after the test: harmless */
    ck_assert_uint_eq(xmalloc_stats().objects, 0);
}
END_TEST

/* The dump lists the queue, head first, as dNvN. */
START_TEST(test_dump_lists_queue)
{
    wake("dca");
    rr->dump_cpu(rr, 0);
    ck_assert_str_eq(printk_output(), "  queued: d2v0\n"
                                      "  queued: d1v2\n"
                                      "  queued: d1v0\n");
}
END_TEST

Suite *unit_suite(void)
{
    Suite *s = suite_create("sched_rr");
    TCase *picking = tcase_create("picking");
    TCase *sleeping = tcase_create("sleeping");
    TCase *other = tcase_create("remove_dump");

    tcase_add_checked_fixture(picking, setup, teardown);
    tcase_add_test(picking, test_empty_queue_runs_idle);
    tcase_add_test(picking, test_fifo_order);
    tcase_add_test(picking, test_round_robin);
    tcase_add_test(picking, test_blocked_prev_not_requeued);
    tcase_add_test(picking, test_wake_is_idempotent);
    tcase_add_test(picking, test_queues_are_per_cpu);
    suite_add_tcase(s, picking);

    tcase_add_checked_fixture(sleeping, setup, teardown);
    tcase_add_test(sleeping, test_sleep_head);
    tcase_add_test(sleeping, test_sleep_middle);
    tcase_add_test(sleeping, test_sleep_tail_then_wake);
    tcase_add_test(sleeping, test_sleep_only);
    tcase_add_test(sleeping, test_sleep_not_queued);
    suite_add_tcase(s, sleeping);

    tcase_add_checked_fixture(other, setup, teardown);
    tcase_add_test(other, test_remove_frees);
    tcase_add_test(other, test_dump_lists_queue);
    suite_add_tcase(s, other);
    return s;
}
