/**
 * @file
 * @brief CPUs: how many there may be, and which one is running.
 *
 * The boot CPU is CPU 0; the others get numbers 1, 2, ... as they come
 * up (arch/x86/smp.c). Per-CPU state is an array indexed by
 * smp_processor_id(). Lab 3 (labs/03-traps-time-cpus/README.md).
 */
#ifndef HOSPES_SMP_H
#define HOSPES_SMP_H

/** Most CPUs Hospes manages. */
#define NR_CPUS 16

/** @brief The number of the CPU running this code. */
unsigned int smp_processor_id(void);

/** @brief How many CPUs are up and running. */
unsigned int num_online_cpus(void);

/** @brief Set the boot CPU up as CPU 0 (first thing at boot). */
void smp_prepare_boot_cpu(void);

/** @brief Start the other CPUs, up to `maxcpus=`, unless `nosmp`. */
void smp_boot_cpus(void);

/**
 * @brief Run @p fn(@p data) on every online CPU in @p mask (bit n = CPU n),
 *        this one included if it is in the mask, and wait for all of them.
 *
 * @p fn runs with interrupts off everywhere. The caller may have them off
 * too, but then no other CPU may be calling this at the same time: each
 * would wait for the other, which cannot take the IPI. So far only CPU 0
 * calls it (self-tests, debug keys); a caller on another CPU must keep
 * interrupts on, as Xen requires of all callers.
 */
void on_selected_cpus(unsigned long mask, void (*fn)(void *), void *data);

/**
 * @brief Interrupt CPU @p cpu so that it looks at its softirqs (an IPI
 *        that does nothing else).
 */
void smp_send_event_check(unsigned int cpu);

/** @brief The mask of every online CPU. */
unsigned long cpu_online_mask(void);

#endif /* HOSPES_SMP_H */
