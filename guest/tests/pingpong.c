/**
 * @file
 * @brief Lab 6 test guest: two domains bounce an event back and forth
 *        over an interdomain channel, then one end closes mid-stream.
 *
 * Two instances, one per domain, on one CPU (`-smp 1`):
 *  - `role=server peer=1` (dom0) allocates an unbound port for domain 1
 *    and prints it: the first port of a domain is 1 (0 is reserved).
 *  - `role=client peer=0 port=1` (the domU) binds to that port, trying
 *    again (a yield apart) while the server has not allocated it yet.
 *    As in Xen, binding sets the client's new port pending: that first
 *    event arrives as soon as the client enables events, which shows that
 *    events are delivered at all before anything waits for one.
 *
 * Then ROUND_TRIPS round trips: the client sends a ping and sleeps in
 * events_wait() until the pong; the server sleeps until the ping and
 * sends the pong. One more ping asks for the burst: the server sends
 * BURST events without waiting for answers, yielding the CPU after each
 * (so that on one CPU the client takes each before the next), and the
 * client closes its port after CLOSE_AFTER of them. The server's sends
 * keep returning 0 (an event on an unbound port is dropped), and its port
 * is unbound again, waiting for the client's domain; the client's send on
 * its closed port is -EINVAL. (With more than one CPU, events can merge:
 * then the burst goes on until the client has closed.)
 *
 * The server waits for the first ping at most FIRST_PING_NS, and only
 * while the client's domain is there: without event delivery, no ping
 * ever comes.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/test.h>

/** Pings answered by pongs. */
#define ROUND_TRIPS 1000

/** Events the server sends without waiting, at the end... */
#define BURST 100
/** ...and how many of them the client takes before it closes its port... */
#define CLOSE_AFTER 10
/** ...and the most the server sends while its client has not closed yet. */
#define MAX_BURST 100000

/** How long the server waits for the first ping at most (ns)... */
#define FIRST_PING_NS 10000000000ULL
/** ...looking whether the client is still there this often (ns). */
#define POLL_STEP_NS 10000000ULL

/** The other domain (peer=). */
static unsigned long peer;

/** Events handled on our end of the channel (evtchn_count_event()). */
static volatile unsigned long received;

/** Give the CPU up once. */
static void yield(void)
{
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

/** Send on @p port; end the test if that fails (no answer would come). */
static void send_or_stop(evtchn_port_t port, const char *what)
{
    long rc = evtchn_send(port);

    if (rc)
        test_error("pingpong: sending the %s on port %u: %ld", what, port, rc);
}

/**
 * Is the peer's domain still there? dom0 may ask EVTCHNOP_status about
 * any domain's ports: -ESRCH once the domain is gone.
 */
static bool peer_alive(void)
{
    return evtchn_status(peer, 0, NULL) != -XEN_ESRCH;
}

/**
 * The server's wait for the first ping: SCHEDOP_poll on the port (the
 * upcall comes on the way back), POLL_STEP_NS at a time, given up after
 * FIRST_PING_NS or as soon as the client's domain is gone (it stops at
 * its first failure).
 */
static void wait_first_ping(evtchn_port_t port)
{
    uint64_t give_up = guest_now() + FIRST_PING_NS;

    while (!received) {
        if (!peer_alive())
            test_error("pingpong: server: d%lu is gone, and no ping came",
                       peer);
        if (guest_now() > give_up)
            test_error("pingpong: server: no ping in 10 s");
        evtchn_poll(port, guest_now() + POLL_STEP_NS);
    }
}

/** The server: answer every ping, then the burst. */
static void run_server(void)
{
    long port = evtchn_alloc_unbound(peer), state;
    unsigned int i, zero = 0, after_close = 0;
    struct evtchn_status s;

    printf("pingpong: server: port %ld for d%lu\n", port, peer);
    if (port < 0)
        test_error("pingpong: server: alloc_unbound: %ld", port);
    evtchn_set_handler(port, evtchn_count_event, (void *)&received);
    events_enable();

    wait_first_ping(port);
    for (i = 1; i <= ROUND_TRIPS; i++) {
        events_wait(&received, i);
        send_or_stop(port, "pong");
    }
    printf("pingpong: %u round trips\n", ROUND_TRIPS);

    /* The client's request for the burst; then BURST sends, or more
     * until the client has closed. */
    events_wait(&received, ROUND_TRIPS + 1);
    for (i = 0; i < BURST || (!after_close && i < MAX_BURST); i++) {
        after_close +=
            evtchn_status(DOMID_SELF, port, NULL) == EVTCHNSTAT_unbound;
        zero += evtchn_send(port) == 0;
        yield();
    }
    printf("pingpong: server: burst of %u sends: %u returned 0, some after "
           "the client closed its end: %s\n",
           i, zero, after_close ? "yes" : "no");
    CHECK_EQ(zero, i);
    CHECK(after_close > 0, "the client never closed its end");

    state = evtchn_status(DOMID_SELF, port, &s);
    printf("pingpong: server: port %ld is %s for d%u again\n", port,
           state == EVTCHNSTAT_unbound ? "unbound" : "NOT unbound",
           s.u.unbound.dom);
    CHECK_EQ(state, EVTCHNSTAT_unbound);
    CHECK_EQ(s.u.unbound.dom, peer);
}

/** The client: ping ROUND_TRIPS times, then close during the burst. */
static void run_client(const char *cmdline)
{
    unsigned long remote = 0;
    unsigned int i;
    long port, rc, state;

    if (!cmdline_get_ulong(cmdline, "port", &remote))
        test_error("pingpong: client: needs port=");
    port = evtchn_bind_interdomain_retry(peer, remote);
    printf("pingpong: client: bound to d%lu port %lu: port %ld\n", peer, remote,
           port);
    if (port < 0)
        test_error("pingpong: client: bind_interdomain: %ld", port);
    evtchn_set_handler(port, evtchn_count_event, (void *)&received);

    events_enable();
    if (received != 1)
        test_error("pingpong: client: the bind's own event did not arrive "
                   "(%lu events)",
                   received);
    printf("pingpong: client: the bind's own event arrived\n");

    for (i = 1; i <= ROUND_TRIPS; i++) {
        send_or_stop(port, "ping");
        events_wait(&received, 1 + i); /* the bind's event, and i pongs */
    }
    printf("pingpong: %u round trips\n", ROUND_TRIPS);

    send_or_stop(port, "request for the burst");
    events_wait(&received, 1 + ROUND_TRIPS + CLOSE_AFTER);
    CHECK_EQ(evtchn_close(port), 0);
    rc = evtchn_send(port);
    state = evtchn_status(DOMID_SELF, port, NULL);
    printf("pingpong: client: closed port %ld after %u events of the burst; "
           "send on it: %ld; status %s\n",
           port, CLOSE_AFTER, rc,
           state == EVTCHNSTAT_closed ? "closed" : "NOT closed");
    CHECK_EQ(rc, -XEN_EINVAL);
    CHECK_EQ(state, EVTCHNSTAT_closed);
}

void test_main(const struct start_info *si)
{
    if (!cmdline_get_ulong(si->cmd_line, "peer", &peer))
        test_error("pingpong: needs peer=");
    events_init(si);
    if (cmdline_is(si->cmd_line, "role", "server"))
        run_server();
    else if (cmdline_is(si->cmd_line, "role", "client"))
        run_client(si->cmd_line);
    else
        test_error("pingpong: needs role=server or role=client");
}
