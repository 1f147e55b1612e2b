/**
 * @file
 * @brief Softirqs: work an interrupt defers to a safe point.
 *
 * An interrupt handler does the least it can (acknowledge, note what
 * happened) and raises a softirq; the work runs later in do_softirq(),
 * with interrupts off but outside any handler: from the idle loop now,
 * and on every return to a guest from lab 4. Xen's design, smaller.
 * Lab 3 (labs/03-traps-time-cpus/README.md).
 */
#ifndef HOSPES_SOFTIRQ_H
#define HOSPES_SOFTIRQ_H

#include <hospes/types.h>

/** The softirqs, lowest number runs first. */
enum softirq_nr {
    TIMER_SOFTIRQ,    /**< run expired timers (common/timer.c) */
    SCHEDULE_SOFTIRQ, /**< pick another vCPU; must stay last: it may
                           switch away and never return */
    NR_SOFTIRQS,
};

/** @brief Run @p handler for softirq @p nr from now on. */
void open_softirq(enum softirq_nr nr, void (*handler)(void));

/** @brief Mark softirq @p nr pending on this CPU. */
void raise_softirq(enum softirq_nr nr);

/**
 * @brief Mark softirq @p nr pending on CPU @p cpu, and interrupt that CPU
 *        so that it notices (from hlt, or from running a guest).
 */
void raise_softirq_cpu(unsigned int cpu, enum softirq_nr nr);

/** @brief Has this CPU a softirq pending? */
bool softirq_pending(void);

/** @brief Run this CPU's pending softirqs until none is left. */
void do_softirq(void);

/**
 * @brief What a CPU does when it has nothing else to do: run softirqs,
 *        then wait for an interrupt; for ever.
 */
void __noreturn idle_loop(void);

#endif /* HOSPES_SOFTIRQ_H */
