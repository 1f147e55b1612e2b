/**
 * @file
 * @brief Lab 4 test guest: counts, yielding the CPU after every line.
 *
 * Two of these in different domains interleave their lines when the
 * hypervisor schedules between them. Command line: `count=K` (default 20).
 */
#include <public/sched.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/test.h>

/** Lines printed without a count= option. */
#define DEFAULT_COUNT 20

void test_main(const struct start_info *si)
{
    unsigned long count = DEFAULT_COUNT, i;

    cmdline_get_ulong(si->cmd_line, "count", &count);
    for (i = 1; i <= count; i++) {
        printf("count %lu\n", i);
        CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
    }
}
