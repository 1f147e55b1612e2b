/**
 * @file
 * @brief Benchmark guest: the cost of a null hypercall and of an
 *        exception bounced to the guest and back (lab 4), of page-table
 *        updates: update_va_mapping, mmu_update of one entry and of a batch
 *        of 512 (lab 5), and of an event sent to itself and to another
 *        domain and back (lab 6).
 *
 * Times n round trips with the TSC and prints the average in TSC ticks.
 * Under QEMU with `-icount shift=0` one tick is one instruction and the
 * figures repeat exactly from run to run (tests/bench/boot.sh).
 * Command line: `n=N` round trips (default 1000); `peer=D` also measures
 * round trips with domain D, which runs this program with `echo=1` (and
 * the same n=): it binds to our port 1 and sends every event back.
 */
#include <public/version.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/pagetable.h>
#include <guest/test.h>
#include <guest/traps.h>

/** Round trips without an n= option. */
#define DEFAULT_ROUNDS 1000

/** Entries in an L1: one batch of mmu_update fills one. */
#define L1_ENTRIES 512

/** Average ticks of @p rounds update_va_mapping calls at the scratch window. */
static uint64_t bench_update_va_mapping(unsigned long rounds)
{
    uint64_t pte = (uint64_t)virt_to_mfn(scratch_va()) << 12 | PTE_KERNEL_RW;
    uint64_t start = rdtsc();
    unsigned long i;

    for (i = 0; i < rounds; i++)
        CHECK_EQ(HYPERVISOR_update_va_mapping((uintptr_t)scratch_va(), pte,
                                              UVMF_INVLPG),
                 0);
    return (rdtsc() - start) / rounds;
}

/**
 * Average ticks of @p rounds mmu_updates of one entry, then of one batch
 * filling a whole pinned L1 (written in *@p batch).
 */
static uint64_t bench_mmu_update(unsigned long rounds, uint64_t *batch)
{
    static struct mmu_update reqs[L1_ENTRIES];
    unsigned long l1 = frame_alloc(), data = frame_alloc(), i;
    uint64_t start, one;
    unsigned int done;

    CHECK_EQ(pt_mmuext(MMUEXT_PIN_L1_TABLE, l1), 0);
    for (i = 0; i < L1_ENTRIES; i++)
        reqs[i] = (struct mmu_update){ pte_maddr(l1, i),
                                       (uint64_t)data << 12 | PTE_KERNEL_RO };
    start = rdtsc();
    for (i = 0; i < rounds; i++)
        CHECK_EQ(pt_update(reqs[0].ptr, reqs[0].val), 0);
    one = (rdtsc() - start) / rounds;
    start = rdtsc();
    for (i = 0; i < rounds / 16 + 1; i++)
        CHECK_EQ(HYPERVISOR_mmu_update(reqs, L1_ENTRIES, &done, DOMID_SELF), 0);
    *batch = (rdtsc() - start) / (rounds / 16 + 1);
    CHECK_EQ(done, L1_ENTRIES);
    CHECK_EQ(pt_mmuext(MMUEXT_UNPIN_TABLE, l1), 0);
    return one;
}

/** Events that came on the port to or from the other domain. */
static volatile unsigned long peer_events;

/** Check a port we were given; @return it. */
static long bound_port(long port)
{
    if (port < 0)
        test_error("bench: binding an event channel: %ld", port);
    return port;
}

/** Average ticks of @p rounds events sent to ourselves (an IPI port). */
static uint64_t bench_event_self(unsigned long rounds)
{
    long port = bound_port(evtchn_bind_ipi());
    unsigned long before = events_handled, i;
    uint64_t start = rdtsc();

    for (i = 0; i < rounds; i++)
        evtchn_send(port); /* handled on the hypercall's way back */
    CHECK_EQ(events_handled - before, rounds);
    return (rdtsc() - start) / rounds;
}

/**
 * Average ticks of @p rounds round trips with the echo domain on our
 * port @p port: send, sleep until the echo comes back.
 */
static uint64_t bench_event_peer(long port, unsigned long rounds)
{
    unsigned long i;
    uint64_t start;

    events_wait(&peer_events, 1); /* the echo's hello: it is bound */
    start = rdtsc();
    for (i = 0; i < rounds; i++) {
        evtchn_send(port);
        events_wait(&peer_events, i + 2);
    }
    return (rdtsc() - start) / rounds;
}

/**
 * The echo side (`echo=1`): bind to the measuring domain's port 1 (once
 * it exists), say hello, then send every event back, @p rounds times.
 */
static void echo(unsigned long rounds)
{
    long port = bound_port(evtchn_bind_interdomain_retry(0, 1));
    unsigned long i;

    evtchn_set_handler(port, evtchn_count_event, (void *)&peer_events);
    events_enable();
    peer_events = 0; /* binding marks our end pending once, as in Xen */
    evtchn_send(port);
    for (i = 0; i < rounds; i++) {
        events_wait(&peer_events, i + 1);
        evtchn_send(port);
    }
}

/** "N.N times" the cost of a null hypercall, for @p ticks. */
static void print_events(const char *what, uint64_t ticks, uint64_t hypercall)
{
    printf("bench: %s: %lu ticks per round trip (%lu.%lu null hypercalls)\n",
           what, ticks, ticks / hypercall, ticks * 10 / hypercall % 10);
}

void test_main(const struct start_info *si)
{
    unsigned long rounds = DEFAULT_ROUNDS, i;
    uint64_t start, hypercall, bounce, va_map, one, batch;

    unsigned long peer = 0, is_echo = 0;
    long port = 0;

    cmdline_get_ulong(si->cmd_line, "n", &rounds);
    cmdline_get_ulong(si->cmd_line, "peer", &peer);
    cmdline_get_ulong(si->cmd_line, "echo", &is_echo);
    if (!rounds)
        test_error("bench: n=0: nothing to measure");
    events_init(si);
    if (is_echo) {
        echo(rounds);
        return;
    }
    if (peer) { /* first, so that it is port 1 */
        port = bound_port(evtchn_alloc_unbound(peer));
        evtchn_set_handler(port, evtchn_count_event, (void *)&peer_events);
    }

    /* xen_version(XENVER_version) does nothing but answer. */
    start = rdtsc();
    for (i = 0; i < rounds; i++)
        HYPERVISOR_xen_version(XENVER_version, NULL);
    hypercall = (rdtsc() - start) / rounds;

    /* int3: into the hypervisor, bounced to the guest's handler, back
     * through the iret hypercall. */
    trap_set_handler(X86_EXC_BP, trap_resume);
    start = rdtsc();
    for (i = 0; i < rounds; i++)
        asm volatile("int3" ::: "memory");
    bounce = (rdtsc() - start) / rounds;

    printf("bench: null hypercall: %lu ticks per call\n", hypercall);
    printf("bench: bounced exception: %lu ticks per round trip\n", bounce);
    CHECK(hypercall > 0 && bounce > 0, "a round trip took no time");
    CHECK_EQ(traps_seen.count, rounds);

    pt_init(si);
    va_map = bench_update_va_mapping(rounds);
    one = bench_mmu_update(rounds, &batch);
    printf("bench: update_va_mapping: %lu ticks per call\n", va_map);
    printf("bench: mmu_update, 1 entry: %lu ticks per call\n", one);
    printf("bench: mmu_update, batch of 512: %lu ticks per call\n", batch);

    events_enable();
    print_events("event to itself", bench_event_self(rounds), hypercall);
    if (peer)
        print_events("event to another domain and back",
                     bench_event_peer(port, rounds), hypercall);
}
