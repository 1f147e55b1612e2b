/**
 * @file
 * @brief Lab 6 test guest: the event-channel operations on one domain's
 *        own ports: every state and its status, close, reuse, reset, the
 *        errors, and events sent to itself.
 *
 * Runs alone, as dom0. Three parts; each starts with no port bound and
 * ends with EVTCHNOP_reset, so the port numbers are the same on every run
 * (port 0 is reserved, a new port is the lowest free one):
 *  - ports: a port of each kind and what EVTCHNOP_status says of it, the
 *    close of one end of an interdomain pair (the other end is unbound
 *    again), reuse of a closed port, reset, and the errors that need no
 *    event delivered (table port_errors). Needs none of lab 6's
 *    exercises: no event is delivered, events stay masked.
 *  - send: an IPI to itself, a loopback interdomain pair (both ends
 *    ours, bound with DOMID_SELF) that carries events both ways, the
 *    bind's own event, events held while the vCPU masks them, a send on
 *    an unbound port (dropped), and send's errors (table send_errors).
 *  - mask: a masked port sent MASKED_SENDS times: one pending bit and no
 *    upcall; EVTCHNOP_unmask delivers it, exactly once.
 *
 * Every answer is Xen's (xen/common/event_channel.c); the tables say
 * where each comes from. Command line: `part=ports`, `part=send` or
 * `part=mask` runs one part; without it, all three, in this order.
 */
#include <stdarg.h>
#include <public/errno.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/printf.h>
#include <guest/string.h>
#include <guest/test.h>

/** Ports watched: the first word of the bitmaps, more than a part uses. */
#define NR_WATCHED 64

/** Sends on the masked port. */
#define MASKED_SENDS 1000

/** Upcalls on each watched port in this part (evtchn_count_event()). */
static volatile unsigned long upcalls[NR_WATCHED];

/** Upcalls on all watched ports together. */
static unsigned long all_upcalls(void)
{
    unsigned long sum = 0;
    unsigned int p;

    for (p = 0; p < NR_WATCHED; p++)
        sum += upcalls[p];
    return sum;
}

/*
 * A port's status in words ("unbound for d0"), to print and compare.
 */

/** Words being written: the text and its length. */
struct words {
    char text[48]; /**< NUL-terminated */
    size_t len;    /**< characters in text */
};

/** vformat()'s output function for struct words: drops what is too long. */
static void words_put(char c, void *arg)
{
    struct words *w = arg;

    if (w->len < sizeof(w->text) - 1)
        w->text[w->len++] = c;
    w->text[w->len] = '\0';
}

/** Append printf-style words to @p w. */
static void words_add(struct words *w, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vformat(words_put, w, fmt, ap);
    va_end(ap);
}

/** What EVTCHNOP_status says of our @p port, in words. */
static struct words status_words(evtchn_port_t port)
{
    struct evtchn_status s;
    struct words w = { .len = 0 };
    long rc = evtchn_status(DOMID_SELF, port, &s);

    if (rc < 0)
        words_add(&w, "error %ld", rc);
    else if (s.status == EVTCHNSTAT_closed)
        words_add(&w, "closed");
    else if (s.status == EVTCHNSTAT_unbound)
        words_add(&w, "unbound for d%u", s.u.unbound.dom);
    else if (s.status == EVTCHNSTAT_interdomain)
        words_add(&w, "interdomain to d%u port %u", s.u.interdomain.dom,
                  s.u.interdomain.port);
    else if (s.status == EVTCHNSTAT_virq)
        words_add(&w, "virq %u on vCPU %u", s.u.virq, s.vcpu);
    else if (s.status == EVTCHNSTAT_ipi)
        words_add(&w, "ipi on vCPU %u", s.vcpu);
    else
        words_add(&w, "status %u", s.status);
    return w;
}

/** Print the status of @p port and check that it is @p want. */
static void expect_status(evtchn_port_t port, const char *want)
{
    struct words got = status_words(port);

    printf("evtchn: status of port %u: %s\n", port, got.text);
    CHECK(!strncmp(got.text, want, sizeof(got.text)),
          "port %u is '%s', expected '%s'", port, got.text, want);
}

/** Check that a bind or alloc gave port @p want; print what it did. */
static void expect_port(const char *what, long port, long want)
{
    printf("evtchn: %s: port %ld\n", what, port);
    CHECK_EQ(port, want);
}

/*
 * Calls that must fail.
 */

/** One call that must fail, and Xen's answer to it. */
struct error_case {
    const char *what; /**< printed */
    int cmd;          /**< EVTCHNOP_* */
    void *arg;        /**< its argument */
    long xen_answer;  /**< the negated XEN_E* */
};

/** Run @p n cases: print "evtchn: <what>: <answer>" and check each. */
static void run_errors(const struct error_case *cases, unsigned int n)
{
    unsigned int i;

    for (i = 0; i < n; i++) {
        long rc = HYPERVISOR_event_channel_op(cases[i].cmd, cases[i].arg);

        printf("evtchn: %s: %ld\n", cases[i].what, rc);
        CHECK(rc == cases[i].xen_answer, "%s: got %ld, Xen answers %ld",
              cases[i].what, rc, cases[i].xen_answer);
    }
}

/** A domain that does not exist (ids are given from 1 up). */
#define NO_DOMAIN 42
/** Another that does not exist, named as the remote end of our port 5. */
#define OTHER_DOMAIN 7
/** A port past the 2-level ABI's 4096. */
#define FAR_PORT 5000
/** An address in the hypervisor's part of every address space. */
#define HYPERVISOR_ADDRESS ((void *)HYPERVISOR_VIRT_START)

/**
 * The errors of the ports part. When they run, port 1 and 2 are unbound
 * for d0, 3 is VIRQ_TIMER, 4 an IPI, 5 unbound for d7, 6 and up free.
 */
static struct error_case port_errors[] = {
    /* evtchn_close(): ECS_FREE and ECS_RESERVED are -EINVAL. */
    { "close port 0 (reserved)", EVTCHNOP_close,
      &(struct evtchn_port_op){ .port = 0 }, -XEN_EINVAL },
    { "close port 6 (free)", EVTCHNOP_close,
      &(struct evtchn_port_op){ .port = 6 }, -XEN_EINVAL },
    /* port_is_valid() fails: -EINVAL, for close and status alike. */
    { "close port 5000", EVTCHNOP_close,
      &(struct evtchn_port_op){ .port = FAR_PORT }, -XEN_EINVAL },
    { "status of port 5000", EVTCHNOP_status,
      &(struct evtchn_status){ .dom = DOMID_SELF, .port = FAR_PORT },
      -XEN_EINVAL },
    /* evtchn_bind_virq(): past virq_to_evtchn[], and bound already. */
    { "bind_virq 99", EVTCHNOP_bind_virq,
      &(struct evtchn_bind_virq){ 99, 0, 0 }, -XEN_EINVAL },
    { "bind_virq VIRQ_TIMER again", EVTCHNOP_bind_virq,
      &(struct evtchn_bind_virq){ VIRQ_TIMER, 0, 0 }, -XEN_EEXIST },
    /* evtchn_bind_interdomain(): no such domain; a port that is not
     * ECS_UNBOUND with remote_domid our id. */
    { "bind_interdomain to d42", EVTCHNOP_bind_interdomain,
      &(struct evtchn_bind_interdomain){ NO_DOMAIN, 1, 0 }, -XEN_ESRCH },
    { "bind_interdomain to our port 5 (unbound for d7)",
      EVTCHNOP_bind_interdomain,
      &(struct evtchn_bind_interdomain){ DOMID_SELF, 5, 0 }, -XEN_EINVAL },
    { "bind_interdomain to our port 4 (an IPI)", EVTCHNOP_bind_interdomain,
      &(struct evtchn_bind_interdomain){ DOMID_SELF, 4, 0 }, -XEN_EINVAL },
    /* evtchn_bind_vcpu(), evtchn_bind_ipi(): domain_vcpu() is NULL. */
    { "bind_vcpu of port 4 to vCPU 5", EVTCHNOP_bind_vcpu,
      &(struct evtchn_bind_vcpu){ 4, 5 }, -XEN_ENOENT },
    { "bind_ipi to vCPU 3", EVTCHNOP_bind_ipi,
      &(struct evtchn_bind_ipi){ 3, 0 }, -XEN_ENOENT },
    /* evtchn_alloc_unbound(), evtchn_reset(): dom0 may name any
     * domain, but this one does not exist. */
    { "alloc_unbound in d7", EVTCHNOP_alloc_unbound,
      &(struct evtchn_alloc_unbound){ OTHER_DOMAIN, DOMID_SELF, 0 },
      -XEN_ESRCH },
    { "reset of d7", EVTCHNOP_reset, &(struct evtchn_reset){ OTHER_DOMAIN },
      -XEN_ESRCH },
    /* Hospes has the 2-level ABI only: no FIFO queues. */
    { "init_control (FIFO ABI)", EVTCHNOP_init_control, (uint64_t[4]){ 0 },
      -XEN_ENOSYS },
    { "command 99", 99, (uint64_t[4]){ 0 }, -XEN_ENOSYS },
    /* copy_from_guest() fails. */
    { "status with its argument at NULL", EVTCHNOP_status, NULL, -XEN_EFAULT },
    { "alloc_unbound with its argument in the hypervisor",
      EVTCHNOP_alloc_unbound, HYPERVISOR_ADDRESS, -XEN_EFAULT },
};

/**
 * The errors of the send part. When they run, port 1 is an IPI, 2 is
 * VIRQ_TIMER, 3 unbound for d0, 4 was just closed.
 */
static struct error_case send_errors[] = {
    /* evtchn_send(): port_is_valid() fails, or the state is none that
     * sends: ECS_RESERVED, ECS_FREE, ECS_VIRQ (only Xen raises those). */
    { "send on port 0 (reserved)", EVTCHNOP_send,
      &(struct evtchn_port_op){ .port = 0 }, -XEN_EINVAL },
    { "send on port 5000", EVTCHNOP_send,
      &(struct evtchn_port_op){ .port = FAR_PORT }, -XEN_EINVAL },
    { "send on port 4 (closed)", EVTCHNOP_send,
      &(struct evtchn_port_op){ .port = 4 }, -XEN_EINVAL },
    { "send on port 2 (VIRQ_TIMER)", EVTCHNOP_send,
      &(struct evtchn_port_op){ .port = 2 }, -XEN_EINVAL },
};

/*
 * The parts.
 */

/**
 * EVTCHNOP_reset of our ports; check that every one is closed. The
 * upcall counts start again from 0, for the next part.
 */
static void reset_ports(void)
{
    struct evtchn_reset r = { .dom = DOMID_SELF };
    unsigned int p, open = 0;

    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_reset, &r), 0);
    for (p = 1; p < NR_WATCHED; p++) {
        open += strncmp(status_words(p).text, "closed", 7) != 0;
        upcalls[p] = 0;
    }
    printf("evtchn: reset: %u ports left open\n", open);
    CHECK_EQ(open, 0);
}

/** Every kind of port, status, close, reuse, reset, and the errors. */
static void part_ports(void)
{
    long rc;

    expect_port("alloc_unbound for DOMID_SELF",
                evtchn_alloc_unbound(DOMID_SELF), 1);
    expect_status(1, "unbound for d0");
    expect_port("bind_interdomain to DOMID_SELF port 1",
                evtchn_bind_interdomain(DOMID_SELF, 1), 2);
    expect_status(1, "interdomain to d0 port 2");
    expect_status(2, "interdomain to d0 port 1");
    expect_port("bind_virq VIRQ_TIMER", evtchn_bind_virq(VIRQ_TIMER), 3);
    expect_status(3, "virq 0 on vCPU 0");
    expect_port("bind_ipi", evtchn_bind_ipi(), 4);
    expect_status(4, "ipi on vCPU 0");
    expect_status(0, "closed");
    expect_status(5, "closed");

    /* Closing one end of the pair leaves the other waiting for us. */
    rc = evtchn_close(2);
    printf("evtchn: close port 2: %ld\n", rc);
    CHECK_EQ(rc, 0);
    expect_status(1, "unbound for d0");
    expect_status(2, "closed");
    expect_port("alloc_unbound again (the lowest free)",
                evtchn_alloc_unbound(DOMID_SELF), 2);
    expect_port("alloc_unbound for d7", evtchn_alloc_unbound(OTHER_DOMAIN), 5);
    expect_status(5, "unbound for d7");

    run_errors(port_errors, sizeof(port_errors) / sizeof(port_errors[0]));
    reset_ports();
    expect_port("alloc_unbound after the reset",
                evtchn_alloc_unbound(DOMID_SELF), 1);
    reset_ports();
}

/**
 * Send on port @p from; check that it comes as one upcall on port @p to
 * (with events enabled, on the way back from the hypercall), and none
 * elsewhere.
 */
static void expect_delivery(evtchn_port_t from, evtchn_port_t to)
{
    unsigned long before = upcalls[to], all = all_upcalls(), here, elsewhere;
    long rc = evtchn_send(from);

    here = upcalls[to] - before;
    elsewhere = all_upcalls() - all - here;
    printf("evtchn: send on port %u: %ld; upcalls on port %u: %lu, "
           "elsewhere: %lu\n",
           from, rc, to, here, elsewhere);
    CHECK_EQ(rc, 0);
    CHECK_EQ(here, 1);
    CHECK_EQ(elsewhere, 0);
}

/** Events to ourselves: an IPI, a loopback pair both ways; errors. */
static void part_send(void)
{
    unsigned long before;
    long rc;

    expect_port("bind_ipi", evtchn_bind_ipi(), 1);
    events_enable();
    expect_delivery(1, 1);

    /* The vCPU's mask holds an event back until events_enable(). */
    events_disable();
    CHECK_EQ(evtchn_send(1), 0);
    before = upcalls[1];
    events_enable();
    printf("evtchn: an IPI sent while events were disabled: %lu upcall "
           "when enabled\n",
           upcalls[1] - before);
    CHECK_EQ(upcalls[1] - before, 1);

    expect_port("bind_virq VIRQ_TIMER", evtchn_bind_virq(VIRQ_TIMER), 2);
    expect_port("alloc_unbound for DOMID_SELF",
                evtchn_alloc_unbound(DOMID_SELF), 3);
    /* As Xen does, the bind sets the new port pending: the remote end
     * may have sent before it was bound. */
    expect_port("bind_interdomain to DOMID_SELF port 3",
                evtchn_bind_interdomain(DOMID_SELF, 3), 4);
    printf("evtchn: upcalls on port 4 from the bind itself: %lu\n", upcalls[4]);
    CHECK_EQ(upcalls[4], 1);
    expect_delivery(3, 4);
    expect_delivery(4, 3);

    /* Close one end: the other is unbound, and a send on it is dropped. */
    CHECK_EQ(evtchn_close(4), 0);
    expect_status(3, "unbound for d0");
    before = all_upcalls();
    rc = evtchn_send(3);
    printf("evtchn: send on port 3 (unbound): %ld; upcalls: %lu\n", rc,
           all_upcalls() - before);
    CHECK_EQ(rc, 0);
    CHECK_EQ(all_upcalls(), before);

    run_errors(send_errors, sizeof(send_errors) / sizeof(send_errors[0]));
    reset_ports();
}

/** A masked port sent to many times, then unmasked: one upcall. */
static void part_mask(void)
{
    unsigned int i, zero = 0;
    long rc;

    expect_port("bind_ipi", evtchn_bind_ipi(), 1);
    events_enable();
    evtchn_mask(1);
    for (i = 0; i < MASKED_SENDS; i++)
        zero += evtchn_send(1) == 0;
    printf("evtchn: port 1 masked, %u sends: %u returned 0, %lu upcalls, "
           "pending %u\n",
           MASKED_SENDS, zero, upcalls[1], evtchn_is_pending(1));
    CHECK_EQ(zero, MASKED_SENDS);
    CHECK_EQ(upcalls[1], 0);
    CHECK_EQ(evtchn_is_pending(1), 1);

    rc = evtchn_unmask(1);
    printf("evtchn: unmask port 1: %ld; %lu upcall(s), pending %u\n", rc,
           upcalls[1], evtchn_is_pending(1));
    CHECK_EQ(rc, 0);
    CHECK_EQ(upcalls[1], 1);
    CHECK_EQ(evtchn_is_pending(1), 0);
    expect_delivery(1, 1);
    reset_ports();
}

void test_main(const struct start_info *si)
{
    unsigned int p;

    events_init(si);
    for (p = 0; p < NR_WATCHED; p++)
        evtchn_set_handler(p, evtchn_count_event, (void *)&upcalls[p]);
    if (cmdline_selects(si->cmd_line, "part", "ports"))
        part_ports();
    if (cmdline_selects(si->cmd_line, "part", "send"))
        part_send();
    if (cmdline_selects(si->cmd_line, "part", "mask"))
        part_mask();
}
