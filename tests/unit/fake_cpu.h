/*
 * fake_cpu.h: host threads that play CPUs, for the lock code of lab 3
 * (hypervisor/common/spinlock.c).
 *
 * It plays what arch/x86 gives the lock code: smp_processor_id() reads a
 * thread-local CPU number, local_irq_save()/local_irq_restore() and
 * local_irq_is_enabled() a thread-local "interrupts on" flag (no interrupt
 * ever comes), and cpu_relax() yields the host CPU, since a spinning
 * thread may be waiting for one that the host has not scheduled.
 *
 * The test's own thread is CPU 0, with interrupts off, as the hypervisor
 * runs. It may also pretend to be another CPU (fake_cpu_set()), which is
 * how a test makes one thread unlock a lock that "another CPU" holds.
 * fake_cpus_start() starts CPUs 1..n as threads.
 *
 * A test must never wait for ever: fake_cpus_join() fails the test if the
 * CPUs do not finish in time, and cpu_relax() fails it at once if the
 * test's thread spins while no other CPU runs, since nothing could then
 * end the wait (a lock taken twice, a reader that excludes readers).
 * Only the test's thread may use Check's assertions; the CPUs note what
 * they saw and the test checks it after fake_cpus_join().
 */
#ifndef UNIT_FAKE_CPU_H
#define UNIT_FAKE_CPU_H

#include <hospes/types.h>

/** Seconds fake_cpus_join() waits before it fails the test. */
#define FAKE_CPUS_TIMEOUT 10

/** The calling thread is now CPU @p cpu (its interrupt state stays). */
void fake_cpu_set(unsigned int cpu);

/** Turn the calling CPU's interrupts on or off. */
void fake_irq_set(bool on);

/** How many times CPU @p cpu called cpu_relax() since fake_cpus_start(). */
unsigned long fake_cpu_spins(unsigned int cpu);

/**
 * Start CPUs 1..@p n (fewer than NR_CPUS), each a thread that runs
 * @p fn(cpu, @p arg) with interrupts off. They start together: each waits
 * until all are up, so that they contend from their first step.
 */
void fake_cpus_start(unsigned int n, void (*fn)(unsigned int cpu, void *arg),
                     void *arg);

/** Wait for the CPUs to return; fail the test after FAKE_CPUS_TIMEOUT s. */
void fake_cpus_join(void);

#endif /* UNIT_FAKE_CPU_H */
