/**
 * @file
 * @brief CPUs: how many there may be, and which one is running.
 *
 * Until the other CPUs are started (lab 3, part 3) only the boot CPU runs:
 * it is CPU 0. Per-CPU state is an array indexed by smp_processor_id().
 */
#ifndef HOSPES_SMP_H
#define HOSPES_SMP_H

/** Most CPUs Hospes manages. */
#define NR_CPUS 16

/** @brief The number of the CPU running this code. */
static inline unsigned int smp_processor_id(void)
{
    return 0;
}

#endif /* HOSPES_SMP_H */
