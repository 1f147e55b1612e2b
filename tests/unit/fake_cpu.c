/*
 * fake_cpu.c: host threads that play CPUs (see fake_cpu.h).
 */
#define _GNU_SOURCE /* pthread_timedjoin_np() */
#include "unit.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <hospes/irq.h>
#include <hospes/smp.h>

#include "fake_cpu.h"

/* What each thread plays: which CPU, with interrupts on or off. */
static __thread unsigned int this_cpu;
static __thread bool irq_on;
/* Is this thread one of fake_cpus_start()'s, not the test's? */
static __thread bool is_started_cpu;
/* cpu_relax() calls of the test's thread in a row while no CPU ran. */
static __thread unsigned int lonely_spins;

static struct {
    unsigned int n; /**< CPUs started: 1..n */
    void (*fn)(unsigned int, void *);
    void *arg;
    pthread_t thread[NR_CPUS];
    pthread_barrier_t all_up;     /**< they start together */
    int running;                  /**< started CPUs not yet returned */
    unsigned long spins[NR_CPUS]; /**< cpu_relax() calls, per CPU */
} cpus;

unsigned int smp_processor_id(void)
{
    return this_cpu;
}

unsigned long local_irq_save(void)
{
    unsigned long flags = irq_on;

    irq_on = false;
    return flags;
}

void local_irq_restore(unsigned long flags)
{
    irq_on = flags;
}

bool local_irq_is_enabled(void)
{
    return irq_on;
}

void cpu_relax(void)
{
    __atomic_fetch_add(&cpus.spins[this_cpu], 1, __ATOMIC_RELAXED);
    /*
     * Alone, the test's thread waits for nothing that can come. Not at
     * the first such call: the last CPU may have freed what it waits for
     * just before it returned, and the caller has yet to look again.
     */
    if (!is_started_cpu && !__atomic_load_n(&cpus.running, __ATOMIC_ACQUIRE))
        unit_assert(++lonely_spins < 2,
                    "CPU %u spins, but no other CPU runs that could end its "
                    "wait: a deadlock",
                    this_cpu);
    else
        lonely_spins = 0;
    sched_yield();
}

void fake_cpu_set(unsigned int cpu)
{
    ck_assert_uint_lt(cpu, NR_CPUS);
    this_cpu = cpu;
}

void fake_irq_set(bool on)
{
    irq_on = on;
}

unsigned long fake_cpu_spins(unsigned int cpu)
{
    return __atomic_load_n(&cpus.spins[cpu], __ATOMIC_RELAXED);
}

static void *cpu_main(void *cpu)
{
    this_cpu = (unsigned int)(uintptr_t)cpu;
    is_started_cpu = true;
    irq_on = false;
    pthread_barrier_wait(&cpus.all_up);
    cpus.fn(this_cpu, cpus.arg);
    __atomic_fetch_sub(&cpus.running, 1, __ATOMIC_RELEASE);
    return NULL;
}

void fake_cpus_start(unsigned int n, void (*fn)(unsigned int cpu, void *arg),
                     void *arg)
{
    unsigned int cpu;

    ck_assert_msg(n > 0 && n < NR_CPUS && !cpus.running, "cannot start %u CPUs",
                  n);
    cpus.n = n;
    cpus.fn = fn;
    cpus.arg = arg;
    memset(cpus.spins, 0, sizeof(cpus.spins));
    cpus.running = n;
    pthread_barrier_init(&cpus.all_up, NULL, n);
    for (cpu = 1; cpu <= n; cpu++)
        ck_assert_int_eq(pthread_create(&cpus.thread[cpu], NULL, cpu_main,
                                        (void *)(uintptr_t)cpu),
                         0);
}

void fake_cpus_join(void)
{
    struct timespec deadline;
    unsigned int cpu;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += FAKE_CPUS_TIMEOUT;
    for (cpu = 1; cpu <= cpus.n; cpu++)
        unit_assert(!pthread_timedjoin_np(cpus.thread[cpu], NULL, &deadline),
                    "CPU %u still runs after %d s: a deadlock, or a CPU "
                    "starved",
                    cpu, FAKE_CPUS_TIMEOUT);
    pthread_barrier_destroy(&cpus.all_up);
    cpus.n = 0;
}
