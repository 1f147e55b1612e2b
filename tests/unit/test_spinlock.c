/*
 * test_spinlock.c: unit tests of ticket spinlocks and reader-writer locks,
 * hypervisor/common/spinlock.c (lab 3), with host threads as CPUs.
 *
 * hv-sources: hypervisor/common/spinlock.c
 * host-sources: tests/unit/fake_cpu.c
 *
 * fake_cpu.c plays the CPUs: the test's thread is CPU 0, and
 * fake_cpus_start() runs CPUs 1..n as threads, each with its own CPU
 * number and interrupt flag. What the tests check:
 *
 * - mutual exclusion: CPUs that add one to a plain counter under the lock
 *   lose no update, and never find another CPU inside;
 * - fairness: CPUs that queued one after the other are served in that
 *   order, across the wrap of the 16-bit tickets;
 * - spin_trylock() fails on a held lock and takes a free one;
 * - the checks: a lock taken again by its holder, released by another
 *   CPU, or taken both with interrupts on and off, panics; and
 *   spin_lock_irqsave() turns interrupts off until the matching
 *   spin_unlock_irqrestore() puts them back;
 * - rwlocks: readers share the lock, a writer has it alone (readers never
 *   see half of an update), and a writer gets in while readers keep
 *   coming.
 *
 * The CPUs never use Check's assertions (only the test's thread may):
 * they count what went wrong, and the test checks the counts.
 */
#include "unit.h"

#include <sched.h>
#include <time.h>

#include <hospes/irq.h>
#include <hospes/smp.h>
#include <hospes/spinlock.h>

#include "fake_cpu.h"

#define MS     1000000L /**< nanoseconds */
#define SECOND (1000 * MS)

/** The host's monotonic clock, in ns: for the tests' bounded waits. */
static long now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * SECOND + ts.tv_nsec;
}

/** Let other threads run, inside a critical section: the window in which
 * a lock that does not exclude lets another CPU in. */
static void dawdle(void)
{
    sched_yield();
}

static unsigned int load(const unsigned int *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void add(unsigned int *p, int n)
{
    __atomic_add_fetch(p, n, __ATOMIC_ACQ_REL);
}

/** Every test starts on CPU 0 with interrupts off (with CK_FORK=no the
 * tests share one process). */
static void setup(void)
{
    fake_cpu_set(0);
    fake_irq_set(false);
    printk_clear();
}

/* -------------------------------------------------------------------------
 * Spinlocks: mutual exclusion, fairness, trylock, interrupts.
 */

#define COUNT_CPUS   4
#define COUNT_ROUNDS 3000

static struct {
    spinlock_t lock;
    volatile unsigned int counter; /**< added to without atomics */
    unsigned int inside;           /**< CPUs between lock and unlock */
    unsigned int crowded;          /**< times a CPU found another inside */
    unsigned int not_mine;         /**< times the holder was not "me" */
} count;

/** Add one to the counter COUNT_ROUNDS times, taking the lock the three
 * ways in turn. */
static void count_cpu(unsigned int cpu, void *arg)
{
    unsigned int round, seen;
    unsigned long flags = 0;

    (void)cpu, (void)arg;
    for (round = 0; round < COUNT_ROUNDS; round++) {
        if (round % 3 == 0)
            spin_lock(&count.lock);
        else if (round % 3 == 1)
            flags = spin_lock_irqsave(&count.lock);
        else
            while (!spin_trylock(&count.lock))
                cpu_relax();

        if (__atomic_add_fetch(&count.inside, 1, __ATOMIC_ACQ_REL) != 1)
            add(&count.crowded, 1);
        if (!spin_is_locked_by_me(&count.lock))
            add(&count.not_mine, 1);
        seen = count.counter;
        dawdle();
        count.counter = seen + 1;
        add(&count.inside, -1);

        if (round % 3 == 1)
            spin_unlock_irqrestore(&count.lock, flags);
        else
            spin_unlock(&count.lock);
    }
}

START_TEST(test_counter_exact)
{
    count = (typeof(count)){ .lock = SPIN_LOCK_UNLOCKED("count") };
    fake_cpus_start(COUNT_CPUS, count_cpu, NULL);
    fake_cpus_join();

    ck_assert_msg(!count.crowded,
                  "%u times a CPU took the lock while another held it",
                  count.crowded);
    ck_assert_msg(!count.not_mine,
                  "%u times spin_is_locked_by_me() denied the holder",
                  count.not_mine);
    ck_assert_msg(count.counter == COUNT_CPUS * COUNT_ROUNDS,
                  "%u CPUs x %u rounds under the lock counted %u", COUNT_CPUS,
                  COUNT_ROUNDS, count.counter);
}
END_TEST

#define FIFO_CPUS 8

static struct {
    spinlock_t lock;
    unsigned int turn;              /**< the CPU that may queue now */
    unsigned int served[FIFO_CPUS]; /**< CPUs in the order they got in */
    unsigned int nr_served;
} fifo;

/** Wait for our turn to queue, then queue for the lock. */
static void fifo_cpu(unsigned int cpu, void *arg)
{
    (void)arg;
    while (load(&fifo.turn) != cpu)
        sched_yield();
    spin_lock(&fifo.lock);
    fifo.served[fifo.nr_served++] = cpu;
    spin_unlock(&fifo.lock);
}

/*
 * CPU 0 holds the lock while CPUs 1..8 queue for it, one at a time, in a
 * shuffled order: each queues only once the one before spins, so the
 * order they asked in is known. When CPU 0 lets go they must be served in
 * that order. The tickets start just short of 65536, so they wrap.
 */
START_TEST(test_fifo_order)
{
    unsigned int order[FIFO_CPUS], i, j, tmp;
    unsigned long seed = 0x5eed;
    long deadline;

    for (i = 0; i < FIFO_CPUS; i++)
        order[i] = i + 1;
    for (i = FIFO_CPUS - 1; i > 0; i--) {
        j = unit_random(&seed) % (i + 1);
        tmp = order[i], order[i] = order[j], order[j] = tmp;
    }
    fifo = (typeof(fifo)){ .lock = SPIN_LOCK_UNLOCKED("fifo") };
    fifo.lock.head = fifo.lock.tail = 0xfffc;

    spin_lock(&fifo.lock);
    fake_cpus_start(FIFO_CPUS, fifo_cpu, NULL);
    for (i = 0; i < FIFO_CPUS; i++) {
        __atomic_store_n(&fifo.turn, order[i], __ATOMIC_RELEASE);
        deadline = now_ns() + 5 * SECOND;
        while (!fake_cpu_spins(order[i]) && now_ns() < deadline)
            sched_yield();
        ck_assert_msg(fake_cpu_spins(order[i]),
                      "CPU %u does not wait for the lock CPU 0 holds",
                      order[i]);
    }
    spin_unlock(&fifo.lock);
    fake_cpus_join();

    ck_assert_uint_eq(fifo.nr_served, FIFO_CPUS);
    for (i = 0; i < FIFO_CPUS; i++)
        ck_assert_msg(fifo.served[i] == order[i],
                      "served %u-th: CPU %u, but CPU %u queued %u-th", i + 1,
                      fifo.served[i], order[i], i + 1);
}
END_TEST

START_TEST(test_trylock)
{
    spinlock_t lock = SPIN_LOCK_UNLOCKED("try");

    fake_cpu_set(1);
    ck_assert_msg(spin_trylock(&lock), "a free lock cannot be taken");
    ck_assert(spin_is_locked_by_me(&lock));
    ck_assert_msg(!spin_trylock(&lock), "a held lock was taken again");
    fake_cpu_set(2);
    ck_assert(!spin_is_locked_by_me(&lock));
    ck_assert_msg(!spin_trylock(&lock), "CPU 2 took the lock CPU 1 holds");
    fake_cpu_set(1);
    spin_unlock(&lock);

    /* The failed tries took no ticket: the lock is free for anyone. */
    fake_cpu_set(2);
    ck_assert_msg(spin_trylock(&lock), "the lock is not free after unlock");
    spin_unlock(&lock);
    spin_lock(&lock); /* cpu_relax() would call a wait here a deadlock */
    spin_unlock(&lock);
    ck_assert(!spin_is_locked_by_me(&lock));
}
END_TEST

START_TEST(test_irqsave_restores)
{
    spinlock_t lock = SPIN_LOCK_UNLOCKED("irqsave");
    unsigned long flags;

    fake_irq_set(true);
    flags = spin_lock_irqsave(&lock);
    ck_assert_msg(!local_irq_is_enabled(),
                  "interrupts on while holding an irqsave lock");
    ck_assert(spin_is_locked_by_me(&lock));
    spin_unlock_irqrestore(&lock, flags);
    ck_assert_msg(local_irq_is_enabled(), "interrupts not turned back on");
    ck_assert(!spin_is_locked_by_me(&lock));

    /* Restore means put back, not turn on. */
    fake_irq_set(false);
    flags = spin_lock_irqsave(&lock);
    spin_unlock_irqrestore(&lock, flags);
    ck_assert_msg(!local_irq_is_enabled(),
                  "interrupts on after an irqsave taken with them off");
}
END_TEST

/* -------------------------------------------------------------------------
 * The checks: misuse panics, naming the lock, before changing anything.
 */

START_TEST(test_taken_again_panics)
{
    spinlock_t lock = SPIN_LOCK_UNLOCKED("again");

    spin_lock(&lock);
    ck_assert_panics(spin_lock(&lock));
    ck_assert_printed("Panic: lock 'again' taken again by CPU 0");
    spin_unlock(&lock);
    ck_assert_msg(spin_trylock(&lock), "the lock is not free after unlock");
    spin_unlock(&lock);
}
END_TEST

START_TEST(test_unlock_by_other_panics)
{
    spinlock_t lock = SPIN_LOCK_UNLOCKED("other");

    fake_cpu_set(1);
    spin_lock(&lock);
    fake_cpu_set(2);
    ck_assert_panics(spin_unlock(&lock));
    ck_assert_printed("Panic: lock 'other' released by CPU 2, but held by 1");
    ck_assert_msg(!spin_trylock(&lock), "a refused unlock freed the lock");

    fake_cpu_set(1);
    ck_assert(spin_is_locked_by_me(&lock));
    spin_unlock(&lock);
    printk_clear();
    ck_assert_panics(spin_unlock(&lock));
    ck_assert_printed("Panic: lock 'other' released by CPU 1, but held by -1");
}
END_TEST

START_TEST(test_irq_mixed_panics)
{
    spinlock_t on_first = SPIN_LOCK_UNLOCKED("on-first");
    spinlock_t off_first = SPIN_LOCK_UNLOCKED("off-first");

    fake_irq_set(true);
    spin_lock(&on_first);
    spin_unlock(&on_first);
    fake_irq_set(false);
    ck_assert_panics(spin_lock(&on_first));
    ck_assert_printed("Panic: lock 'on-first' taken with interrupts off, "
                      "but before with them on");
    /* spin_lock_irqsave() takes it with interrupts off too. */
    fake_irq_set(true);
    printk_clear();
    ck_assert_panics(spin_lock_irqsave(&on_first));
    ck_assert_printed("lock 'on-first' taken with interrupts off");

    fake_irq_set(false);
    spin_lock(&off_first);
    spin_unlock(&off_first);
    fake_irq_set(true);
    printk_clear();
    ck_assert_panics(spin_lock(&off_first));
    ck_assert_printed("Panic: lock 'off-first' taken with interrupts on, "
                      "but before with them off");
}
END_TEST

/* -------------------------------------------------------------------------
 * Reader-writer locks.
 */

#define SHARE_READERS 4

static struct {
    rwlock_t lock;
    unsigned int entered;            /**< readers that got in */
    bool saw_all[SHARE_READERS + 1]; /**< by CPU: all were in at once */
} share;

/** Get in, and stay until every reader is in (or a second has passed). */
static void share_cpu(unsigned int cpu, void *arg)
{
    long deadline = now_ns() + SECOND;

    (void)arg;
    read_lock(&share.lock);
    add(&share.entered, 1);
    while (load(&share.entered) < SHARE_READERS && now_ns() < deadline)
        sched_yield();
    share.saw_all[cpu] = load(&share.entered) == SHARE_READERS;
    read_unlock(&share.lock);
}

START_TEST(test_readers_share)
{
    unsigned int cpu;

    share = (typeof(share)){ .lock = RW_LOCK_UNLOCKED("share") };
    fake_cpus_start(SHARE_READERS, share_cpu, NULL);
    fake_cpus_join();
    for (cpu = 1; cpu <= SHARE_READERS; cpu++)
        ck_assert_msg(share.saw_all[cpu],
                      "reader CPU %u never had the %u others inside with it",
                      cpu, SHARE_READERS - 1);
}
END_TEST

#define EXCL_WRITERS 2
#define EXCL_READERS 3
#define EXCL_ROUNDS  2000

static struct {
    rwlock_t lock;
    volatile unsigned int a, b; /**< a pair: writers update both */
    unsigned int readers_inside;
    unsigned int torn;    /**< reads that saw a != b */
    unsigned int crowded; /**< writes with a reader inside */
} excl;

/** CPUs 1..EXCL_WRITERS write the pair, the others read it. */
static void excl_cpu(unsigned int cpu, void *arg)
{
    unsigned int round, a, b;

    (void)arg;
    for (round = 0; round < EXCL_ROUNDS; round++) {
        if (cpu <= EXCL_WRITERS) {
            write_lock(&excl.lock);
            excl.a = excl.a + 1;
            dawdle();
            /* A reader let in now has yet to leave: it dawdles too. */
            if (load(&excl.readers_inside))
                add(&excl.crowded, 1);
            excl.b = excl.b + 1;
            write_unlock(&excl.lock);
        } else {
            read_lock(&excl.lock);
            add(&excl.readers_inside, 1);
            a = excl.a;
            dawdle();
            b = excl.b;
            add(&excl.readers_inside, -1);
            read_unlock(&excl.lock);
            if (a != b)
                add(&excl.torn, 1);
        }
        /* Leave the lock free now and then: a writer gets in, and readers
         * come while it writes. */
        dawdle();
    }
}

START_TEST(test_writer_excludes)
{
    excl = (typeof(excl)){ .lock = RW_LOCK_UNLOCKED("excl") };
    fake_cpus_start(EXCL_WRITERS + EXCL_READERS, excl_cpu, NULL);
    fake_cpus_join();

    ck_assert_msg(!excl.crowded && !excl.torn,
                  "%u writes with a reader inside, %u reads saw half a write",
                  excl.crowded, excl.torn);
    ck_assert_msg(excl.a == EXCL_WRITERS * EXCL_ROUNDS &&
                      excl.b == EXCL_WRITERS * EXCL_ROUNDS,
                  "%u writers x %u writes counted %u and %u: writers shared "
                  "the lock",
                  EXCL_WRITERS, EXCL_ROUNDS, excl.a, excl.b);
}
END_TEST

/*
 * A stream of readers that never leaves the lock free: each reader stays
 * inside until another has come in after it (or HOLD has passed), and
 * comes back at once. A lock that lets readers in while a writer waits
 * keeps the writer out for as long as the stream flows; this one must
 * let it in after about HOLD.
 */
#define STREAM_READERS 3
#define STREAM_WRITES  10
#define HOLD           (5 * MS)
#define WAIT_LIMIT     SECOND /**< a write_lock() waiting longer starved */

static struct {
    rwlock_t lock;
    unsigned int entries; /**< readers that came in, so far */
    unsigned int stop;    /**< the test is over: readers, go home */
    unsigned int writes;  /**< the writer's write_lock() calls done */
    long longest;         /**< the writer's longest wait, ns */
} stream;

/** Wait (unless the test stops) until @p n more readers came in. */
static void wait_for_readers(unsigned int n)
{
    unsigned int target = load(&stream.entries) + n;

    while ((int)(load(&stream.entries) - target) < 0 && !load(&stream.stop))
        sched_yield();
}

static void stream_cpu(unsigned int cpu, void *arg)
{
    unsigned int me;
    long start;

    (void)arg;
    if (cpu > STREAM_READERS) { /* the writer */
        wait_for_readers(100);
        while (load(&stream.writes) < STREAM_WRITES && !load(&stream.stop)) {
            start = now_ns();
            write_lock(&stream.lock);
            if (now_ns() - start > stream.longest)
                stream.longest = now_ns() - start;
            write_unlock(&stream.lock);
            add(&stream.writes, 1);
            wait_for_readers(20);
        }
        return;
    }
    while (!load(&stream.stop)) {
        read_lock(&stream.lock);
        me = __atomic_add_fetch(&stream.entries, 1, __ATOMIC_ACQ_REL);
        start = now_ns();
        while (load(&stream.entries) == me && now_ns() - start < HOLD)
            sched_yield();
        read_unlock(&stream.lock);
    }
}

START_TEST(test_writer_not_starved)
{
    long deadline = now_ns() + 3 * SECOND;

    stream = (typeof(stream)){ .lock = RW_LOCK_UNLOCKED("stream") };
    fake_cpus_start(STREAM_READERS + 1, stream_cpu, NULL);
    while (load(&stream.writes) < STREAM_WRITES && now_ns() < deadline)
        sched_yield();
    __atomic_store_n(&stream.stop, 1, __ATOMIC_RELEASE);
    fake_cpus_join();

    ck_assert_msg(stream.writes >= STREAM_WRITES,
                  "the writer got in %u times of %u in 3 s, with readers "
                  "coming",
                  stream.writes, STREAM_WRITES);
    ck_assert_msg(stream.longest < WAIT_LIMIT,
                  "the writer waited %ld ms for readers that stay %ld ms",
                  stream.longest / MS, HOLD / MS);
}
END_TEST

Suite *unit_suite(void)
{
    Suite *s = suite_create("spinlock");
    TCase *spin = tcase_create("spinlock");
    TCase *checks = tcase_create("checks");
    TCase *rw = tcase_create("rwlock");

    tcase_add_checked_fixture(spin, setup, NULL);
    tcase_add_checked_fixture(checks, setup, NULL);
    tcase_add_checked_fixture(rw, setup, NULL);
    /* Past fake_cpus_join()'s timeout, so that it reports a hang. */
    tcase_set_timeout(spin, 3 * FAKE_CPUS_TIMEOUT);
    tcase_set_timeout(rw, 3 * FAKE_CPUS_TIMEOUT);

    tcase_add_test(spin, test_counter_exact);
    tcase_add_test(spin, test_fifo_order);
    tcase_add_test(spin, test_trylock);
    tcase_add_test(spin, test_irqsave_restores);
    tcase_add_test(checks, test_taken_again_panics);
    tcase_add_test(checks, test_unlock_by_other_panics);
    tcase_add_test(checks, test_irq_mixed_panics);
    tcase_add_test(rw, test_readers_share);
    tcase_add_test(rw, test_writer_excludes);
    tcase_add_test(rw, test_writer_not_starved);
    suite_add_tcase(s, spin);
    suite_add_tcase(s, checks);
    suite_add_tcase(s, rw);
    return s;
}
