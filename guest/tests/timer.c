/**
 * @file
 * @brief Lab 6 test guest: time in a PV guest: the clock in vcpu_info,
 *        the wall clock, the runstate, SCHEDOP_poll, and the timers that
 *        raise VIRQ_TIMER.
 *
 * Runs alone, as dom0. Three parts:
 *  - clock: guest_now() never goes back (over many reads, yields and
 *    blocks); the wall clock is of this century; VCPUOP_get_runstate_info
 *    and a registered runstate area follow running and blocking;
 *    SCHEDOP_poll on a quiet port returns at its timeout; the argument
 *    errors (table clock_errors). Needs none of lab 6's exercises: no
 *    event is delivered.
 *  - poll: SCHEDOP_poll on the masked timer port wakes when a timer marks
 *    the port pending (not before, and long before the poll's timeout),
 *    and returns at once when the port is pending already.
 *  - timers: one-shot timers (set_timer_op, VCPUOP_set_singleshot_timer)
 *    and a periodic one raise VIRQ_TIMER, never before their time;
 *    stopped and cancelled ones stay quiet. Last, vcpu_info moves into a
 *    page of ours (VCPUOP_register_vcpu_info, which the runtime follows):
 *    guest_now() goes on, and a timer still ticks.
 *
 * How late a timer may be depends on the host running QEMU, so nothing
 * printed depends on it: the guest only checks that a timer comes within
 * WAIT_NS, and never early.
 *
 * Command line: `part=clock`, `part=poll` or `part=timers` runs one part;
 * without it, all three: poll, timers, then clock, which runs with
 * vcpu_info moved.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/layout.h>
#include <guest/pagetable.h>
#include <guest/string.h>
#include <guest/test.h>

/** Nanoseconds in a millisecond. */
#define MS 1000000ULL

/** How long a timer may take at most before the guest calls it lost. */
#define WAIT_NS (1000 * MS)

/** @name Amounts of the clock part */
/**@{*/
#define CLOCK_READS  100000   /**< guest_now() reads in a row */
#define CLOCK_YIELDS 100      /**< yields, guest_now() read around each */
#define CLOCK_BLOCKS 10       /**< 1 ms polls, guest_now() read around each */
#define SPIN_NS      (2 * MS) /**< spinning between two runstate reads */
#define POLL_NS      (5 * MS) /**< the timeout of the poll on a quiet port */
#define BLOCK_TRIES  100      /**< polls that may return without sleeping */
/**@}*/

/** The wall clock must be in [2024, 2100): 2024-01-01, 2100-01-01 UTC. */
#define WALLCLOCK_MIN 1704067200ULL
#define WALLCLOCK_MAX 4102444800ULL /**< see WALLCLOCK_MIN */

/** @name Timers of the timers part */
/**@{*/
#define ONE_SHOTS      10       /**< set_timer_op 1, 2 ... ONE_SHOTS ms ahead */
#define PERIOD_NS      (2 * MS) /**< the periodic timer's period */
#define PERIODIC_TICKS 10       /**< its ticks counted */
#define QUIET_NS       (20 * MS) /**< a wait in which no tick may come */
/**@}*/

/** Where vcpu_info moves to in its page: not at the start, so that the
 *  offset counts too. */
#define VCPU_INFO_OFFSET 128U

/** The page of the image vcpu_info moves into, at the timers part's end. */
static uint8_t vcpu_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/*
 * The timer port and its ticks.
 */

/** The port of VIRQ_TIMER, while a part has it bound. */
static evtchn_port_t timer_port;

/** Ticks handled on it, and guest_now() at the last. */
static volatile unsigned long ticks;
static volatile uint64_t last_tick_at; /**< see ticks */

/** The timer port's handler: count the tick, note its time. */
static void on_tick(evtchn_port_t port, void *data)
{
    (void)port;
    (void)data;
    last_tick_at = guest_now();
    ticks++;
}

/** evtchn_poll() of @p port until @p timeout. @return guest_now() after. */
static uint64_t poll_port(evtchn_port_t port, uint64_t timeout)
{
    CHECK_EQ(evtchn_poll(port, timeout), 0);
    return guest_now();
}

/** The runstate of vCPU 0, now. */
static struct vcpu_runstate_info runstate(void)
{
    struct vcpu_runstate_info r;

    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &r), 0);
    return r;
}

/**
 * Block for @p ns in a poll on @p port, where no event may come; again
 * (BLOCK_TRIES times at most) until the vCPU has really slept, as its
 * blocked time shows: a poll whose timeout has passed when it starts (the
 * host may hold QEMU up for a while) returns without sleeping. A switch
 * back into the vCPU updates its time in vcpu_info.
 */
static void block_for(evtchn_port_t port, uint64_t ns)
{
    uint64_t blocked = runstate().time[RUNSTATE_blocked], until;
    unsigned int tries = 0;

    do {
        until = guest_now() + ns;
        while (poll_port(port, until) < until)
            ;
    } while (runstate().time[RUNSTATE_blocked] == blocked &&
             ++tries < BLOCK_TRIES);
}

/**
 * Sleep on the timer port until @p ticks reaches @p n, or WAIT_NS have
 * passed. @return whether it reached @p n.
 *
 * Events are disabled while it looks and polls: a tick handled between
 * the look and the poll would otherwise leave the poll waiting for the
 * next. The poll wakes when the port is pending, masked or not; the
 * upcall comes when events are enabled again.
 */
static bool wait_ticks(unsigned long n)
{
    uint64_t deadline = guest_now() + WAIT_NS;

    events_disable();
    while (ticks < n && guest_now() < deadline) {
        poll_port(timer_port, deadline);
        events_enable();
        events_disable();
    }
    events_enable();
    return ticks >= n;
}

/** Sleep until system time @p until; @return the ticks meanwhile. */
static unsigned long ticks_until(uint64_t until)
{
    unsigned long before = ticks;

    while (poll_port(timer_port, until) < until)
        ;
    return ticks - before;
}

/** Bind VIRQ_TIMER to timer_port, with on_tick() its handler. */
static void bind_timer(void)
{
    long port = evtchn_bind_virq(VIRQ_TIMER);

    if (port < 0)
        test_error("timer: bind_virq VIRQ_TIMER: %ld", port);
    timer_port = port;
    evtchn_set_handler(timer_port, on_tick, NULL);
}

/*
 * The poll part.
 */

/** SCHEDOP_poll on the masked timer port: woken by the timer's VIRQ. */
static void part_poll(void)
{
    uint64_t deadline, timeout, woke, again;

    bind_timer();
    evtchn_mask(timer_port);
    deadline = guest_now() + 2 * MS;
    timeout = guest_now() + WAIT_NS;
    CHECK_EQ(HYPERVISOR_set_timer_op(deadline), 0);
    woke = poll_port(timer_port, timeout);
    printf("timer: poll on the masked timer port, a timer 2 ms ahead: woke "
           "%s the timer, %s its timeout; pending %u\n",
           woke >= deadline ? "after" : "BEFORE",
           woke < timeout ? "before" : "at", evtchn_is_pending(timer_port));
    CHECK(woke >= deadline, "the poll returned %llu ns before the timer",
          (unsigned long long)(deadline - woke));
    CHECK(woke < timeout, "the poll waited for its timeout");
    CHECK_EQ(evtchn_is_pending(timer_port), 1);

    timeout = guest_now() + WAIT_NS;
    again = poll_port(timer_port, timeout);
    printf("timer: poll on it, pending already: returned %s its timeout\n",
           again < timeout ? "long before" : "at");
    CHECK(again < timeout, "a poll on a pending port waited");
    CHECK_EQ(ticks, 0); /* masked: never delivered */
    CHECK_EQ(evtchn_close(timer_port), 0);
    /* The mask bit is the guest's and outlives the port: clear it, for
     * whatever is bound to this port number next. */
    CHECK_EQ(evtchn_unmask(timer_port), 0);
}

/*
 * The timers part.
 */

/** Set a singleshot timer at @p deadline with @p flags. */
static long set_singleshot(uint64_t deadline, uint32_t flags)
{
    struct vcpu_set_singleshot_timer s = { .timeout_abs_ns = deadline,
                                           .flags = flags };

    return HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s);
}

/** Set a periodic timer of @p period ns. */
static long set_periodic(uint64_t period)
{
    struct vcpu_set_periodic_timer p = { .period_ns = period };

    return HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &p);
}

/**
 * Wait for the tick of a timer set to fire at @p deadline, when @p before
 * ticks had come (counted before the timer was set: it may fire on the
 * way back from the hypercall that sets it). Check that it comes, and not
 * before @p deadline; if it never comes, the part cannot go on.
 * @return whether it came in time.
 */
static bool expect_tick(unsigned long before, uint64_t deadline)
{
    if (!wait_ticks(before + 1))
        test_error("timer: no VIRQ_TIMER upcall within 1 s of a timer");
    return CHECK(last_tick_at >= deadline, "a tick came %llu ns early",
                 (unsigned long long)(deadline - last_tick_at));
}

/**
 * The end of the timers part: VCPUOP_register_vcpu_info, through the
 * runtime, into a page of ours. The hypervisor copies vcpu_info there,
 * masked as it was and flagged for a look at every word (an event may
 * have gone to the old copy meanwhile), and keeps the time there from
 * then on; once only. The runtime follows: guest_now() goes on, and a
 * timer still raises its VIRQ, now through the new copy's bits.
 */
static void timer_after_move(void)
{
    volatile struct vcpu_info *moved =
        (volatile struct vcpu_info *)(vcpu_info_page + VCPU_INFO_OFFSET);
    uint64_t before = guest_now(), now, deadline;
    uint32_t old_version, new_version;
    unsigned long ticks_before;
    long rc;

    events_disable(); /* the new copy's bits stay as the hypervisor wrote */
    rc = events_register_vcpu_info(moved);
    printf("timer: register_vcpu_info in a page of ours, at offset %u: %ld\n",
           VCPU_INFO_OFFSET, rc);
    if (!CHECK_EQ(rc, 0))
        return;
    printf("timer: the new vcpu_info: mask %u, upcall_pending %u, "
           "pending_sel %s\n",
           moved->evtchn_upcall_mask, moved->evtchn_upcall_pending,
           moved->evtchn_pending_sel == ~0UL ? "all ones" : "NOT all ones");
    CHECK_EQ(moved->evtchn_upcall_mask, 1);
    CHECK_EQ(moved->evtchn_upcall_pending, 1);
    CHECK(moved->evtchn_pending_sel == ~0UL, "pending_sel is %#lx",
          (unsigned long)moved->evtchn_pending_sel);

    now = guest_now();
    printf("timer: guest_now() across the move: went on: %s\n",
           now >= before && now < before + WAIT_NS ? "yes" : "no");
    if (!CHECK(now >= before && now < before + WAIT_NS,
               "guest_now() went from %llu to %llu ns",
               (unsigned long long)before, (unsigned long long)now))
        return; /* block_for() would wait for ever */

    old_version = shared_info->vcpu_info[0].time.version;
    new_version = moved->time.version;
    block_for(timer_port, MS);
    printf("timer: after a block: the new vcpu_info's time updated: %s; "
           "the old one's: %s\n",
           moved->time.version != new_version ? "yes" : "no",
           shared_info->vcpu_info[0].time.version != old_version ? "yes"
                                                                 : "no");
    CHECK(moved->time.version != new_version && !(moved->time.version & 1),
          "the new copy's time version went from %u to %u", new_version,
          moved->time.version);
    CHECK_EQ(shared_info->vcpu_info[0].time.version, old_version);

    /* Refused, the runtime stays with the copy it follows. */
    rc = events_register_vcpu_info((volatile struct vcpu_info *)vcpu_info_page);
    printf("timer: register_vcpu_info again: %ld\n", rc);
    CHECK_EQ(rc, -XEN_EINVAL);

    events_enable();
    ticks_before = ticks;
    deadline = guest_now() + 2 * MS;
    CHECK_EQ(HYPERVISOR_set_timer_op(deadline), 0);
    printf("timer: after the move: a timer 2 ms ahead %s\n",
           expect_tick(ticks_before, deadline) ? "fired, not early" : "WRONG");
}

/** One-shot timers, a periodic one, and ones stopped before their time. */
static void part_timers(void)
{
    unsigned int k, good = 0;
    uint64_t deadline, start;
    unsigned long before, quiet;

    bind_timer();
    events_enable();

    for (k = 1; k <= ONE_SHOTS; k++) {
        before = ticks;
        deadline = guest_now() + k * MS;
        CHECK_EQ(HYPERVISOR_set_timer_op(deadline), 0);
        good += expect_tick(before, deadline);
    }
    quiet = ticks_until(guest_now() + QUIET_NS);
    printf("timer: set_timer_op 1 to %u ms ahead: %u of %u fired, none "
           "early; then %lu ticks in 20 ms\n",
           ONE_SHOTS, good, ONE_SHOTS, quiet);
    CHECK_EQ(quiet, 0);

    before = ticks;
    deadline = guest_now() + 2 * MS;
    printf("timer: VCPUOP_set_singleshot_timer 2 ms ahead: %ld",
           set_singleshot(deadline, VCPU_SSHOTTMR_future));
    printf("; %s\n",
           expect_tick(before, deadline) ? "fired, not early" : "WRONG");

    /* set_timer_op in the past fires at once. */
    before = ticks;
    CHECK_EQ(HYPERVISOR_set_timer_op(1), 0);
    printf("timer: set_timer_op in the past: %s\n",
           expect_tick(before, 0) ? "fired" : "WRONG");

    /* Timers stopped before their time: no tick until well past it. A
     * tick that came before the stop (the host may hold QEMU up) has been
     * handled on the way back from the stop, before ticks_until() counts. */
    deadline = guest_now() + QUIET_NS;
    CHECK_EQ(set_singleshot(deadline, 0), 0);
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0);
    quiet = ticks_until(deadline + QUIET_NS);
    printf("timer: a singleshot timer stopped before its time: %lu ticks "
           "until 20 ms past it\n",
           quiet);
    CHECK_EQ(quiet, 0);
    deadline = guest_now() + QUIET_NS;
    CHECK_EQ(HYPERVISOR_set_timer_op(deadline), 0);
    CHECK_EQ(HYPERVISOR_set_timer_op(0), 0);
    quiet = ticks_until(deadline + QUIET_NS);
    printf("timer: set_timer_op(0) cancels: %lu ticks until 20 ms past "
           "it\n",
           quiet);
    CHECK_EQ(quiet, 0);

    /* Tick k comes k periods after the set, or later (a period that
     * passed before the guest saw its tick only makes the next later). */
    before = ticks;
    start = guest_now();
    CHECK_EQ(set_periodic(PERIOD_NS), 0);
    for (k = 1, good = 0; k <= PERIODIC_TICKS; k++)
        good += expect_tick(before + k - 1, start + k * PERIOD_NS);
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0);
    quiet = ticks_until(guest_now() + QUIET_NS);
    printf("timer: periodic, every 2 ms: %u of %u ticks, none early; "
           "stopped: %lu ticks in 20 ms\n",
           good, PERIODIC_TICKS, quiet);
    CHECK_EQ(good, PERIODIC_TICKS);
    CHECK_EQ(quiet, 0);

    timer_after_move();
    events_disable();
    CHECK_EQ(evtchn_close(timer_port), 0);
}

/*
 * The clock part.
 */

/** Is @p year a leap year? */
static bool leap(unsigned int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/** The year (UTC) @p sec seconds after 1970 began. */
static unsigned int year_of(uint64_t sec)
{
    uint64_t days = sec / 86400;
    unsigned int year = 1970;

    while (days >= (leap(year) ? 366U : 365U))
        days -= leap(year++) ? 366 : 365;
    return year;
}

/** The runstate area the hypervisor keeps up to date. */
static volatile struct vcpu_runstate_info runstate_area;

/** VCPUOP_register_runstate_memory_area at @p addr (0: none). */
static long register_runstate(uintptr_t addr)
{
    struct vcpu_register_runstate_memory_area a = { .addr = addr };

    return HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a);
}

/** A port nothing sends on, for polls that sleep until their timeout. */
static evtchn_port_t quiet_port;

/** guest_now() over reads, yields and blocks: never backwards. */
static void clock_monotonic(void)
{
    uint64_t last = guest_now(), now;
    unsigned int i, back = 0;

    for (i = 0; i < CLOCK_READS; i++, last = now)
        back += (now = guest_now()) < last;
    for (i = 0; i < CLOCK_YIELDS; i++, last = now) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        back += (now = guest_now()) < last;
    }
    for (i = 0; i < CLOCK_BLOCKS; i++, last = now) {
        block_for(quiet_port, MS);
        back += (now = guest_now()) < last;
    }
    printf("timer: guest_now() over %u reads, %u yields and %u blocks: "
           "went back %u times\n",
           CLOCK_READS, CLOCK_YIELDS, CLOCK_BLOCKS, back);
    CHECK_EQ(back, 0);
}

/** The wall clock: this century. */
static void clock_wallclock(void)
{
    uint64_t sec = guest_wallclock();
    unsigned int year = year_of(sec);

    printf("timer: wall clock: year %u\n", year);
    CHECK(sec >= WALLCLOCK_MIN && sec < WALLCLOCK_MAX,
          "the wall clock says %llu s since 1970", (unsigned long long)sec);
    CHECK(!(shared_info->wc_version & 1), "wc_version is odd");
}

/** The runstate: by hypercall, and in a registered area. */
static void clock_runstate(void)
{
    struct vcpu_runstate_info a = runstate(), b, c;
    uint64_t until = guest_now() + SPIN_NS, entered, blocked;

    while (guest_now() < until)
        ;
    b = runstate();
    printf("timer: runstate: %s; running time grew by the 2 ms spun: %s\n",
           b.state == RUNSTATE_running ? "running" : "NOT running",
           b.time[RUNSTATE_running] >= a.time[RUNSTATE_running] + SPIN_NS
               ? "yes"
               : "no");
    CHECK_EQ(b.state, RUNSTATE_running);
    CHECK(b.time[RUNSTATE_running] >= a.time[RUNSTATE_running] + SPIN_NS,
          "running time grew by %llu ns in a spin of 2 ms",
          (unsigned long long)(b.time[RUNSTATE_running] -
                               a.time[RUNSTATE_running]));
    block_for(quiet_port, POLL_NS);
    c = runstate();
    printf("timer: runstate after a block: blocked time grew: %s\n",
           c.time[RUNSTATE_blocked] > b.time[RUNSTATE_blocked] ? "yes" : "no");
    CHECK(c.time[RUNSTATE_blocked] > b.time[RUNSTATE_blocked],
          "blocked time stayed %llu ns", (unsigned long long)c.time[2]);

    /* The area is written at once, then whenever the vCPU is switched
     * in: after a block, it is running again, since a later time. */
    CHECK_EQ(register_runstate((uintptr_t)&runstate_area), 0);
    CHECK_EQ(runstate_area.state, RUNSTATE_running);
    entered = runstate_area.state_entry_time;
    blocked = runstate_area.time[RUNSTATE_blocked];
    block_for(quiet_port, MS);
    printf("timer: runstate area: after a block, running since a later "
           "time: %s; blocked time grew: %s\n",
           runstate_area.state == RUNSTATE_running &&
                   runstate_area.state_entry_time > entered
               ? "yes"
               : "no",
           runstate_area.time[RUNSTATE_blocked] > blocked ? "yes" : "no");
    CHECK_EQ(runstate_area.state, RUNSTATE_running);
    CHECK(runstate_area.state_entry_time > entered, "the area stood still");
    CHECK(runstate_area.time[RUNSTATE_blocked] > blocked,
          "the area's blocked time stood still");
    CHECK_EQ(register_runstate(0), 0);
    entered = runstate_area.state_entry_time;
    block_for(quiet_port, MS);
    printf("timer: runstate area unregistered: left alone: %s\n",
           runstate_area.state_entry_time == entered ? "yes" : "no");
    CHECK(runstate_area.state_entry_time == entered,
          "the hypervisor wrote the area after it was unregistered");
}

/** SCHEDOP_poll on a quiet port sleeps until its timeout. */
static void clock_poll_timeout(void)
{
    uint64_t timeout = guest_now() + POLL_NS, woke;

    woke = poll_port(quiet_port, timeout);
    printf("timer: poll on a quiet port, 5 ms timeout: returned %s the "
           "timeout; pending %u\n",
           woke >= timeout ? "after" : "BEFORE", evtchn_is_pending(quiet_port));
    CHECK(woke >= timeout, "the poll returned %llu ns early",
          (unsigned long long)(timeout - woke));
    CHECK_EQ(evtchn_is_pending(quiet_port), 0);
}

/*
 * The errors of the clock part: calls that must fail, and Xen's answer
 * to each (xen/common/domain.c do_vcpu_op(), xen/common/sched/core.c
 * do_poll()).
 */

/** A periodic timer under Xen's minimum of 1 ms. */
static long periodic_too_short(void)
{
    return set_periodic(MS - 1);
}

/** A singleshot timer in the past that must be in the future. */
static long singleshot_in_past(void)
{
    return set_singleshot(1, VCPU_SSHOTTMR_future);
}

/** The runstate of vCPU 1, which does not exist. */
static long runstate_of_vcpu1(void)
{
    struct vcpu_runstate_info r;

    return HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 1, &r);
}

/** A runstate area in the hypervisor's part of the address space. */
static long runstate_area_in_hypervisor(void)
{
    return register_runstate(HYPERVISOR_VIRT_START);
}

/** vcpu_info where it does not fit: at the end of a page. */
static long vcpu_info_past_page(void)
{
    struct vcpu_register_vcpu_info r = {
        .mfn = virt_to_mfn(_image_start),
        .offset = PAGE_SIZE - sizeof(struct vcpu_info) / 2,
    };

    return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r);
}

/** SCHEDOP_poll of more ports than Xen's 128. */
static long poll_too_many(void)
{
    static uint32_t ports[SCHED_POLL_MAX_PORTS + 1];
    struct sched_poll poll = { .ports = ports,
                               .nr_ports = SCHED_POLL_MAX_PORTS + 1 };

    return HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

/** SCHEDOP_poll with its list of ports at NULL. */
static long poll_ports_at_null(void)
{
    struct sched_poll poll = { .ports = NULL, .nr_ports = 1 };

    return HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

/** One call that must fail, and Xen's answer. */
static const struct {
    const char *what;      /**< printed */
    long (*attempt)(void); /**< makes the call */
    long xen_answer;       /**< the negated XEN_E* */
} clock_errors[] = {
    { "periodic timer of 1 ms - 1 ns", periodic_too_short, -XEN_EINVAL },
    { "singleshot timer in the past, VCPU_SSHOTTMR_future", singleshot_in_past,
      -XEN_ETIME },
    { "runstate of vCPU 1", runstate_of_vcpu1, -XEN_ENOENT },
    { "runstate area in the hypervisor", runstate_area_in_hypervisor,
      -XEN_EFAULT },
    { "vcpu_info at offset 4064", vcpu_info_past_page, -XEN_EINVAL },
    { "poll of 129 ports", poll_too_many, -XEN_EINVAL },
    { "poll with its ports at NULL", poll_ports_at_null, -XEN_EFAULT },
};

/** Run clock_errors: print "timer: <what>: <answer>" and check each. */
static void clock_refusals(void)
{
    unsigned int i;

    for (i = 0; i < sizeof(clock_errors) / sizeof(clock_errors[0]); i++) {
        long rc = clock_errors[i].attempt();

        printf("timer: %s: %ld\n", clock_errors[i].what, rc);
        CHECK(rc == clock_errors[i].xen_answer, "%s: got %ld, Xen answers %ld",
              clock_errors[i].what, rc, clock_errors[i].xen_answer);
    }
}

/** Everything that needs no event delivered. */
static void part_clock(void)
{
    long port = evtchn_bind_ipi();

    if (port < 0)
        test_error("timer: bind_ipi: %ld", port);
    quiet_port = port;
    evtchn_mask(quiet_port);
    clock_monotonic();
    clock_wallclock();
    clock_runstate();
    clock_poll_timeout();
    clock_refusals();
}

void test_main(const struct start_info *si)
{
    pt_init(si);
    events_init(si);
    if (cmdline_selects(si->cmd_line, "part", "poll"))
        part_poll();
    if (cmdline_selects(si->cmd_line, "part", "timers"))
        part_timers();
    if (cmdline_selects(si->cmd_line, "part", "clock"))
        part_clock();
}
