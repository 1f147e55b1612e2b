/**
 * @file
 * @brief Softirqs: pending bits per CPU and their handlers.
 *
 * Lab 3 (labs/03-traps-time-cpus/README.md). Design page:
 * docs/cpus-and-time.md.
 */
#include <hospes/lib.h>
#include <hospes/smp.h>
#include <hospes/softirq.h>

/** The handler of each softirq. */
static void (*handlers[NR_SOFTIRQS])(void);
/** Each CPU's pending softirqs, one bit each. */
static volatile unsigned long pending[NR_CPUS];

void open_softirq(enum softirq_nr nr, void (*handler)(void))
{
    BUG_ON(nr >= NR_SOFTIRQS || handlers[nr]);
    handlers[nr] = handler;
}

void raise_softirq(enum softirq_nr nr)
{
    __atomic_fetch_or(&pending[smp_processor_id()], 1UL << nr,
                      __ATOMIC_SEQ_CST);
}

void raise_softirq_cpu(unsigned int cpu, enum softirq_nr nr)
{
    __atomic_fetch_or(&pending[cpu], 1UL << nr, __ATOMIC_SEQ_CST);
    if (cpu != smp_processor_id())
        smp_send_event_check(cpu); /* wake it from hlt or a guest */
}

bool softirq_pending(void)
{
    return __atomic_load_n(&pending[smp_processor_id()], __ATOMIC_SEQ_CST);
}

void do_softirq(void)
{
    volatile unsigned long *mine = &pending[smp_processor_id()];
    unsigned long bits;

    /* Take all pending bits at once; a handler may raise more. */
    while ((bits = __atomic_exchange_n(mine, 0, __ATOMIC_SEQ_CST))) {
        unsigned int nr;

        for (nr = 0; nr < NR_SOFTIRQS; nr++)
            if ((bits & (1UL << nr)) && handlers[nr])
                handlers[nr]();
    }
}
