/*
 * test_evtchn.c: unit tests of event channels (lab 6): the ports of
 * hypervisor/common/event_channel.c and the 2-level pending and mask
 * bitmaps of hypervisor/common/event_2l.c.
 *
 * hv-sources: hypervisor/common/event_channel.c hypervisor/common/event_2l.c
 * hv-sources: hypervisor/common/spinlock.c hypervisor/common/vsnprintf.c
 * host-sources: tests/unit/fake_cpu.c tests/unit/fake_domain.c
 * host-sources: tests/unit/fake_event.c tests/unit/fake_guest.c
 * host-sources: tests/unit/fake_xmalloc.c
 *
 * (spinlock.c is the real lock, so taking a domain's event lock twice
 * panics; vsnprintf.c formats the debug key's lines.)
 *
 * Three domains live in every test: dom0 (privileged, 2 vCPUs), d1 (2
 * vCPUs) and d2 (1 vCPU), each with a shared_info of its own and its
 * ports from evtchn_init(). A domain calls the hypercall as the guest
 * does, do_event_channel_op() with its argument in the test's memory
 * (fake_guest.h), with one of its vCPUs current. What a port is, the
 * tests learn as a guest would, from EVTCHNOP_status (asked by dom0) and
 * from the bits in shared_info; what the scheduler was asked to do
 * (vcpu_mark_events_pending(), sched_check_pollers()) fake_event.c
 * records. Every test ends by destroying the domains' ports and checking
 * that every bucket was freed; AddressSanitizer checks that nothing is
 * used after.
 *
 * The random test runs thousands of random operations by the three
 * domains (hypercalls, a guest's own changes to its bits, virtual IRQs
 * the hypervisor raises, a domain that shuts down, then is destroyed and
 * created again) against an independent model of every port and bit, and
 * compares everything after each step.
 */
#include "unit.h"

#include <stdio.h>

#include <hospes/errno.h>
#include <hospes/event.h>
#include <hospes/hypercall.h>
#include <hospes/keyhandler.h>
#include <hospes/lib.h>
#include <hospes/xmalloc.h>

#include "fake_domain.h"
#include "fake_event.h"
#include "fake_guest.h"

/** The domains, by id: dom0 is privileged, d1 and d2 are not. */
enum { D0, D1, D2, NR_DOMS };
/** A domain id that no domain has. */
#define NOBODY 9
/** vCPUs of each domain, and the most of any. */
static const unsigned int nr_vcpus[NR_DOMS] = { 2, 2, 1 };
#define MAX_VCPUS 2

/** Ports of the 2-level ABI, ports in a bucket, bits in a bitmap word. */
#define NR_PORTS EVTCHN_2L_NR_CHANNELS
#define BUCKET   EVTCHNS_PER_BUCKET
#define WORD     (sizeof(xen_ulong_t) * 8)

/** What the tests put in results the code must write, to see it did. */
#define POISON 0xdeadbeefU

static struct shared_info shinfo[NR_DOMS];
static struct domain doms[NR_DOMS];
static struct vcpu vcpus[NR_DOMS][MAX_VCPUS];
/** The domains that exist (get_domain_by_id() finds them), in id order. */
static struct domain *domain_list[NR_DOMS];
static bool alive[NR_DOMS];

/** Said by every failed check of the helpers below: the random step. */
static const char *context = "";

/* ---- The world ---------------------------------------------------- */

/** Tell fake_event.c which domains exist now. */
static void publish_domains(void)
{
    unsigned int i, n = 0;

    for (i = 0; i < NR_DOMS; i++)
        if (alive[i])
            domain_list[n++] = &doms[i];
    fake_event_domains(domain_list, n);
}

/** Create domain @p id afresh: new shared_info, vCPUs and ports. */
static void create_domain(unsigned int id)
{
    unsigned int v;

    memset(&shinfo[id], 0, sizeof(shinfo[id]));
    doms[id] = (struct domain){ .domain_id = id,
                                .refcnt = 1, /* the domain list's */
                                .is_privileged = id == D0,
                                .shared_info = &shinfo[id],
                                .max_vcpus = nr_vcpus[id] };
    for (v = 0; v < nr_vcpus[id]; v++) {
        fake_vcpu_init(&vcpus[id][v], &doms[id], v, v);
        vcpus[id][v].vcpu_info = &shinfo[id].vcpu_info[v];
        doms[id].vcpu[v] = &vcpus[id][v];
    }
    unit_assert(evtchn_init(&doms[id]) == 0, "evtchn_init(d%u) failed", id);
    alive[id] = true;
    publish_domains();
}

/**
 * Destroy domain @p id's ports, and forget the domain. As in domain.c,
 * it is dying (shut down) by then.
 */
static void destroy_domain(unsigned int id)
{
    doms[id].is_dying = true;
    evtchn_destroy(&doms[id]);
    alive[id] = false;
    publish_domains();
}

static void setup(void)
{
    unsigned int i;

    fake_guest_reset();
    for (i = 0; i < NR_DOMS; i++)
        create_domain(i);
    fake_event_clear();
    printk_clear();
    context = "";
}

static void teardown(void)
{
    unsigned int i;

    ck_assert_msg(!fake_event_refs_held(), "a domain reference was kept");
    for (i = 0; i < NR_DOMS; i++)
        if (alive[i])
            destroy_domain(i);
    ck_assert_msg(xmalloc_stats().objects == 0,
                  "%lu buckets not freed by evtchn_destroy()",
                  xmalloc_stats().objects);
}

/** Buckets allocated now (the only objects the code allocates). */
static unsigned long buckets(void)
{
    return xmalloc_stats().objects;
}

/** Delivery calls recorded since the last fake_event_clear(). */
static unsigned int nr_calls(void)
{
    const struct fake_event_call *calls;

    return fake_event_calls(&calls);
}

/* ---- The guest's side of shared_info ------------------------------ */

static xen_ulong_t bit(evtchn_port_t port)
{
    return 1UL << (port % WORD);
}

static bool is_pending(unsigned int dom, evtchn_port_t port)
{
    return shinfo[dom].evtchn_pending[port / WORD] & bit(port);
}

static bool is_masked(unsigned int dom, evtchn_port_t port)
{
    return shinfo[dom].evtchn_mask[port / WORD] & bit(port);
}

static xen_ulong_t selector(unsigned int dom, unsigned int vcpu)
{
    return shinfo[dom].vcpu_info[vcpu].evtchn_pending_sel;
}

/** The guest masks @p port, as it does: a bit of its own to set. */
static void guest_mask(unsigned int dom, evtchn_port_t port)
{
    shinfo[dom].evtchn_mask[port / WORD] |= bit(port);
}

/** The guest handles @p port: clears its pending bit. */
static void guest_ack(unsigned int dom, evtchn_port_t port)
{
    shinfo[dom].evtchn_pending[port / WORD] &= ~bit(port);
}

/** The guest handles every event: takes its selectors, clears its bits. */
static void guest_handle_all(unsigned int dom)
{
    unsigned int v;

    for (v = 0; v < nr_vcpus[dom]; v++)
        shinfo[dom].vcpu_info[v].evtchn_pending_sel = 0;
    memset(shinfo[dom].evtchn_pending, 0, sizeof(shinfo[dom].evtchn_pending));
}

/** How many ports of @p dom are pending. */
static unsigned int nr_pending(unsigned int dom)
{
    unsigned int w, n = 0;

    for (w = 0; w < ARRAY_SIZE(shinfo[dom].evtchn_pending); w++)
        n += __builtin_popcountl(shinfo[dom].evtchn_pending[w]);
    return n;
}

/* ---- Hypercalls, as a guest makes them ---------------------------- */

/** EVTCHNOP @p cmd as domain @p caller, with the argument at @p arg. */
static long raw_op(unsigned int caller, unsigned int cmd, void *arg)
{
    set_current(&vcpus[caller][0]);
    return do_event_channel_op(cmd, GVA(arg));
}

/**
 * raw_op(), checking what every hypercall must do: a failed operation
 * leaves its argument (@p size bytes) as it was, since results are
 * copied back only on success; and every domain reference taken is
 * dropped.
 */
static long hypercall(unsigned int caller, unsigned int cmd, void *arg,
                      size_t size)
{
    unsigned char before[32];
    long rc;

    unit_assert(size <= sizeof(before), "argument of %zu bytes", size);
    memcpy(before, arg, size);
    rc = raw_op(caller, cmd, arg);
    unit_assert(!rc || !memcmp(before, arg, size),
                "%sEVTCHNOP %u of d%u failed (%ld) but wrote its argument",
                context, cmd, caller, rc);
    unit_assert(!fake_event_refs_held(),
                "%sEVTCHNOP %u of d%u kept a domain reference", context, cmd,
                caller);
    return rc;
}

/** EVTCHNOP_alloc_unbound: @return the port, or -errno */
static long op_alloc_unbound(unsigned int caller, domid_t dom, domid_t remote)
{
    struct evtchn_alloc_unbound a = { .dom = dom,
                                      .remote_dom = remote,
                                      .port = POISON };
    long rc = hypercall(caller, EVTCHNOP_alloc_unbound, &a, sizeof(a));

    return rc ? rc : a.port;
}

/** EVTCHNOP_bind_interdomain: @return the local port, or -errno */
static long op_bind_interdomain(unsigned int caller, domid_t remote_dom,
                                evtchn_port_t remote_port)
{
    struct evtchn_bind_interdomain b = { .remote_dom = remote_dom,
                                         .remote_port = remote_port,
                                         .local_port = POISON };
    long rc = hypercall(caller, EVTCHNOP_bind_interdomain, &b, sizeof(b));

    return rc ? rc : b.local_port;
}

/** EVTCHNOP_bind_virq: @return the port, or -errno */
static long op_bind_virq(unsigned int caller, uint32_t virq, uint32_t vcpu)
{
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu, .port = POISON };
    long rc = hypercall(caller, EVTCHNOP_bind_virq, &b, sizeof(b));

    return rc ? rc : b.port;
}

/** EVTCHNOP_bind_ipi: @return the port, or -errno */
static long op_bind_ipi(unsigned int caller, uint32_t vcpu)
{
    struct evtchn_bind_ipi b = { .vcpu = vcpu, .port = POISON };
    long rc = hypercall(caller, EVTCHNOP_bind_ipi, &b, sizeof(b));

    return rc ? rc : b.port;
}

/** EVTCHNOP_close, _send or _unmask (@p cmd) of @p port. */
static long op_port(unsigned int caller, unsigned int cmd, evtchn_port_t port)
{
    struct evtchn_port_op p = { .port = port };

    return hypercall(caller, cmd, &p, sizeof(p));
}

static long op_close(unsigned int caller, evtchn_port_t port)
{
    return op_port(caller, EVTCHNOP_close, port);
}

static long op_send(unsigned int caller, evtchn_port_t port)
{
    return op_port(caller, EVTCHNOP_send, port);
}

static long op_unmask(unsigned int caller, evtchn_port_t port)
{
    return op_port(caller, EVTCHNOP_unmask, port);
}

static long op_bind_vcpu(unsigned int caller, evtchn_port_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };

    return hypercall(caller, EVTCHNOP_bind_vcpu, &b, sizeof(b));
}

static long op_reset(unsigned int caller, domid_t dom)
{
    struct evtchn_reset r = { .dom = dom };

    return hypercall(caller, EVTCHNOP_reset, &r, sizeof(r));
}

/** EVTCHNOP_status of @p port of @p dom, asked by @p caller, into @p s. */
static long op_status(unsigned int caller, domid_t dom, evtchn_port_t port,
                      struct evtchn_status *s)
{
    memset(s, 0xa5, sizeof(*s)); /* every result must be written */
    s->dom = dom;
    s->port = port;
    return hypercall(caller, EVTCHNOP_status, s, sizeof(*s));
}

/**
 * Assert what dom0's EVTCHNOP_status says of @p port of @p dom: status
 * @p status (EVTCHNSTAT_*), delivered to @p vcpu, and by status: unbound,
 * @p a is the domain that may bind it; interdomain, @p a and @p b are the
 * remote domain and port; virq, @p a is the virq.
 */
static void assert_status(unsigned int dom, evtchn_port_t port, uint32_t status,
                          uint32_t vcpu, uint32_t a, uint32_t b)
{
    struct evtchn_status s;
    long rc = op_status(D0, dom, port, &s);
    uint32_t got_a = 0, got_b = 0;

    unit_assert(rc == 0, "%sstatus of d%u port %u: %ld", context, dom, port,
                rc);
    if (s.status == EVTCHNSTAT_unbound)
        got_a = s.u.unbound.dom;
    else if (s.status == EVTCHNSTAT_interdomain) {
        got_a = s.u.interdomain.dom;
        got_b = s.u.interdomain.port;
    } else if (s.status == EVTCHNSTAT_virq)
        got_a = s.u.virq;
    unit_assert(
        s.status == status && s.vcpu == vcpu && got_a == a && got_b == b,
        "%sd%u port %u: status %u vCPU %u (%u, %u), expected status "
        "%u vCPU %u (%u, %u)",
        context, dom, port, s.status, s.vcpu, got_a, got_b, status, vcpu, a, b);
}

static void assert_closed(unsigned int dom, evtchn_port_t port)
{
    assert_status(dom, port, EVTCHNSTAT_closed, 0, 0, 0);
}

static void assert_unbound(unsigned int dom, evtchn_port_t port, domid_t remote,
                           unsigned int vcpu)
{
    assert_status(dom, port, EVTCHNSTAT_unbound, vcpu, remote, 0);
}

static void assert_interdomain(unsigned int dom, evtchn_port_t port,
                               domid_t rdom, evtchn_port_t rport,
                               unsigned int vcpu)
{
    assert_status(dom, port, EVTCHNSTAT_interdomain, vcpu, rdom, rport);
}

/** Assert that @p port is no port of @p dom (its bucket does not exist). */
static void assert_no_port(unsigned int dom, evtchn_port_t port)
{
    struct evtchn_status s;
    long rc = op_status(D0, dom, port, &s);

    unit_assert(rc == -EINVAL, "%sstatus of d%u port %u: %ld, not -EINVAL",
                context, dom, port, rc);
}

/**
 * Connect a new unbound port of @p a, for @p b, to a new port of @p b.
 * @return @p b's port; *@p a_port is @p a's
 */
static evtchn_port_t connect_pair(unsigned int a, evtchn_port_t *a_port,
                                  unsigned int b)
{
    long pa = op_alloc_unbound(a, DOMID_SELF, b), pb;

    ck_assert_int_gt(pa, 0);
    pb = op_bind_interdomain(b, a, pa);
    ck_assert_int_gt(pb, 0);
    *a_port = pa;
    return pb;
}

/* ---- Port states ---------------------------------------------------- */

START_TEST(test_port_0_reserved)
{
    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, D2), 1);
    assert_closed(D1, 0);
    ck_assert_int_eq(op_close(D1, 0), -EINVAL);
    ck_assert_int_eq(op_send(D1, 0), -EINVAL);
    ck_assert_int_eq(op_bind_vcpu(D1, 0, 1), -EINVAL);
    ck_assert_int_eq(op_bind_interdomain(D2, D1, 0), -EINVAL);
    /* A reset closes every port but port 0, which stays reserved. */
    ck_assert_int_eq(op_reset(D1, DOMID_SELF), 0);
    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, D2), 1);
}
END_TEST

START_TEST(test_alloc_unbound)
{
    /* Ports are numbered from 1, in each domain on its own. */
    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, D2), 1);
    ck_assert_int_eq(op_alloc_unbound(D1, D1, D0), 2);
    ck_assert_int_eq(op_alloc_unbound(D2, DOMID_SELF, D1), 1);
    assert_unbound(D1, 1, D2, 0);
    assert_unbound(D1, 2, D0, 0);
    assert_unbound(D2, 1, D1, 0);
    /* DOMID_SELF as the remote domain is the caller's own id. */
    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, DOMID_SELF), 3);
    assert_unbound(D1, 3, D1, 0);
    /* As in Xen, the remote domain need not exist (yet). */
    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, NOBODY), 4);
    assert_unbound(D1, 4, NOBODY, 0);
    assert_closed(D1, 5);
    ck_assert_uint_eq(nr_calls(), 0);
}
END_TEST

START_TEST(test_alloc_unbound_by_dom0)
{
    /* dom0 may make a port in another domain (the toolstack does)... */
    ck_assert_int_eq(op_alloc_unbound(D0, D1, D2), 1);
    assert_unbound(D1, 1, D2, 0);
    assert_closed(D0, 1);
    /* ...and DOMID_SELF as the remote domain is then dom0. */
    ck_assert_int_eq(op_alloc_unbound(D0, D2, DOMID_SELF), 1);
    assert_unbound(D2, 1, D0, 0);
    assert_closed(D0, 1);
}
END_TEST

START_TEST(test_unprivileged_names_other)
{
    struct evtchn_status s;

    /* A domain other than dom0 may name only itself... */
    ck_assert_int_eq(op_alloc_unbound(D1, D2, D1), -EPERM);
    ck_assert_int_eq(op_alloc_unbound(D1, D0, D1), -EPERM);
    ck_assert_int_eq(op_status(D1, D2, 0, &s), -EPERM);
    ck_assert_int_eq(op_reset(D1, D2), -EPERM);
    /* ...and a domain that does not exist is -ESRCH for anyone. */
    ck_assert_int_eq(op_alloc_unbound(D1, NOBODY, D1), -ESRCH);
    ck_assert_int_eq(op_alloc_unbound(D0, NOBODY, D1), -ESRCH);
    ck_assert_int_eq(op_status(D0, NOBODY, 0, &s), -ESRCH);
    ck_assert_int_eq(op_reset(D0, NOBODY), -ESRCH);
    /* Nothing was allocated anywhere. */
    assert_closed(D0, 1);
    assert_closed(D1, 1);
    assert_closed(D2, 1);
    /* Its own id is itself. */
    ck_assert_int_eq(op_status(D1, D1, 0, &s), 0);
    ck_assert_int_eq(op_reset(D2, D2), 0);
}
END_TEST

START_TEST(test_bind_interdomain)
{
    const evtchn_port_t p1 = 1, p2 = 2;

    /* Different numbers at the two ends: d2 has a port already. */
    ck_assert_int_eq(op_bind_ipi(D2, 0), 1);
    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, D2), p1);
    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, D2), 2);
    fake_event_clear();
    ck_assert_int_eq(op_bind_interdomain(D2, D1, p1), p2);
    assert_interdomain(D1, p1, D2, p2, 0);
    assert_interdomain(D2, p2, D1, p1, 0);
    assert_unbound(D1, 2, D2, 0);
    /* As in Xen, the new end is pending (the other may have sent
     * already): d2's vCPU 0 is told, once; d1 is told nothing. */
    ck_assert(is_pending(D2, p2));
    ck_assert_uint_eq(nr_pending(D2), 1);
    ck_assert_uint_eq(selector(D2, 0), 1);
    ck_assert_uint_eq(fake_marks(&vcpus[D2][0]), 1);
    ck_assert_uint_eq(fake_polls(&doms[D2], p2), 1);
    ck_assert_uint_eq(nr_calls(), 2);
    ck_assert_uint_eq(nr_pending(D1), 0);
}
END_TEST

START_TEST(test_bind_interdomain_errors)
{
    evtchn_port_t ipi, pair1;

    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, D0), 1); /* not d2's */
    ipi = op_bind_ipi(D1, 0);
    ck_assert_int_eq(ipi, 2);
    ck_assert_int_eq(op_bind_virq(D1, VIRQ_TIMER, 0), 3);
    ck_assert_int_eq(connect_pair(D1, &pair1, D0), 1);
    fake_event_clear();

    ck_assert_int_eq(op_bind_interdomain(D2, NOBODY, 1), -ESRCH);
    ck_assert_int_eq(op_bind_interdomain(D2, D1, 0), -EINVAL);
    ck_assert_int_eq(op_bind_interdomain(D2, D1, 1), -EINVAL); /* for d0 */
    ck_assert_int_eq(op_bind_interdomain(D2, D1, ipi), -EINVAL);
    ck_assert_int_eq(op_bind_interdomain(D2, D1, 3), -EINVAL); /* virq */
    ck_assert_int_eq(op_bind_interdomain(D2, D1, pair1), -EINVAL);
    ck_assert_int_eq(op_bind_interdomain(D2, D1, 5), -EINVAL); /* free */
    ck_assert_int_eq(op_bind_interdomain(D2, D1, BUCKET), -EINVAL);
    ck_assert_int_eq(op_bind_interdomain(D2, D1, NR_PORTS), -EINVAL);
    ck_assert_int_eq(op_bind_interdomain(D2, D1, POISON), -EINVAL);
    /* Binding is once only, even by the domain the port was for. */
    ck_assert_int_eq(op_bind_interdomain(D0, D1, pair1), -EINVAL);

    /* Nothing changed: d2 has no port, nothing was delivered. */
    assert_closed(D2, 1);
    assert_unbound(D1, 1, D0, 0);
    assert_interdomain(D1, pair1, D0, 1, 0);
    ck_assert_uint_eq(nr_calls(), 0);
    ck_assert_int_eq(op_alloc_unbound(D2, DOMID_SELF, D1), 1);
}
END_TEST

START_TEST(test_loopback)
{
    long a = op_alloc_unbound(D1, DOMID_SELF, DOMID_SELF), b;

    ck_assert_int_eq(a, 1);
    b = op_bind_interdomain(D1, DOMID_SELF, a);
    ck_assert_int_eq(b, 2);
    assert_interdomain(D1, a, D1, b, 0);
    assert_interdomain(D1, b, D1, a, 0);
    guest_ack(D1, b);
    ck_assert_int_eq(op_send(D1, b), 0);
    ck_assert(is_pending(D1, a));
    ck_assert(!is_pending(D1, b));
    ck_assert_int_eq(op_close(D1, a), 0);
    assert_closed(D1, a);
    assert_unbound(D1, b, D1, 0);
}
END_TEST

START_TEST(test_close_interdomain)
{
    evtchn_port_t p1, p2 = connect_pair(D1, &p1, D2);

    /* d2 closes its end: d1's end waits for d2 again. */
    ck_assert_int_eq(op_close(D2, p2), 0);
    assert_closed(D2, p2);
    assert_unbound(D1, p1, D2, 0);
    ck_assert_int_eq(op_close(D2, p2), -EINVAL);
    fake_event_clear();
    ck_assert_int_eq(op_send(D1, p1), 0); /* nobody there: dropped */
    ck_assert_uint_eq(nr_calls(), 0);

    /* Only d2 may bind it again. */
    ck_assert_int_eq(op_bind_interdomain(D0, D1, p1), -EINVAL);
    ck_assert_int_eq(op_bind_interdomain(D2, D1, p1), p2);
    assert_interdomain(D1, p1, D2, p2, 0);

    /* Now d1 closes its end: d2's waits for d1. */
    ck_assert_int_eq(op_close(D1, p1), 0);
    assert_closed(D1, p1);
    assert_unbound(D2, p2, D1, 0);
    ck_assert_int_eq(op_bind_interdomain(D1, D2, p2), p1);
    assert_interdomain(D2, p2, D1, p1, 0);
}
END_TEST

START_TEST(test_close_frees)
{
    long ipi = op_bind_ipi(D1, 1);

    ck_assert_int_eq(ipi, 1);
    ck_assert_int_eq(op_send(D1, ipi), 0);
    ck_assert(is_pending(D1, ipi));
    ck_assert_int_eq(op_close(D1, ipi), 0);
    /* A closed port is not pending, and a new one there starts clean,
     * delivered to vCPU 0. */
    ck_assert(!is_pending(D1, ipi));
    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, D2), ipi);
    assert_unbound(D1, ipi, D2, 0);
    ck_assert_int_eq(op_close(D1, ipi), 0);
    ck_assert_int_eq(op_close(D1, ipi), -EINVAL);
    ck_assert_int_eq(op_close(D1, 2), -EINVAL); /* never used */
    ck_assert_int_eq(op_close(D1, BUCKET), -EINVAL);
    ck_assert_int_eq(op_close(D1, POISON), -EINVAL);
}
END_TEST

START_TEST(test_lowest_free_port)
{
    unsigned int p;

    for (p = 1; p <= 5; p++)
        ck_assert_int_eq(op_bind_ipi(D1, 0), p);
    ck_assert_int_eq(op_close(D1, 4), 0);
    ck_assert_int_eq(op_close(D1, 2), 0);
    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, D2), 2);
    ck_assert_int_eq(op_bind_virq(D1, VIRQ_DEBUG, 0), 4);
    ck_assert_int_eq(op_bind_ipi(D1, 0), 6);
}
END_TEST

START_TEST(test_bind_virq)
{
    long t1, t0, exc;

    t1 = op_bind_virq(D1, VIRQ_TIMER, 1);
    ck_assert_int_eq(t1, 1);
    assert_status(D1, t1, EVTCHNSTAT_virq, 1, VIRQ_TIMER, 0);
    /* One port per virq and vCPU; the timer is per vCPU. */
    ck_assert_int_eq(op_bind_virq(D1, VIRQ_TIMER, 1), -EEXIST);
    t0 = op_bind_virq(D1, VIRQ_TIMER, 0);
    ck_assert_int_eq(t0, 2);
    /* A global virq goes to vCPU 0 only, once per domain. */
    ck_assert_int_eq(op_bind_virq(D1, VIRQ_DOM_EXC, 1), -EINVAL);
    exc = op_bind_virq(D1, VIRQ_DOM_EXC, 0);
    ck_assert_int_eq(exc, 3);
    assert_status(D1, exc, EVTCHNSTAT_virq, 0, VIRQ_DOM_EXC, 0);
    ck_assert_int_eq(op_bind_virq(D1, VIRQ_DOM_EXC, 0), -EEXIST);
    /* Bad virqs and vCPUs. */
    ck_assert_int_eq(op_bind_virq(D1, NR_VIRQS, 0), -EINVAL);
    ck_assert_int_eq(op_bind_virq(D1, POISON, 0), -EINVAL);
    ck_assert_int_eq(op_bind_virq(D1, VIRQ_TIMER, 2), -ENOENT);
    ck_assert_int_eq(op_bind_virq(D2, VIRQ_TIMER, 1), -ENOENT);
    ck_assert_int_eq(op_bind_virq(D2, VIRQ_TIMER, POISON), -ENOENT);
    /* Only the hypervisor sends on a virq port. */
    ck_assert_int_eq(op_send(D1, t1), -EINVAL);
    assert_closed(D1, 4);

    /* Closed, the virq is free to bind again. */
    ck_assert_int_eq(op_close(D1, t1), 0);
    ck_assert_int_eq(op_bind_virq(D1, VIRQ_TIMER, 1), t1);
    ck_assert_int_eq(op_close(D1, exc), 0);
    ck_assert_int_eq(op_bind_virq(D1, VIRQ_DOM_EXC, 0), exc);
}
END_TEST

START_TEST(test_virq_delivery)
{
    long t1 = op_bind_virq(D1, VIRQ_TIMER, 1);
    long t0 = op_bind_virq(D1, VIRQ_TIMER, 0);
    long d1_exc = op_bind_virq(D1, VIRQ_DOM_EXC, 0), exc;

    ck_assert_int_eq(t1, 1);
    ck_assert_int_eq(t0, 2);
    ck_assert_int_eq(d1_exc, 3);

    /* A per-vCPU virq reaches that vCPU's port, and that vCPU. */
    send_guest_vcpu_virq(&vcpus[D1][1], VIRQ_TIMER);
    ck_assert(is_pending(D1, t1));
    ck_assert(!is_pending(D1, t0));
    ck_assert_uint_eq(selector(D1, 1), 1);
    ck_assert_uint_eq(selector(D1, 0), 0);
    ck_assert_uint_eq(fake_marks(&vcpus[D1][1]), 1);
    ck_assert_uint_eq(fake_polls(&doms[D1], t1), 1);
    ck_assert_uint_eq(nr_calls(), 2);

    /* Unbound, a virq is raised in vain. */
    fake_event_clear();
    send_guest_vcpu_virq(&vcpus[D1][0], VIRQ_DEBUG);
    send_guest_vcpu_virq(&vcpus[D2][0], VIRQ_TIMER);
    ck_assert_int_eq(op_close(D1, t0), 0);
    send_guest_vcpu_virq(&vcpus[D1][0], VIRQ_TIMER);
    ck_assert_uint_eq(nr_calls(), 0);
    ck_assert_uint_eq(nr_pending(D1), 1);

    /* A global virq goes to dom0 only, once it has bound it. */
    send_global_virq(VIRQ_DOM_EXC);
    ck_assert_uint_eq(nr_calls(), 0);
    exc = op_bind_virq(D0, VIRQ_DOM_EXC, 0);
    ck_assert_int_eq(exc, 1);
    send_global_virq(VIRQ_DOM_EXC);
    ck_assert(is_pending(D0, exc));
    ck_assert_uint_eq(fake_marks(&vcpus[D0][0]), 1);
    ck_assert(!is_pending(D1, d1_exc));

    /* bind_vcpu moves it; closing it still frees the virq. */
    guest_ack(D0, exc);
    ck_assert_int_eq(op_bind_vcpu(D0, exc, 1), 0);
    assert_status(D0, exc, EVTCHNSTAT_virq, 1, VIRQ_DOM_EXC, 0);
    fake_event_clear();
    send_global_virq(VIRQ_DOM_EXC);
    ck_assert(is_pending(D0, exc));
    ck_assert_uint_eq(fake_marks(&vcpus[D0][1]), 1);
    ck_assert_uint_eq(fake_marks(&vcpus[D0][0]), 0);
    ck_assert_int_eq(op_close(D0, exc), 0);
    ck_assert_int_eq(op_bind_virq(D0, VIRQ_DOM_EXC, 0), exc);
}
END_TEST

START_TEST(test_bind_ipi)
{
    long ipi = op_bind_ipi(D1, 1);

    ck_assert_int_eq(ipi, 1);
    assert_status(D1, ipi, EVTCHNSTAT_ipi, 1, 0, 0);
    ck_assert_int_eq(op_bind_ipi(D1, 2), -ENOENT);
    ck_assert_int_eq(op_bind_ipi(D2, 1), -ENOENT);
    ck_assert_int_eq(op_bind_ipi(D1, POISON), -ENOENT);
    assert_closed(D1, 2);

    /* Sent from vCPU 0 (as op_send() does), it reaches its own. */
    ck_assert_int_eq(op_send(D1, ipi), 0);
    ck_assert(is_pending(D1, ipi));
    ck_assert_uint_eq(selector(D1, 1), 1);
    ck_assert_uint_eq(selector(D1, 0), 0);
    ck_assert_uint_eq(fake_marks(&vcpus[D1][1]), 1);
    ck_assert_uint_eq(fake_polls(&doms[D1], ipi), 1);
    ck_assert_uint_eq(nr_calls(), 2);
}
END_TEST

START_TEST(test_bind_vcpu)
{
    evtchn_port_t p1, p2, unbound;
    long ipi, timer, con;

    /* An unbound port keeps its vCPU once bound. */
    unbound = op_alloc_unbound(D1, DOMID_SELF, D2);
    ck_assert_int_eq(unbound, 1);
    ck_assert_int_eq(op_bind_vcpu(D1, unbound, 1), 0);
    assert_unbound(D1, unbound, D2, 1);
    p2 = op_bind_interdomain(D2, D1, unbound);
    ck_assert_int_gt(p2, 0);
    assert_interdomain(D1, unbound, D2, p2, 1);
    fake_event_clear();
    ck_assert_int_eq(op_send(D2, p2), 0);
    ck_assert_uint_eq(selector(D1, 1), 1);
    ck_assert_uint_eq(selector(D1, 0), 0);
    ck_assert_uint_eq(fake_marks(&vcpus[D1][1]), 1);
    ck_assert_uint_eq(nr_calls(), 2);

    /* An interdomain port moves, and so does what it receives. */
    ck_assert_int_eq(connect_pair(D1, &p1, D0), 1);
    ck_assert_int_eq(op_bind_vcpu(D0, 1, 1), 0);
    assert_interdomain(D0, 1, D1, p1, 1);
    ck_assert_int_eq(op_bind_vcpu(D0, 1, 0), 0);
    assert_interdomain(D0, 1, D1, p1, 0);

    /* Global virqs move; per-vCPU ones and IPIs do not. */
    con = op_bind_virq(D1, VIRQ_CONSOLE, 0);
    timer = op_bind_virq(D1, VIRQ_TIMER, 0);
    ipi = op_bind_ipi(D1, 0);
    ck_assert_int_gt(con, 0);
    ck_assert_int_gt(timer, 0);
    ck_assert_int_gt(ipi, 0);
    ck_assert_int_eq(op_bind_vcpu(D1, con, 1), 0);
    assert_status(D1, con, EVTCHNSTAT_virq, 1, VIRQ_CONSOLE, 0);
    ck_assert_int_eq(op_bind_vcpu(D1, timer, 1), -EINVAL);
    assert_status(D1, timer, EVTCHNSTAT_virq, 0, VIRQ_TIMER, 0);
    ck_assert_int_eq(op_bind_vcpu(D1, ipi, 1), -EINVAL);
    assert_status(D1, ipi, EVTCHNSTAT_ipi, 0, 0, 0);

    /* Bad ports and vCPUs. */
    ck_assert_int_eq(op_bind_vcpu(D1, ipi + 1, 1), -EINVAL); /* free */
    ck_assert_int_eq(op_bind_vcpu(D1, BUCKET, 1), -EINVAL);
    ck_assert_int_eq(op_bind_vcpu(D1, unbound, 2), -ENOENT);
    ck_assert_int_eq(op_bind_vcpu(D2, p2, 1), -ENOENT);
    assert_interdomain(D1, unbound, D2, p2, 1);
}
END_TEST

START_TEST(test_send)
{
    evtchn_port_t p0, p2 = connect_pair(D0, &p0, D2);
    long unbound = op_alloc_unbound(D1, DOMID_SELF, D2);

    ck_assert_int_eq(p0, 1);
    ck_assert_int_eq(p2, 1);
    /* Different numbers at the two ends. */
    ck_assert_int_eq(op_bind_ipi(D0, 0), 2);
    ck_assert_int_eq(connect_pair(D0, &p0, D1), 2);
    ck_assert_int_eq(p0, 3);
    guest_handle_all(D1);
    fake_event_clear();

    /* Interdomain: the other end is pending, in the other domain. */
    ck_assert_int_eq(op_send(D0, p0), 0);
    ck_assert(is_pending(D1, 2));
    ck_assert_uint_eq(nr_pending(D1), 1);
    ck_assert(!is_pending(D0, p0));
    ck_assert_uint_eq(fake_marks(&vcpus[D1][0]), 1);
    ck_assert_uint_eq(fake_polls(&doms[D1], 2), 1);
    ck_assert_uint_eq(nr_calls(), 2);
    /* Sending back works too. */
    ck_assert_int_eq(op_send(D1, 2), 0);
    ck_assert(is_pending(D0, p0));

    /* Unbound: dropped without a word. */
    fake_event_clear();
    ck_assert_int_eq(unbound, 1);
    ck_assert_int_eq(op_send(D1, unbound), 0);
    ck_assert(!is_pending(D1, unbound));
    ck_assert_uint_eq(nr_calls(), 0);

    /* Not a port one sends on. */
    ck_assert_int_eq(op_send(D1, 3), -EINVAL); /* free */
    ck_assert_int_eq(op_send(D1, BUCKET), -EINVAL);
    ck_assert_int_eq(op_send(D1, NR_PORTS), -EINVAL);
    ck_assert_int_eq(op_send(D1, POISON), -EINVAL);
    ck_assert_uint_eq(nr_calls(), 0);
}
END_TEST

/*
 * Events are not counted: a port sent a million times while its peer
 * does not look is one pending bit, one word for the scheduler, and no
 * memory.
 */
START_TEST(test_send_flood)
{
    evtchn_port_t p1, p2 = connect_pair(D1, &p1, D2);
    unsigned long before = buckets();
    unsigned int i;

    guest_mask(D2, p2);
    guest_handle_all(D2);
    fake_event_clear();
    for (i = 0; i < 1000000; i++)
        unit_assert(op_send(D1, p1) == 0, "send %u failed", i);
    ck_assert(is_pending(D2, p2));
    ck_assert_uint_eq(fake_polls(&doms[D2], p2), 1);
    ck_assert_uint_eq(nr_calls(), 1);
    ck_assert_uint_eq(buckets(), before);
}
END_TEST

START_TEST(test_unmask_hypercall)
{
    evtchn_port_t p1, p2 = connect_pair(D1, &p1, D2);

    guest_handle_all(D2);
    guest_mask(D2, p2);
    fake_event_clear();
    /* Masked: pending, but nobody is told... */
    ck_assert_int_eq(op_send(D1, p1), 0);
    ck_assert_int_eq(op_send(D1, p1), 0);
    ck_assert(is_pending(D2, p2));
    ck_assert_uint_eq(selector(D2, 0), 0);
    ck_assert_uint_eq(fake_marks(&vcpus[D2][0]), 0);
    /* ...until the guest unmasks: then once. */
    ck_assert_int_eq(op_unmask(D2, p2), 0);
    ck_assert(!is_masked(D2, p2));
    ck_assert_uint_eq(selector(D2, 0), 1);
    ck_assert_uint_eq(fake_marks(&vcpus[D2][0]), 1);
    ck_assert_int_eq(op_unmask(D2, p2), 0);
    ck_assert_uint_eq(fake_marks(&vcpus[D2][0]), 1);
    /* Any port of the domain's may be unmasked, none beyond. */
    ck_assert_int_eq(op_unmask(D2, BUCKET - 1), 0);
    ck_assert_int_eq(op_unmask(D2, BUCKET), -EINVAL);
    ck_assert_int_eq(op_unmask(D2, POISON), -EINVAL);
}
END_TEST

START_TEST(test_reset)
{
    evtchn_port_t from_d0, in_d2, to_d2;
    long loop;

    ck_assert_int_eq(connect_pair(D0, &from_d0, D1), 1);
    to_d2 = op_alloc_unbound(D1, DOMID_SELF, D2);
    in_d2 = op_bind_interdomain(D2, D1, to_d2);
    ck_assert_int_gt(in_d2, 0);
    loop = op_alloc_unbound(D1, DOMID_SELF, DOMID_SELF);
    ck_assert_int_gt(op_bind_interdomain(D1, DOMID_SELF, loop), 0);
    ck_assert_int_gt(op_bind_virq(D1, VIRQ_TIMER, 1), 0);
    ck_assert_int_gt(op_bind_virq(D1, VIRQ_CONSOLE, 0), 0);
    ck_assert_int_gt(op_bind_ipi(D1, 1), 0);
    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, D2), 8);

    ck_assert_int_eq(op_reset(D1, DOMID_SELF), 0);
    for (evtchn_port_t p = 0; p < BUCKET; p++)
        assert_closed(D1, p);
    /* The other ends wait for d1 again. */
    assert_unbound(D0, from_d0, D1, 0);
    assert_unbound(D2, in_d2, D1, 0);
    /* The virqs are free, ports are handed out from 1 again. */
    ck_assert_int_eq(op_bind_virq(D1, VIRQ_TIMER, 1), 1);
    ck_assert_int_eq(op_bind_virq(D1, VIRQ_CONSOLE, 0), 2);
    ck_assert_int_eq(op_bind_interdomain(D1, D0, from_d0), 3);

    /* dom0 may reset another domain. */
    ck_assert_int_eq(op_reset(D0, D1), 0);
    assert_closed(D1, 1);
    assert_unbound(D0, from_d0, D1, 0);
    ck_assert_uint_eq(nr_pending(D1), 0);
}
END_TEST

START_TEST(test_destroy)
{
    evtchn_port_t d0_port, d2_port, d1_of_d2;
    long loop, p;

    ck_assert_int_eq(connect_pair(D0, &d0_port, D1), 1);
    d1_of_d2 = op_alloc_unbound(D1, DOMID_SELF, D2);
    d2_port = op_bind_interdomain(D2, D1, d1_of_d2);
    ck_assert_int_gt(d2_port, 0);
    ck_assert_int_eq(op_bind_vcpu(D2, d2_port, 0), 0);
    loop = op_alloc_unbound(D1, DOMID_SELF, DOMID_SELF);
    ck_assert_int_gt(op_bind_interdomain(D1, DOMID_SELF, loop), 0);
    ck_assert_int_gt(op_bind_virq(D1, VIRQ_TIMER, 1), 0);
    ck_assert_int_gt(op_bind_ipi(D1, 1), 0);
    /* Three buckets' worth. */
    do
        p = op_alloc_unbound(D1, DOMID_SELF, D0);
    while (p > 0 && p < 2 * BUCKET + 5);
    ck_assert_int_eq(p, 2 * BUCKET + 5);
    ck_assert_uint_eq(buckets(), 3 + 2);

    destroy_domain(D1);
    ck_assert_uint_eq(buckets(), 2);
    /* The peers' ends wait for d1... */
    assert_unbound(D0, d0_port, D1, 0);
    assert_unbound(D2, d2_port, D1, 0);
    /* ...so sending on them goes nowhere (and touches nothing freed). */
    fake_event_clear();
    ck_assert_int_eq(op_send(D0, d0_port), 0);
    ck_assert_int_eq(op_send(D2, d2_port), 0);
    ck_assert_uint_eq(nr_calls(), 0);
    ck_assert_int_eq(op_bind_interdomain(D0, D1, d1_of_d2), -ESRCH);

    /* A new d1 may take them up. */
    create_domain(D1);
    ck_assert_int_eq(op_bind_interdomain(D1, D0, d0_port), 1);
    assert_interdomain(D0, d0_port, D1, 1, 0);
}
END_TEST

/*
 * A domain that shut down keeps its ports until it is destroyed, but gets
 * no new one (as in Xen).
 */
START_TEST(test_dying)
{
    evtchn_port_t p1, p2 = connect_pair(D1, &p1, D2);
    long unbound = op_alloc_unbound(D1, DOMID_SELF, D0);

    ck_assert_int_eq(unbound, 2);
    doms[D1].is_dying = true;
    ck_assert_int_eq(op_alloc_unbound(D0, D1, D0), -EINVAL);
    assert_closed(D1, 3);
    ck_assert_int_eq(op_send(D2, p2), 0);
    ck_assert(is_pending(D1, p1));
    ck_assert_int_eq(op_close(D2, p2), 0);
    assert_unbound(D1, p1, D2, 0);
    /* Binding an end it offered needs no new port of its own. */
    ck_assert_int_eq(op_bind_interdomain(D0, D1, unbound), 1);
    assert_interdomain(D1, unbound, D0, 1, 0);

    /* Destroyed, but still listed: it has no port at all. */
    evtchn_destroy(&doms[D1]);
    assert_no_port(D1, 0);
    ck_assert_int_eq(op_close(D1, p1), -EINVAL);
    ck_assert_int_eq(op_alloc_unbound(D0, D1, D0), -EINVAL);
    assert_unbound(D0, 1, D1, 0);
    ck_assert_uint_eq(buckets(), 2);
    alive[D1] = false;
    publish_domains();
}
END_TEST

/* Up to 4096 ports, in buckets of 64 allocated as they are needed. */
START_TEST(test_buckets)
{
    unsigned long others = buckets() - 1;
    evtchn_port_t p, d2_port;

    assert_no_port(D1, BUCKET);
    for (p = 1; p < NR_PORTS; p++) {
        unsigned int valid = (p / BUCKET + 1) * BUCKET;
        long got = op_alloc_unbound(D1, DOMID_SELF, D2);

        unit_assert(got == p, "allocation gave %ld, expected %u", got, p);
        unit_assert(buckets() == others + valid / BUCKET,
                    "port %u: %lu buckets, expected %u", p, buckets() - others,
                    valid / BUCKET);
        assert_unbound(D1, p, D2, 0);
        if (p < valid - 1)
            assert_closed(D1, valid - 1);
        if (valid < NR_PORTS)
            assert_no_port(D1, valid);
    }
    /* Full. */
    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, D2), -ENOSPC);
    ck_assert_int_eq(op_bind_ipi(D1, 0), -ENOSPC);
    ck_assert_int_eq(op_bind_virq(D1, VIRQ_TIMER, 0), -ENOSPC);
    d2_port = op_alloc_unbound(D2, DOMID_SELF, D1);
    ck_assert_int_eq(op_bind_interdomain(D1, D2, d2_port), -ENOSPC);
    assert_unbound(D2, d2_port, D1, 0);
    ck_assert_uint_eq(buckets(), others + NR_PORTS / BUCKET);
    ck_assert_int_eq(op_alloc_unbound(D0, D1, D2), -ENOSPC);

    /* A closed port is the one handed out next, lowest first. */
    ck_assert_int_eq(op_close(D1, 1000), 0);
    ck_assert_int_eq(op_bind_interdomain(D1, D2, d2_port), 1000);
    ck_assert_int_eq(op_close(D1, NR_PORTS - 1), 0);
    ck_assert_int_eq(op_close(D1, 7), 0);
    ck_assert_int_eq(op_bind_ipi(D1, 0), 7);
    ck_assert_int_eq(op_bind_virq(D1, VIRQ_TIMER, 0), NR_PORTS - 1);
}
END_TEST

/* ---- Arguments, unknown commands, the debug key --------------------- */

/** Every command and the size of its argument. */
static const struct {
    unsigned int cmd;
    size_t size;
} commands[] = {
    { EVTCHNOP_bind_interdomain, sizeof(struct evtchn_bind_interdomain) },
    { EVTCHNOP_bind_virq, sizeof(struct evtchn_bind_virq) },
    { EVTCHNOP_close, sizeof(struct evtchn_port_op) },
    { EVTCHNOP_send, sizeof(struct evtchn_port_op) },
    { EVTCHNOP_status, sizeof(struct evtchn_status) },
    { EVTCHNOP_alloc_unbound, sizeof(struct evtchn_alloc_unbound) },
    { EVTCHNOP_bind_ipi, sizeof(struct evtchn_bind_ipi) },
    { EVTCHNOP_bind_vcpu, sizeof(struct evtchn_bind_vcpu) },
    { EVTCHNOP_unmask, sizeof(struct evtchn_port_op) },
    { EVTCHNOP_reset, sizeof(struct evtchn_reset) },
};

/* An argument the guest cannot give is -EFAULT, and nothing is done. */
START_TEST(test_unreadable_argument)
{
    unsigned int cmd = commands[_i].cmd;
    unsigned char arg[32] = { 0 };

    ck_assert_int_eq(raw_op(D1, cmd, NULL), -EFAULT);
    /* Its last byte unmapped: all zeros would do something. */
    fake_guest_bad(arg + commands[_i].size - 1, 1);
    ck_assert_int_eq(raw_op(D1, cmd, arg), -EFAULT);
    fake_guest_reset();
    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, D2), 1);
    ck_assert_uint_eq(nr_calls(), 0);
}
END_TEST

START_TEST(test_read_only_argument)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = D2 };
    struct evtchn_status s = { .dom = DOMID_SELF, .port = 1 };
    struct evtchn_port_op port = { .port = 1 };
    struct evtchn_bind_vcpu bv = { .port = 1, .vcpu = 1 };
    struct evtchn_reset r = { .dom = DOMID_SELF };

    /* A result that cannot be written back is -EFAULT; as in Xen, what
     * was done stays done (the guest lost only the port's number). */
    fake_guest_readonly(&a, sizeof(a));
    ck_assert_int_eq(raw_op(D1, EVTCHNOP_alloc_unbound, &a), -EFAULT);
    ck_assert_uint_eq(a.port, 0);
    assert_unbound(D1, 1, D2, 0);
    fake_guest_readonly(&s, sizeof(s));
    ck_assert_int_eq(raw_op(D1, EVTCHNOP_status, &s), -EFAULT);
    ck_assert_uint_eq(s.status, 0);
    /* A refusal has nothing to write back: it is not hidden by -EFAULT. */
    a.dom = NOBODY;
    fake_guest_readonly(&a, sizeof(a));
    ck_assert_int_eq(raw_op(D1, EVTCHNOP_alloc_unbound, &a), -ESRCH);

    /* Operations without results write nothing. */
    fake_guest_readonly(&bv, sizeof(bv));
    ck_assert_int_eq(raw_op(D1, EVTCHNOP_bind_vcpu, &bv), 0);
    assert_unbound(D1, 1, D2, 1);
    fake_guest_readonly(&port, sizeof(port));
    ck_assert_int_eq(raw_op(D1, EVTCHNOP_send, &port), 0);
    ck_assert_int_eq(raw_op(D1, EVTCHNOP_unmask, &port), 0);
    ck_assert_int_eq(raw_op(D1, EVTCHNOP_close, &port), 0);
    assert_closed(D1, 1);
    fake_guest_readonly(&r, sizeof(r));
    ck_assert_int_eq(raw_op(D1, EVTCHNOP_reset, &r), 0);
}
END_TEST

START_TEST(test_enosys)
{
    static const unsigned int cmds[] = { EVTCHNOP_bind_pirq,
                                         EVTCHNOP_init_control, 12, 255 };
    unsigned char arg[32] = { 0 };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(cmds); i++)
        ck_assert_int_eq(hypercall(D1, cmds[i], arg, sizeof(arg)), -ENOSYS);
    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, D2), 1);
}
END_TEST

/** The handler of debug key @p key, from the section KEYHANDLER fills. */
static const struct keyhandler *keyhandler(unsigned char key)
{
    extern const struct keyhandler __start_hospes_keyhandlers[];
    extern const struct keyhandler __stop_hospes_keyhandlers[];
    const struct keyhandler *k, *found = NULL;

    for (k = __start_hospes_keyhandlers; k < __stop_hospes_keyhandlers; k++)
        if (k->key == key) {
            ck_assert_msg(!found, "key '%c' registered twice", key);
            found = k;
        }
    return found;
}

START_TEST(test_debug_key)
{
    const struct keyhandler *k = keyhandler('e');
    evtchn_port_t p2;
    const char *out, *d0, *d1, *d2;

    ck_assert_ptr_nonnull(k);
    ck_assert_int_eq(op_alloc_unbound(D1, DOMID_SELF, D2), 1);
    ck_assert_int_eq(connect_pair(D2, &p2, D1), 2); /* d1's 2 is pending */
    ck_assert_int_eq(p2, 1);
    ck_assert_int_eq(op_bind_virq(D1, VIRQ_TIMER, 1), 3);
    ck_assert_int_eq(op_bind_ipi(D1, 1), 4);
    guest_mask(D1, 4);
    ck_assert_int_eq(op_bind_ipi(D1, 0), 5);
    ck_assert_int_eq(op_close(D1, 5), 0);

    printk_clear();
    k->fn('e');
    out = printk_output();
    d0 = strstr(out, "d0: 64 ports\n");
    d1 = strstr(out, "d1: 64 ports\n"
                     "  port 1: unbound for d2, vCPU 0, pending 0, masked 0\n"
                     "  port 2: interdomain to d2 port 1, vCPU 0, pending 1, "
                     "masked 0\n"
                     "  port 3: virq 0, vCPU 1, pending 0, masked 0\n"
                     "  port 4: ipi, vCPU 1, pending 0, masked 1\n"
                     "d2: 64 ports\n"
                     "  port 1: interdomain to d1 port 2, vCPU 0, pending 0, "
                     "masked 0\n");
    d2 = strstr(out, "d2: 64 ports\n");
    ck_assert_msg(d0 && d1 && d2 && d0 < d1 && d1 < d2,
                  "debug key 'e' printed:\n%s", out);
    ck_assert_msg(!strstr(out, "port 0") && !strstr(out, "port 5"),
                  "debug key 'e' listed a reserved or free port:\n%s", out);
}
END_TEST

/* ---- The 2-level bitmaps ------------------------------------------- */

/* The tests below mark ports of d1 straight through event_2l.c. */

START_TEST(test_2l_unmasked)
{
    struct vcpu *v = &vcpus[D1][0];

    evtchn_2l_set_pending(v, 5);
    ck_assert(is_pending(D1, 5));
    ck_assert_uint_eq(nr_pending(D1), 1);
    ck_assert_uint_eq(selector(D1, 0), 1);
    ck_assert_uint_eq(selector(D1, 1), 0);
    ck_assert_uint_eq(fake_marks(v), 1);
    ck_assert_uint_eq(fake_polls(&doms[D1], 5), 1);
    ck_assert_uint_eq(nr_calls(), 2);
    /* Again: the guest has not looked yet, there is nothing new. */
    evtchn_2l_set_pending(v, 5);
    evtchn_2l_set_pending(v, 5);
    ck_assert_uint_eq(nr_calls(), 2);
    /* Another port of the same word: new for pollers, not for the vCPU,
     * which will read the whole word. */
    evtchn_2l_set_pending(v, 63);
    ck_assert(is_pending(D1, 63));
    ck_assert_uint_eq(selector(D1, 0), 1);
    ck_assert_uint_eq(fake_marks(v), 1);
    ck_assert_uint_eq(fake_polls(&doms[D1], 63), 1);
    ck_assert_uint_eq(nr_calls(), 3);
    /* Nothing of other domains changed. */
    ck_assert_uint_eq(nr_pending(D0) + nr_pending(D2), 0);
}
END_TEST

START_TEST(test_2l_guest_took_selector)
{
    struct vcpu *v = &vcpus[D1][0];

    evtchn_2l_set_pending(v, 5);
    /* The guest took the selector but has not handled port 5 yet. */
    shinfo[D1].vcpu_info[0].evtchn_pending_sel = 0;
    evtchn_2l_set_pending(v, 5);
    ck_assert_uint_eq(selector(D1, 0), 0);
    ck_assert_uint_eq(nr_calls(), 2);
    /* A new port in that word flags it again. */
    evtchn_2l_set_pending(v, 6);
    ck_assert_uint_eq(selector(D1, 0), 1);
    ck_assert_uint_eq(fake_marks(v), 2);
    /* Handled, the port is new again. */
    guest_ack(D1, 5);
    shinfo[D1].vcpu_info[0].evtchn_pending_sel = 0;
    evtchn_2l_set_pending(v, 5);
    ck_assert_uint_eq(fake_marks(v), 3);
    ck_assert_uint_eq(fake_polls(&doms[D1], 5), 2);
}
END_TEST

START_TEST(test_2l_masked)
{
    struct vcpu *v = &vcpus[D1][0];

    guest_mask(D1, 5);
    evtchn_2l_set_pending(v, 5);
    evtchn_2l_set_pending(v, 5);
    ck_assert(is_pending(D1, 5));
    ck_assert(is_masked(D1, 5));
    ck_assert_uint_eq(selector(D1, 0), 0);
    ck_assert_uint_eq(fake_marks(v), 0);
    /* A poller waits on the port, masked or not. */
    ck_assert_uint_eq(fake_polls(&doms[D1], 5), 1);
    ck_assert_uint_eq(nr_calls(), 1);
}
END_TEST

START_TEST(test_2l_unmask_pending)
{
    struct vcpu *v = &vcpus[D1][1];

    guest_mask(D1, 70);
    evtchn_2l_set_pending(v, 70);
    fake_event_clear();
    evtchn_2l_unmask(v, 70);
    ck_assert(!is_masked(D1, 70));
    ck_assert(is_pending(D1, 70));
    ck_assert_uint_eq(selector(D1, 1), 1UL << 1);
    ck_assert_uint_eq(selector(D1, 0), 0);
    ck_assert_uint_eq(fake_marks(v), 1);
    ck_assert_uint_eq(nr_calls(), 1);
    /* Once. */
    evtchn_2l_unmask(v, 70);
    ck_assert_uint_eq(nr_calls(), 1);
}
END_TEST

START_TEST(test_2l_unmask_not_pending)
{
    struct vcpu *v = &vcpus[D1][0];

    guest_mask(D1, 5);
    guest_mask(D1, 6);
    evtchn_2l_unmask(v, 5);
    ck_assert(!is_masked(D1, 5));
    ck_assert(is_masked(D1, 6));
    ck_assert(!is_pending(D1, 5));
    ck_assert_uint_eq(selector(D1, 0), 0);
    ck_assert_uint_eq(nr_calls(), 0);
    /* Unmasked, the next event is delivered at once. */
    evtchn_2l_set_pending(v, 5);
    ck_assert_uint_eq(fake_marks(v), 1);
}
END_TEST

/* Each word of the pending bitmap has its bit in the selector. */
START_TEST(test_2l_words)
{
    struct vcpu *v = &vcpus[D1][1];
    evtchn_port_t w;

    for (w = 0; w < WORD; w++) {
        evtchn_port_t port = w * WORD + w; /* the last is port 4095 */

        shinfo[D1].vcpu_info[1].evtchn_pending_sel = 0;
        fake_event_clear();
        evtchn_2l_set_pending(v, port);
        unit_assert(shinfo[D1].evtchn_pending[w] == bit(port),
                    "port %u: pending word %u is %#lx", port, w,
                    shinfo[D1].evtchn_pending[w]);
        unit_assert(selector(D1, 1) == 1UL << w,
                    "port %u: selector %#lx, expected bit %u", port,
                    selector(D1, 1), w);
        unit_assert(fake_marks(v) == 1 && fake_polls(&doms[D1], port) == 1,
                    "port %u: %u marks, %u polls", port, fake_marks(v),
                    fake_polls(&doms[D1], port));
    }
    ck_assert_uint_eq(nr_pending(D1), WORD);
    ck_assert(is_pending(D1, NR_PORTS - 1));
}
END_TEST

START_TEST(test_2l_word_1)
{
    struct vcpu *v = &vcpus[D1][0];

    evtchn_2l_set_pending(v, 70);
    ck_assert_uint_eq(shinfo[D1].evtchn_pending[1], 1UL << 6);
    ck_assert_uint_eq(shinfo[D1].evtchn_pending[0], 0);
    ck_assert_uint_eq(selector(D1, 0), 1UL << 1);
    ck_assert_uint_eq(fake_marks(v), 1);
    ck_assert_uint_eq(fake_polls(&doms[D1], 70), 1);
}
END_TEST

START_TEST(test_2l_queries)
{
    guest_mask(D1, 130);
    evtchn_2l_set_pending(&vcpus[D1][0], 129);
    ck_assert(evtchn_2l_is_pending(&doms[D1], 129));
    ck_assert(!evtchn_2l_is_pending(&doms[D1], 130));
    ck_assert(evtchn_2l_is_masked(&doms[D1], 130));
    ck_assert(!evtchn_2l_is_masked(&doms[D1], 129));
    evtchn_2l_clear_pending(&doms[D1], 129);
    ck_assert(!is_pending(D1, 129));
    /* evtchn_port_is_pending() knows only the domain's ports. */
    guest_mask(D1, 5);
    evtchn_2l_set_pending(&vcpus[D1][0], 5);
    evtchn_2l_set_pending(&vcpus[D1][0], BUCKET + 1);
    ck_assert(evtchn_port_is_pending(&doms[D1], 5));
    ck_assert(!evtchn_port_is_pending(&doms[D1], 6));
    ck_assert(!evtchn_port_is_pending(&doms[D1], BUCKET + 1));
}
END_TEST

/* ---- The random test ------------------------------------------------ */

/** Steps of each run, and the seeds of the runs. */
#define RANDOM_STEPS 5000
static const unsigned long seeds[] = { 1, 42, 20260101 };
/** Fewest successes and refusals of each operation a run must see. */
#define RANDOM_MIN 5

/** The model of a port: what status should say of it. */
struct mport {
    uint8_t state;      /**< ECS_* */
    uint8_t vcpu;       /**< the vCPU it is delivered to */
    uint8_t virq;       /**< ECS_VIRQ: which */
    domid_t dom;        /**< unbound: who may bind it; interdomain: remote */
    evtchn_port_t port; /**< interdomain: the remote port */
};

/** The model of a domain: its ports and its bits in shared_info. */
struct mdom {
    struct mport port[NR_PORTS];
    unsigned int valid; /**< ports with a bucket */
    xen_ulong_t pending[NR_PORTS / WORD], mask[NR_PORTS / WORD];
    xen_ulong_t sel[MAX_VCPUS];
    evtchn_port_t virq_port[MAX_VCPUS][NR_VIRQS]; /**< global: vCPU 0's */
    bool dying; /**< shut down, not yet destroyed */
};

/** What a random step does. */
enum {
    R_ALLOC_UNBOUND,
    R_BIND_INTERDOMAIN,
    R_BIND_VIRQ,
    R_BIND_IPI,
    R_CLOSE,
    R_SEND,
    R_UNMASK,
    R_BIND_VCPU,
    R_STATUS,
    R_RESET,
    R_RAISE_VIRQ, /**< the hypervisor raises a virtual IRQ */
    R_GUEST_BITS, /**< the guest changes its bits */
    R_DESTROY,    /**< a domain shuts down, or is destroyed and created */
    NR_R
};
/** How likely each is, per mille: resets and destructions rarely, so that
 *  domains gather ports. */
static const unsigned int r_weight[NR_R] = { 150, 140, 60, 60, 140, 120, 60,
                                             50,  40,  5,  60, 109, 6 };
/** Which of them are hypercalls, that may succeed or be refused. */
#define R_HYPERCALLS (R_RESET + 1)

/** The virqs the random test binds: each kind, and a bad one. */
static const uint32_t r_virqs[] = { VIRQ_TIMER,   VIRQ_DEBUG,   VIRQ_CONSOLE,
                                    VIRQ_DOM_EXC, NR_VIRQS - 1, NR_VIRQS };

static struct {
    struct mdom dom[NR_DOMS];
    struct fake_event_call expect[8]; /**< delivery calls of this step */
    unsigned int nr_expect;
    unsigned long run_seed; /**< the seed the run started from */
    unsigned long seed;     /**< where unit_random() is in its sequence */
    char what[160];         /**< this step, for messages */
    unsigned int ok[NR_R], refused[NR_R];
    unsigned int max_valid; /**< most ports any domain had */
} rnd;

static unsigned int rand_below(unsigned int n)
{
    return unit_random(&rnd.seed) % n;
}

static bool chance(unsigned int percent)
{
    return rand_below(100) < percent;
}

/** The model of a new domain @p d: port 0 reserved, one bucket. */
static void m_init(unsigned int d)
{
    memset(&rnd.dom[d], 0, sizeof(rnd.dom[d]));
    rnd.dom[d].valid = BUCKET;
    rnd.dom[d].port[0].state = ECS_RESERVED;
}

static void m_expect(struct fake_event_call call)
{
    unit_assert(rnd.nr_expect < ARRAY_SIZE(rnd.expect), "%stoo many calls",
                rnd.what);
    rnd.expect[rnd.nr_expect++] = call;
}

/*
 * The 2-level rules (as in Xen): a port becomes pending once, however
 * often it is sent; unless masked, its word's selector bit is set, and a
 * vCPU whose bit was clear is told. Pollers hear of every new pending
 * port. Unmasking a pending port does what the mask held back.
 */
static void m_flag(unsigned int d, unsigned int v, evtchn_port_t p)
{
    struct mdom *m = &rnd.dom[d];
    xen_ulong_t word_bit = 1UL << (p / WORD);

    if ((m->pending[p / WORD] & bit(p)) && !(m->mask[p / WORD] & bit(p)) &&
        !(m->sel[v] & word_bit)) {
        m->sel[v] |= word_bit;
        m_expect(
            (struct fake_event_call){ .what = FAKE_MARK, .v = &vcpus[d][v] });
    }
}

static void m_set_pending(unsigned int d, unsigned int v, evtchn_port_t p)
{
    struct mdom *m = &rnd.dom[d];

    if (m->pending[p / WORD] & bit(p))
        return;
    m->pending[p / WORD] |= bit(p);
    m_flag(d, v, p);
    m_expect((struct fake_event_call){
        .what = FAKE_POLL, .d = &doms[d], .port = p });
}

/** The lowest free port of @p d, adding a bucket if need be. */
static long m_free_port(unsigned int d)
{
    struct mdom *m = &rnd.dom[d];
    evtchn_port_t p;

    if (m->dying)
        return -EINVAL;
    for (p = 0; p < m->valid; p++)
        if (m->port[p].state == ECS_FREE)
            return p;
    if (m->valid == NR_PORTS)
        return -ENOSPC;
    m->valid += BUCKET;
    return p;
}

/** The domain @p caller names by @p dom, into *@p t. */
static long m_target(unsigned int caller, domid_t dom, unsigned int *t)
{
    if (dom == DOMID_SELF || dom == caller) {
        *t = caller;
        return 0;
    }
    if (dom >= NR_DOMS)
        return -ESRCH;
    if (caller != D0)
        return -EPERM;
    *t = dom;
    return 0;
}

static long m_alloc_unbound(unsigned int c, domid_t dom, domid_t remote)
{
    unsigned int t;
    long p = m_target(c, dom, &t);

    if (p || (p = m_free_port(t)) < 0)
        return p;
    rnd.dom[t].port[p] =
        (struct mport){ .state = ECS_UNBOUND,
                        .dom = remote == DOMID_SELF ? c : remote };
    return p;
}

static long m_bind_interdomain(unsigned int c, domid_t rdom,
                               evtchn_port_t rport)
{
    unsigned int r = rdom == DOMID_SELF ? c : rdom;
    struct mport *rp;
    long p;

    if (r >= NR_DOMS)
        return -ESRCH;
    if (rport >= rnd.dom[r].valid)
        return -EINVAL;
    rp = &rnd.dom[r].port[rport];
    if (rp->state != ECS_UNBOUND || rp->dom != c)
        return -EINVAL;
    if ((p = m_free_port(c)) < 0)
        return p;
    rnd.dom[c].port[p] =
        (struct mport){ .state = ECS_INTERDOMAIN, .dom = r, .port = rport };
    *rp = (struct mport){
        .state = ECS_INTERDOMAIN, .vcpu = rp->vcpu, .dom = c, .port = p
    };
    m_set_pending(c, 0, p);
    return p;
}

static bool m_virq_is_global(uint32_t virq)
{
    return virq != VIRQ_TIMER && virq != VIRQ_DEBUG;
}

static long m_bind_virq(unsigned int c, uint32_t virq, uint32_t vcpu)
{
    struct mdom *m = &rnd.dom[c];
    long p;

    if (virq >= NR_VIRQS || (m_virq_is_global(virq) && vcpu))
        return -EINVAL;
    if (vcpu >= nr_vcpus[c])
        return -ENOENT;
    if (m->virq_port[vcpu][virq])
        return -EEXIST;
    if ((p = m_free_port(c)) < 0)
        return p;
    m->port[p] =
        (struct mport){ .state = ECS_VIRQ, .vcpu = vcpu, .virq = virq };
    m->virq_port[vcpu][virq] = p;
    return p;
}

static long m_bind_ipi(unsigned int c, uint32_t vcpu)
{
    long p;

    if (vcpu >= nr_vcpus[c])
        return -ENOENT;
    if ((p = m_free_port(c)) < 0)
        return p;
    rnd.dom[c].port[p] = (struct mport){ .state = ECS_IPI, .vcpu = vcpu };
    return p;
}

static long m_close(unsigned int d, evtchn_port_t p)
{
    struct mdom *m = &rnd.dom[d];
    struct mport *mp = &m->port[p];

    if (p >= m->valid || mp->state == ECS_FREE || mp->state == ECS_RESERVED)
        return -EINVAL;
    if (mp->state == ECS_VIRQ)
        m->virq_port[m_virq_is_global(mp->virq) ? 0 : mp->vcpu][mp->virq] = 0;
    if (mp->state == ECS_INTERDOMAIN) {
        struct mport *rp = &rnd.dom[mp->dom].port[mp->port];

        *rp =
            (struct mport){ .state = ECS_UNBOUND, .vcpu = rp->vcpu, .dom = d };
    }
    *mp = (struct mport){ .state = ECS_FREE };
    m->pending[p / WORD] &= ~bit(p);
    return 0;
}

static long m_send(unsigned int c, evtchn_port_t p)
{
    const struct mport *mp = &rnd.dom[c].port[p];

    if (p >= rnd.dom[c].valid)
        return -EINVAL;
    switch (mp->state) {
    case ECS_INTERDOMAIN:
        m_set_pending(mp->dom, rnd.dom[mp->dom].port[mp->port].vcpu, mp->port);
        return 0;
    case ECS_IPI:
        m_set_pending(c, mp->vcpu, p);
        return 0;
    case ECS_UNBOUND:
        return 0;
    default:
        return -EINVAL;
    }
}

static long m_unmask(unsigned int c, evtchn_port_t p)
{
    struct mdom *m = &rnd.dom[c];

    bool was_masked;

    if (p >= m->valid)
        return -EINVAL;
    was_masked = m->mask[p / WORD] & bit(p);
    m->mask[p / WORD] &= ~bit(p);
    if (was_masked) /* as in Xen: only a mask that held something back */
        m_flag(c, m->port[p].vcpu, p);
    return 0;
}

static long m_bind_vcpu(unsigned int c, evtchn_port_t p, uint32_t vcpu)
{
    struct mport *mp = &rnd.dom[c].port[p];

    if (vcpu >= nr_vcpus[c])
        return -ENOENT;
    if (p >= rnd.dom[c].valid)
        return -EINVAL;
    if ((mp->state == ECS_VIRQ && m_virq_is_global(mp->virq)) ||
        mp->state == ECS_UNBOUND || mp->state == ECS_INTERDOMAIN) {
        mp->vcpu = vcpu;
        return 0;
    }
    return -EINVAL;
}

static long m_status(unsigned int c, domid_t dom, evtchn_port_t p)
{
    unsigned int t;
    long rc = m_target(c, dom, &t);

    return rc ? rc : p < rnd.dom[t].valid ? 0 : -EINVAL;
}

/** Close every port of @p d, as reset and destroy do. */
static void m_close_all(unsigned int d)
{
    evtchn_port_t p;

    for (p = 1; p < rnd.dom[d].valid; p++)
        if (rnd.dom[d].port[p].state != ECS_FREE)
            m_close(d, p);
}

static long m_reset(unsigned int c, domid_t dom)
{
    unsigned int t;
    long rc = m_target(c, dom, &t);

    if (!rc)
        m_close_all(t);
    return rc;
}

/** A domain id to name: mostly one that exists or DOMID_SELF. */
static domid_t rand_domid(void)
{
    unsigned int r = rand_below(10);

    return r == 0 ? NOBODY : r < 4 ? DOMID_SELF : rand_below(NR_DOMS);
}

/** A port of @p d to act on: mostly one in use, else any near its range. */
static evtchn_port_t rand_port(unsigned int d)
{
    const struct mdom *m = &rnd.dom[d];
    unsigned int start = rand_below(m->valid), i;

    if (chance(70))
        for (i = 0; i < m->valid; i++) {
            evtchn_port_t p = (start + i) % m->valid;

            if (m->port[p].state > ECS_RESERVED)
                return p;
        }
    return rand_below(m->valid + BUCKET / 2);
}

/**
 * A port unbound for @p c, into *@p rdom and *@p rport, if there is one
 * (its domain named as DOMID_SELF half of the times it is @p c's).
 */
static bool rand_unbound_for(unsigned int c, domid_t *rdom,
                             evtchn_port_t *rport)
{
    unsigned int d, n = 0, pick;
    evtchn_port_t p;

    for (d = 0; d < NR_DOMS; d++)
        for (p = 1; p < rnd.dom[d].valid; p++)
            n += rnd.dom[d].port[p].state == ECS_UNBOUND &&
                 rnd.dom[d].port[p].dom == c;
    if (!n)
        return false;
    pick = rand_below(n);
    for (d = 0; d < NR_DOMS; d++)
        for (p = 1; p < rnd.dom[d].valid; p++)
            if (rnd.dom[d].port[p].state == ECS_UNBOUND &&
                rnd.dom[d].port[p].dom == c && !pick--) {
                *rdom = d == c && chance(50) ? DOMID_SELF : d;
                *rport = p;
                return true;
            }
    return false;
}

/** Describe step @p step, for the messages of the checks that follow. */
static void __printf(2, 3) describe(unsigned int step, const char *fmt, ...)
{
    size_t n = snprintf(rnd.what, sizeof(rnd.what),
                        "seed %lu step %u: ", rnd.run_seed, step);
    va_list args;

    va_start(args, fmt);
    n += vsnprintf(rnd.what + n, sizeof(rnd.what) - n, fmt, args);
    va_end(args);
    if (n < sizeof(rnd.what))
        snprintf(rnd.what + n, sizeof(rnd.what) - n, ": ");
}

/** One hypercall step by domain @p c: @return what it returned. */
static long random_hypercall(unsigned int step, unsigned int op, unsigned int c,
                             long *want)
{
    domid_t dom = rand_domid(), rdom;
    evtchn_port_t p = rand_port(c), rport;
    uint32_t vcpu = rand_below(MAX_VCPUS + 1), virq;
    struct evtchn_status s;

    switch (op) {
    case R_ALLOC_UNBOUND:
        if (chance(70))
            dom = DOMID_SELF;
        rdom = rand_domid();
        describe(step, "d%u alloc_unbound(dom %u, remote %u)", c, dom, rdom);
        *want = m_alloc_unbound(c, dom, rdom);
        return op_alloc_unbound(c, dom, rdom);
    case R_BIND_INTERDOMAIN:
        if (!chance(70) || !rand_unbound_for(c, &rdom, &rport)) {
            rdom = rand_domid();
            rport = rand_port(rdom < NR_DOMS ? rdom : c);
        }
        describe(step, "d%u bind_interdomain(%u, %u)", c, rdom, rport);
        *want = m_bind_interdomain(c, rdom, rport);
        return op_bind_interdomain(c, rdom, rport);
    case R_BIND_VIRQ:
        virq = r_virqs[rand_below(ARRAY_SIZE(r_virqs))];
        describe(step, "d%u bind_virq(%u, vCPU %u)", c, virq, vcpu);
        *want = m_bind_virq(c, virq, vcpu);
        return op_bind_virq(c, virq, vcpu);
    case R_BIND_IPI:
        describe(step, "d%u bind_ipi(vCPU %u)", c, vcpu);
        *want = m_bind_ipi(c, vcpu);
        return op_bind_ipi(c, vcpu);
    case R_CLOSE:
        describe(step, "d%u close(%u)", c, p);
        *want = m_close(c, p);
        return op_close(c, p);
    case R_SEND:
        describe(step, "d%u send(%u)", c, p);
        *want = m_send(c, p);
        return op_send(c, p);
    case R_UNMASK:
        describe(step, "d%u unmask(%u)", c, p);
        *want = m_unmask(c, p);
        return op_unmask(c, p);
    case R_BIND_VCPU:
        describe(step, "d%u bind_vcpu(%u, vCPU %u)", c, p, vcpu);
        *want = m_bind_vcpu(c, p, vcpu);
        return op_bind_vcpu(c, p, vcpu);
    case R_STATUS:
        describe(step, "d%u status(dom %u, port %u)", c, dom, p);
        *want = m_status(c, dom, p);
        return op_status(c, dom, p, &s); /* its answer: random_check() */
    default:
        describe(step, "d%u reset(dom %u)", c, dom);
        *want = m_reset(c, dom);
        return op_reset(c, dom);
    }
}

/** The hypervisor raises a virq: one of @p d's vCPUs', or a global one. */
static void random_raise_virq(unsigned int step, unsigned int d)
{
    unsigned int v = rand_below(nr_vcpus[d]);
    uint32_t virq = r_virqs[rand_below(4)];
    const struct mdom *m;
    evtchn_port_t p;

    if (m_virq_is_global(virq)) {
        describe(step, "send_global_virq(%u)", virq);
        m = &rnd.dom[D0];
        p = m->virq_port[0][virq];
        send_global_virq(virq);
        d = D0;
    } else {
        describe(step, "send_guest_vcpu_virq(d%u vCPU %u, %u)", d, v, virq);
        m = &rnd.dom[d];
        p = m->virq_port[v][virq];
        send_guest_vcpu_virq(&vcpus[d][v], virq);
    }
    if (p)
        m_set_pending(d, m->port[p].vcpu, p);
}

/** Guest @p d masks or unmasks a port, handles one, or takes a selector. */
static void random_guest_bits(unsigned int step, unsigned int d)
{
    struct mdom *m = &rnd.dom[d];
    evtchn_port_t p = rand_port(d) % NR_PORTS;
    unsigned int v = rand_below(nr_vcpus[d]);

    switch (rand_below(4)) {
    case 0:
        describe(step, "d%u masks %u", d, p);
        m->mask[p / WORD] |= bit(p);
        guest_mask(d, p);
        break;
    case 1:
        describe(step, "d%u clears its mask of %u", d, p);
        m->mask[p / WORD] &= ~bit(p);
        shinfo[d].evtchn_mask[p / WORD] &= ~bit(p);
        break;
    case 2:
        describe(step, "d%u handles %u", d, p);
        m->pending[p / WORD] &= ~bit(p);
        guest_ack(d, p);
        break;
    default:
        describe(step, "d%u vCPU %u takes its selector", d, v);
        m->sel[v] = 0;
        shinfo[d].vcpu_info[v].evtchn_pending_sel = 0;
    }
}

/**
 * Domain @p d shuts down: it acts no more, but keeps its ports. Or, if it
 * has, it is destroyed and a new domain with its id is created.
 */
static void random_destroy(unsigned int step, unsigned int d)
{
    unsigned long want = 0;
    unsigned int i;

    if (!rnd.dom[d].dying) {
        describe(step, "d%u shuts down", d);
        rnd.dom[d].dying = doms[d].is_dying = true;
        return;
    }
    describe(step, "d%u destroyed", d);
    m_close_all(d);
    destroy_domain(d);
    for (i = 0; i < NR_DOMS; i++)
        if (i != d)
            want += rnd.dom[i].valid / BUCKET;
    unit_assert(buckets() == want, "%s%lu buckets left, expected %lu", rnd.what,
                buckets(), want);
    m_init(d);
    create_domain(d);
}

static bool same_call(const struct fake_event_call *a,
                      const struct fake_event_call *b)
{
    return a->what == b->what && a->v == b->v && a->d == b->d &&
           a->port == b->port;
}

/** Were the delivery calls of this step the model's (in any order)? */
static void random_check_calls(void)
{
    const struct fake_event_call *got;
    unsigned int n = fake_event_calls(&got), i, j;
    bool used[ARRAY_SIZE(rnd.expect)] = { false };

    unit_assert(n == rnd.nr_expect, "%s%u delivery calls, expected %u",
                rnd.what, n, rnd.nr_expect);
    for (i = 0; i < rnd.nr_expect; i++) {
        const struct fake_event_call *e = &rnd.expect[i];

        for (j = 0; j < n && (used[j] || !same_call(&got[j], e)); j++)
            ;
        unit_assert(j < n, "%sno call of %s for d%u %s %u", rnd.what,
                    e->what == FAKE_MARK ? "vcpu_mark_events_pending()"
                                         : "sched_check_pollers()",
                    e->what == FAKE_MARK ? e->v->domain->domain_id
                                         : e->d->domain_id,
                    e->what == FAKE_MARK ? "vCPU" : "port",
                    e->what == FAKE_MARK ? e->v->vcpu_id : e->port);
        used[j] = true;
    }
    fake_event_clear();
    rnd.nr_expect = 0;
}

/** Does status say of port @p p of @p d what the model does? */
static void random_check_port(unsigned int d, evtchn_port_t p)
{
    const struct mport *mp = &rnd.dom[d].port[p];

    switch (mp->state) {
    case ECS_UNBOUND:
        assert_unbound(d, p, mp->dom, mp->vcpu);
        break;
    case ECS_INTERDOMAIN:
        assert_interdomain(d, p, mp->dom, mp->port, mp->vcpu);
        break;
    case ECS_VIRQ:
        assert_status(d, p, EVTCHNSTAT_virq, mp->vcpu, mp->virq, 0);
        break;
    case ECS_IPI:
        assert_status(d, p, EVTCHNSTAT_ipi, mp->vcpu, 0, 0);
        break;
    default:
        assert_closed(d, p);
    }
}

/** Does every port, bit and bucket agree with the model? */
static void random_check(void)
{
    unsigned long want_buckets = 0;
    unsigned int d, v;
    evtchn_port_t p;

    random_check_calls();
    for (d = 0; d < NR_DOMS; d++) {
        const struct mdom *m = &rnd.dom[d];

        for (p = 0; p < m->valid; p++)
            random_check_port(d, p);
        if (m->valid < NR_PORTS)
            assert_no_port(d, m->valid);
        unit_assert(
            !memcmp(m->pending, shinfo[d].evtchn_pending, sizeof(m->pending)),
            "%sd%u: pending bits differ from the model's", rnd.what, d);
        unit_assert(!memcmp(m->mask, shinfo[d].evtchn_mask, sizeof(m->mask)),
                    "%sd%u: mask bits differ from the model's", rnd.what, d);
        for (v = 0; v < nr_vcpus[d]; v++)
            unit_assert(m->sel[v] == selector(d, v),
                        "%sd%u vCPU %u: selector %#lx, expected %#lx", rnd.what,
                        d, v, selector(d, v), m->sel[v]);
        want_buckets += m->valid / BUCKET;
        rnd.max_valid = max(rnd.max_valid, m->valid);
    }
    unit_assert(buckets() == want_buckets, "%s%lu buckets, expected %lu",
                rnd.what, buckets(), want_buckets);
    unit_assert(!fake_event_refs_held(), "%sa domain reference was kept",
                rnd.what);
}

/** Pick a step by the weights. */
static unsigned int random_op(void)
{
    unsigned int r = rand_below(1000), op;

    for (op = 0; r >= r_weight[op]; op++)
        r -= r_weight[op];
    return op;
}

/** A domain that may act (has not shut down), or NR_DOMS if none. */
static unsigned int random_caller(void)
{
    unsigned int live[NR_DOMS], n = 0, d;

    for (d = 0; d < NR_DOMS; d++)
        if (!rnd.dom[d].dying)
            live[n++] = d;
    return n ? live[rand_below(n)] : NR_DOMS;
}

START_TEST(test_random)
{
    unsigned int step, d, op;

    memset(&rnd, 0, sizeof(rnd));
    rnd.run_seed = rnd.seed = seeds[_i];
    for (d = 0; d < NR_DOMS; d++)
        m_init(d);
    context = rnd.what;

    for (step = 0; step < RANDOM_STEPS; step++) {
        unsigned int c = random_caller();
        long want = 0, got = 0;

        op = c < NR_DOMS ? random_op() : R_DESTROY;
        if (op == R_DESTROY)
            random_destroy(step, rand_below(NR_DOMS));
        else if (op < R_HYPERCALLS)
            got = random_hypercall(step, op, c, &want);
        else if (op == R_RAISE_VIRQ)
            random_raise_virq(step, c);
        else
            random_guest_bits(step, c);
        unit_assert(got == want, "%sreturned %ld, expected %ld", rnd.what, got,
                    want);
        if (got < 0)
            rnd.refused[op]++;
        else
            rnd.ok[op]++;
        random_check();
    }

    /* Else the checks above had little to check. */
    for (op = 0; op < NR_R; op++)
        ck_assert_msg(rnd.ok[op] >= RANDOM_MIN &&
                          (op >= R_HYPERCALLS || rnd.refused[op] >= RANDOM_MIN),
                      "seed %lu: step %u done %u times, refused %u times",
                      rnd.run_seed, op, rnd.ok[op], rnd.refused[op]);
    ck_assert_msg(rnd.max_valid > BUCKET, "seed %lu: never a second bucket",
                  rnd.run_seed);
}
END_TEST

Suite *unit_suite(void)
{
    Suite *s = suite_create("evtchn");
    TCase *ports = tcase_create("ports");
    TCase *delivery = tcase_create("delivery");
    TCase *args = tcase_create("arguments");
    TCase *bits = tcase_create("2-level");
    TCase *random = tcase_create("random");

    tcase_add_checked_fixture(ports, setup, teardown);
    tcase_add_test(ports, test_port_0_reserved);
    tcase_add_test(ports, test_alloc_unbound);
    tcase_add_test(ports, test_alloc_unbound_by_dom0);
    tcase_add_test(ports, test_unprivileged_names_other);
    tcase_add_test(ports, test_bind_interdomain);
    tcase_add_test(ports, test_bind_interdomain_errors);
    tcase_add_test(ports, test_loopback);
    tcase_add_test(ports, test_close_interdomain);
    tcase_add_test(ports, test_close_frees);
    tcase_add_test(ports, test_lowest_free_port);
    tcase_add_test(ports, test_bind_virq);
    tcase_add_test(ports, test_bind_ipi);
    tcase_add_test(ports, test_bind_vcpu);
    tcase_add_test(ports, test_reset);
    tcase_add_test(ports, test_destroy);
    tcase_add_test(ports, test_dying);
    tcase_add_test(ports, test_buckets);
    suite_add_tcase(s, ports);

    tcase_add_checked_fixture(delivery, setup, teardown);
    tcase_add_test(delivery, test_send);
    tcase_add_test(delivery, test_send_flood);
    tcase_add_test(delivery, test_unmask_hypercall);
    tcase_add_test(delivery, test_virq_delivery);
    suite_add_tcase(s, delivery);

    tcase_add_checked_fixture(args, setup, teardown);
    tcase_add_loop_test(args, test_unreadable_argument, 0,
                        ARRAY_SIZE(commands));
    tcase_add_test(args, test_read_only_argument);
    tcase_add_test(args, test_enosys);
    tcase_add_test(args, test_debug_key);
    suite_add_tcase(s, args);

    tcase_add_checked_fixture(bits, setup, teardown);
    tcase_add_test(bits, test_2l_unmasked);
    tcase_add_test(bits, test_2l_guest_took_selector);
    tcase_add_test(bits, test_2l_masked);
    tcase_add_test(bits, test_2l_unmask_pending);
    tcase_add_test(bits, test_2l_unmask_not_pending);
    tcase_add_test(bits, test_2l_word_1);
    tcase_add_test(bits, test_2l_words);
    tcase_add_test(bits, test_2l_queries);
    suite_add_tcase(s, bits);

    tcase_add_checked_fixture(random, setup, teardown);
    tcase_add_loop_test(random, test_random, 0, ARRAY_SIZE(seeds));
    tcase_set_timeout(random, 60);
    suite_add_tcase(s, random);
    return s;
}
