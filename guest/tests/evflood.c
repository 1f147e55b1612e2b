/**
 * @file
 * @brief Lab 6 test guest: one domain sends a million events to another,
 *        which has masked the port; the other keeps running and, once it
 *        unmasks, gets one event.
 *
 * Two instances, one per domain, on one CPU (`-smp 1`):
 *  - `role=peer peer=1` (dom0) allocates two ports for domain 1: the
 *    flood port, which it masks, and the done port. Then it yields the CPU
 *    in a loop, counting its turns while the flood goes on and printing
 *    progress at fixed checkpoints: the flooder's million hypercalls
 *    must not keep it off the CPU. When the done event comes it looks at
 *    the flood port: pending (one bit, whatever the number of sends) and
 *    never delivered; EVTCHNOP_unmask then delivers exactly one event,
 *    and no more come.
 *  - `role=flooder peer=0 port=P done=Q` (the domU) binds the peer's
 *    ports P and Q, sends FLOOD_SENDS times on the first without a pause,
 *    then once on the second, and prints how many sends returned 0.
 *
 * An event is one bit in the receiver's shared_info: the hypervisor
 * keeps no queue of them, so a flood costs it no memory and the receiver
 * sees one event. The flooder is preempted at the end of each time slice
 * like any domain, so the peer gets its turns.
 *
 * The peer notices if the flooder goes away without the done event (its
 * ports become unbound again, as the hypervisor closes the flooder's
 * ends), and ends with ERROR instead of waiting for ever.
 */
#include <public/sched.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/test.h>

/** Sends of the flooder. */
#define FLOOD_SENDS 1000000UL

/** The peer prints a line each CHECKPOINT of its turns during the flood... */
#define CHECKPOINT 5
/**
 * ...up to this many turns, which it must reach before the flood ends: on
 * one CPU it gets one turn per time slice of the flooder (10 ms), and the
 * flood lasts about a second under QEMU's emulation (some 100 turns).
 */
#define MIN_TURNS 20

/** How long the peer waits for the flooder to bind its ports (ns). */
#define BIND_TIMEOUT 10000000000ULL

/** How long the peer watches for an event after the one of the unmask. */
#define QUIET_NS 10000000ULL

/** The other domain (peer=). */
static unsigned long peer;

/** Events handled on the peer's flood port (evtchn_count_event())... */
static volatile unsigned long flood_events;
/** ...and on its port for the flooder's "done". */
static volatile unsigned long done_events;

/** Is our @p port connected to the other domain? */
static bool connected(evtchn_port_t port)
{
    return evtchn_status(DOMID_SELF, port, NULL) == EVTCHNSTAT_interdomain;
}

/** Give the CPU up once. */
static void yield(void)
{
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

/**
 * The peer's side: ports, turns counted during the flood, then the one
 * event of the flood port.
 */
static void run_peer(void)
{
    long flood = evtchn_alloc_unbound(peer), done = evtchn_alloc_unbound(peer);
    unsigned long turns = 0;
    uint64_t deadline = guest_now() + BIND_TIMEOUT, quiet_until;

    if (flood < 0 || done < 0)
        test_error("evflood: alloc_unbound: %ld, %ld", flood, done);
    evtchn_mask(flood);
    evtchn_set_handler(flood, evtchn_count_event, (void *)&flood_events);
    evtchn_set_handler(done, evtchn_count_event, (void *)&done_events);
    printf("evflood: peer: port %ld (masked) for the flood, port %ld for "
           "its end, both for d%lu\n",
           flood, done, peer);
    events_enable();

    /* The flooder binds the done port last, and floods at once. */
    while (!connected(done))
        if (guest_now() > deadline)
            test_error("evflood: peer: d%lu did not bind port %ld", peer, done);
        else
            yield();
    /* A turn counts if the done event had not come when it began: the
     * upcall comes on the way back from the yield, before the look. */
    for (;;) {
        if (!connected(done))
            test_error("evflood: peer: d%lu went away after %lu turns of "
                       "ours, and no done event came",
                       peer, turns);
        yield();
        if (done_events)
            break;
        if (++turns % CHECKPOINT == 0 && turns <= MIN_TURNS)
            printf("evflood: peer: %lu turns while flooded\n", turns);
    }
    CHECK(turns >= MIN_TURNS,
          "the peer had only %lu turns of the CPU during the flood", turns);
    printf("evflood: peer: the flood is over, after at least %u turns of "
           "ours\n",
           MIN_TURNS);

    printf("evflood: peer: port %ld pending %u, masked %u, %lu upcalls\n",
           flood, evtchn_is_pending(flood), evtchn_is_masked(flood),
           flood_events);
    CHECK_EQ(evtchn_is_pending(flood), 1);
    CHECK_EQ(flood_events, 0);

    CHECK_EQ(evtchn_unmask(flood), 0);
    quiet_until = guest_now() + QUIET_NS;
    while (guest_now() < quiet_until)
        CHECK_EQ(evtchn_poll(flood, quiet_until), 0);
    printf("evflood: peer: unmasked: %lu upcall(s), pending %u; none more "
           "in 10 ms\n",
           flood_events, evtchn_is_pending(flood));
    CHECK_EQ(flood_events, 1);
    CHECK_EQ(evtchn_is_pending(flood), 0);
}

/** Bind port @p remote of the peer, trying again while it is not there. */
static evtchn_port_t bind_peer_port(unsigned long remote)
{
    long port = evtchn_bind_interdomain_retry(peer, remote);

    if (port < 0)
        test_error("evflood: flooder: binding d%lu's port %lu: %ld", peer,
                   remote, port);
    return port;
}

/** The flooder's side: FLOOD_SENDS sends, then one on the done port. */
static void run_flooder(const char *cmdline)
{
    unsigned long flood_remote = 0, done_remote = 0, i, zero = 0;
    evtchn_port_t flood, done;
    long rc, first_error = 0;

    if (!cmdline_get_ulong(cmdline, "port", &flood_remote) ||
        !cmdline_get_ulong(cmdline, "done", &done_remote))
        test_error("evflood: flooder: needs port= and done=");
    flood = bind_peer_port(flood_remote);
    done = bind_peer_port(done_remote);
    printf("evflood: flooder: bound d%lu's ports %lu and %lu\n", peer,
           flood_remote, done_remote);

    for (i = 0; i < FLOOD_SENDS; i++) {
        rc = evtchn_send(flood);
        if (!rc)
            zero++;
        else if (!first_error)
            first_error = rc;
    }
    CHECK_EQ(evtchn_send(done), 0);
    printf("evflood: flooder: %lu sends on port %u: %lu returned 0\n",
           FLOOD_SENDS, flood, zero);
    CHECK(zero == FLOOD_SENDS, "%lu sends failed, the first with %ld",
          FLOOD_SENDS - zero, first_error);
}

void test_main(const struct start_info *si)
{
    if (!cmdline_get_ulong(si->cmd_line, "peer", &peer))
        test_error("evflood: needs peer=");
    events_init(si);
    if (cmdline_is(si->cmd_line, "role", "peer"))
        run_peer();
    else if (cmdline_is(si->cmd_line, "role", "flooder"))
        run_flooder(si->cmd_line);
    else
        test_error("evflood: needs role=peer or role=flooder");
}
