/**
 * @file
 * @brief The guest that `make qemu` boots, as dom0 and as other domains.
 *
 * As dom0 (SIF_INITDOMAIN) it shows its start_info and sleeps: until the
 * toolstack arrives (lab 9) dom0 has nothing to do. Otherwise it prints a
 * few ticks, working a while (a busy loop, so that it needs no exercise
 * of a later lab than 4) and yielding between them, and shuts down: domains on one CPU take turns,
 * domains on different CPUs print side by side. Its command line is
 * its name, as in `-initrd "demo.elf dom0,demo.elf alpha"`.
 */
#include <public/sched.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/start_info.h>
#include <guest/test.h>

/** Ticks a domU prints. */
#define TICKS 5
/** Rounds of busy work between ticks: a few tens of milliseconds. */
#define WORK 3000000UL

/** Keep the CPU busy for @p rounds rounds of a loop the compiler keeps. */
static void work(unsigned long rounds)
{
    for (volatile unsigned long i = 0; i < rounds; i++)
        ;
}

void test_main(const struct start_info *si)
{
    const char *name = si->cmd_line[0] ? si->cmd_line : "demo";
    unsigned int tick;

    if (si->flags & SIF_INITDOMAIN) {
        start_info_print(si);
        printf("dom0: hello! Nothing more to do until the toolstack "
               "arrives; blocking.\n");
        guest_block_forever();
    }
    for (tick = 1; tick <= TICKS; tick++) {
        work(WORK);
        printf("%s: tick %u\n", name, tick);
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}
