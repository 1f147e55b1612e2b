/**
 * @file
 * @brief Lab 7 test guest: a CPU-bound (or I/O-like) domain that measures
 *        what share of the CPU the scheduler gives it.
 *
 * It does work in small units (a loop of UNIT_ITERS iterations, a few
 * microseconds: far less than a time slice) and counts the units it does
 * between two points of system time, `from=` and `until=` (ms), that every
 * domain of a test is given alike. Several of these on one CPU each count
 * in proportion to the CPU time they got there, so a domain's share is its
 * count over the sum of all counts. Under `-icount shift=0,sleep=off` (one
 * TSC tick per guest instruction, docs QEMU.md) the counts are the same
 * run after run. Starting the count at `from=`, past the boot, leaves out
 * the start, when the domains begin one after the other.
 *
 * The unit is counted if it starts in the window; the count is off by at
 * most one unit at either end, whoever runs when the window opens or
 * closes. Reading the clock (guest_now()) once per unit costs the same in
 * every domain, so it does not bend the shares.
 *
 * Command line:
 *  - `name=NAME` (default "spin"), printed in its lines.
 *  - `from=MS` (default 0), `until=MS` (default 1000): the window, in ms
 *    of system time.
 *  - `mode=hog` (the default): never gives the CPU up. Prints
 *    "spin: NAME did N units in T ms (from F to U)" at `until=`, then
 *    for each vCPU K "spin: NAME vK ran R ms of T ms": R is the vCPU's
 *    running time in the window (RUNSTATE_running, read when the window
 *    opens and when it closes, rounded down), T = U - F; and shuts down.
 *  - `mode=yield`: the same, with SCHEDOP_yield after every unit.
 *  - `vcpus=N` (default 1; mode=hog or yield): vCPUs 1 to N-1 (the
 *    domain needs `vcpus=N` too) work as vCPU 0 does, in the same
 *    window; N in the "did" line is the sum over all of them. vCPU 0
 *    prints for all, once they are done (the console is not per vCPU).
 *  - `mode=io`: sleeps SLEEP_MS (a timer, set_timer_op, and a block),
 *    then works WORK_MS, again and again; measures how long after each
 *    timer's deadline it runs again (its wake-up latency: a scheduler
 *    with BOOST runs it at once, ahead of CPU hogs) and prints
 *    "spin: NAME woke K times: latency max X us, avg Y us". Only
 *    wake-ups whose deadline falls in the window count.
 */
#include <public/sched.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/smp.h>
#include <guest/string.h>
#include <guest/test.h>

/** Nanoseconds in a millisecond. */
#define MS 1000000ULL
/** Nanoseconds in a microsecond. */
#define US 1000ULL

/** Loop iterations in a unit of work: a few thousand instructions. */
#define UNIT_ITERS 1000
/** `until=` without the option, in ms. */
#define DEFAULT_UNTIL_MS 1000
/** mode=io: how long it sleeps between bursts of work. */
#define SLEEP_MS 20
/** mode=io: how long each burst of work lasts. */
#define WORK_MS 1
/** Longest name printed, with the NUL. */
#define NAME_SIZE 32

/** One unit of work: a loop that the compiler must keep. */
static void work_unit(void)
{
    unsigned int i;

    for (i = 0; i < UNIT_ITERS; i++)
        __asm__ volatile("" ::: "memory");
}

/**
 * Work until system time @p until; count the units that start at or after
 * @p from. With @p yield, give the CPU up after every unit.
 * @return the units counted.
 */
static unsigned long work_until(uint64_t from, uint64_t until, bool yield)
{
    unsigned long units = 0;
    uint64_t now;

    while ((now = guest_now()) < until) {
        work_unit();
        units += now >= from;
        if (yield)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return units;
}

/** The window of mode=hog and mode=yield, the same for every vCPU. */
struct window {
    uint64_t from;  /**< when counting starts, ns of system time */
    uint64_t until; /**< when it stops */
    bool yield;     /**< mode=yield */
};

/** What one vCPU did in the window. */
struct share {
    unsigned long units; /**< units counted */
    uint64_t ran_ns;     /**< its running time in the window */
};

/** Each vCPU's share, by vCPU number. */
static struct share shares[SMP_MAX_VCPUS];

/** The calling vCPU's running time so far, in ns. */
static uint64_t running_ns(void)
{
    struct vcpu_runstate_info r;
    long rc =
        HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, smp_processor_id(), &r);

    if (rc)
        test_error("spin: VCPUOP_get_runstate_info: %ld", rc);
    return r.time[RUNSTATE_running];
}

/**
 * Work through window @p arg (a struct window) on the calling vCPU, and
 * fill in its share: an smp_fn_t, run by every vCPU of the domain.
 */
static void work_window(void *arg)
{
    const struct window *w = arg;
    struct share *s = &shares[smp_processor_id()];
    uint64_t ran;

    work_until(w->from, w->from, w->yield); /* up to it: counts nothing */
    ran = running_ns();
    s->units = work_until(w->from, w->until, w->yield);
    s->ran_ns = running_ns() - ran;
}

/**
 * Work in window @p w on vCPUs 0 to @p vcpus - 1 (started here); print
 * the units of all of them, then each one's running time.
 */
static void spin_window(const char *name, struct window *w, unsigned int vcpus)
{
    unsigned long units = 0, ms = (w->until - w->from) / MS;
    unsigned int id;
    long rc;

    for (id = 1; id < vcpus; id++) {
        rc = smp_start_vcpu(id, work_window, w);
        if (rc)
            test_error("spin: starting vCPU %u: %ld", id, rc);
    }
    work_window(w);
    for (id = 0; id < vcpus; id++) {
        if (id)
            smp_wait_vcpu(id);
        units += shares[id].units;
    }
    printf("spin: %s did %lu units in %lu ms (from %lu to %lu)\n", name, units,
           ms, (unsigned long)(w->from / MS), (unsigned long)(w->until / MS));
    for (id = 0; id < vcpus; id++)
        printf("spin: %s v%u ran %lu ms of %lu ms\n", name, id,
               (unsigned long)(shares[id].ran_ns / MS), ms);
}

/** Timer ticks (VIRQ_TIMER events) handled, for mode=io. */
static volatile unsigned long ticks;

/**
 * mode=io: sleep SLEEP_MS, work WORK_MS, until @p until; print the
 * latency of the wake-ups whose deadline is at or after @p from.
 */
static void io_loop(const char *name, uint64_t from, uint64_t until)
{
    uint64_t now, deadline, late, worst = 0, sum = 0;
    unsigned long wakes = 0;
    long port = evtchn_bind_virq(VIRQ_TIMER);

    if (port < 0)
        test_error("spin: bind_virq VIRQ_TIMER: %ld", port);
    evtchn_set_handler(port, evtchn_count_event, (void *)&ticks);
    events_enable();
    while ((deadline = guest_now() + SLEEP_MS * MS) < until) {
        unsigned long before = ticks;

        CHECK_EQ(HYPERVISOR_set_timer_op(deadline), 0);
        events_wait(&ticks, before + 1);
        now = guest_now();
        late = now - deadline;
        CHECK(now >= deadline, "woke %llu ns before the timer",
              (unsigned long long)(deadline - now));
        if (deadline >= from) {
            worst = late > worst ? late : worst;
            sum += late;
            wakes++;
        }
        work_until(now, now + WORK_MS * MS, false);
    }
    printf("spin: %s woke %lu times: latency max %llu us, avg %llu us\n", name,
           wakes, (unsigned long long)(worst / US),
           (unsigned long long)(wakes ? sum / wakes / US : 0));
}

/** Copy the value of the command line's `name=` into @p name, if any. */
static void get_name(const char *cmdline, char name[NAME_SIZE])
{
    const char *s = strstr(cmdline, "name=");
    size_t n = 0;

    while (s && s != cmdline && s[-1] != ' ') /* "rename=" is not it */
        s = strstr(s + 1, "name=");
    if (!s)
        return;
    for (s += 5; n < NAME_SIZE - 1 && s[n] && s[n] != ' '; n++)
        name[n] = s[n];
    name[n] = '\0';
}

void test_main(const struct start_info *si)
{
    unsigned long from = 0, until = DEFAULT_UNTIL_MS, vcpus = 1;
    char name[NAME_SIZE] = "spin";
    bool io = cmdline_is(si->cmd_line, "mode", "io");
    bool yield = cmdline_is(si->cmd_line, "mode", "yield");

    get_name(si->cmd_line, name);
    cmdline_get_ulong(si->cmd_line, "from", &from);
    cmdline_get_ulong(si->cmd_line, "until", &until);
    cmdline_get_ulong(si->cmd_line, "vcpus", &vcpus);
    if (from >= until)
        test_error("spin: from=%lu is not before until=%lu", from, until);
    if (!io && !yield && !cmdline_selects(si->cmd_line, "mode", "hog"))
        test_error("spin: mode= is hog, yield or io");
    if (vcpus < 1 || vcpus > SMP_MAX_VCPUS || (io && vcpus > 1))
        test_error("spin: vcpus=%lu: 1 to %u, and 1 with mode=io", vcpus,
                   SMP_MAX_VCPUS);
    if (vcpus > smp_nr_vcpus())
        test_error("spin: vcpus=%lu, but the domain has %u", vcpus,
                   smp_nr_vcpus());
    events_init(si);
    if (io) {
        io_loop(name, from * MS, until * MS);
        return;
    }
    spin_window(name, &(struct window){ from * MS, until * MS, yield }, vcpus);
}
