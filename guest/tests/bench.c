/**
 * @file
 * @brief Lab 4 benchmark guest: the cost of a null hypercall and of an
 *        exception bounced to the guest and back.
 *
 * Times n round trips with the TSC and prints the average in TSC ticks.
 * Under QEMU with `-icount shift=0` one tick is one guest instruction and
 * the figures repeat exactly from run to run (tests/bench/boot.sh).
 * Command line: `n=N` round trips (default 1000).
 */
#include <public/version.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/test.h>
#include <guest/traps.h>

/** Round trips without an n= option. */
#define DEFAULT_ROUNDS 1000

/** The time-stamp counter. PV guests may read it directly. */
static inline uint64_t rdtsc(void)
{
    uint32_t low, high;

    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return (uint64_t)high << 32 | low;
}

void test_main(const struct start_info *si)
{
    unsigned long rounds = DEFAULT_ROUNDS, i;
    uint64_t start, hypercall, bounce;

    cmdline_get_ulong(si->cmd_line, "n", &rounds);
    if (!rounds)
        test_error("bench: n=0: nothing to measure");

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
}
