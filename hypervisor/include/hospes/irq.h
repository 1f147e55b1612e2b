/**
 * @file
 * @brief Turning interrupts on and off, and waiting for one.
 *
 * The hypervisor runs with interrupts off, except where it waits (the
 * idle loop, self-tests waiting for timers; lab 3) and while it serves a
 * hypercall (lab 4): a guest's long request must not hold timers up.
 */
#ifndef HOSPES_IRQ_H
#define HOSPES_IRQ_H

#include <hospes/types.h>

/**
 * @brief With interrupts off, wait for the next interrupt and let it be
 *        handled, then return with interrupts off again.
 */
void wait_for_interrupt(void);

/** @brief Turn interrupts off. */
void local_irq_disable(void);

/** @brief Turn interrupts on. */
void local_irq_enable(void);

/** @brief Turn interrupts off. @return the previous state, for restore */
unsigned long local_irq_save(void);

/** @brief Put back the interrupt state local_irq_save() returned. */
void local_irq_restore(unsigned long flags);

/** @brief Are interrupts on, on this CPU? */
bool local_irq_is_enabled(void);

/** @brief Spin politely: tell the CPU we are in a busy-wait loop. */
void cpu_relax(void);

#endif /* HOSPES_IRQ_H */
