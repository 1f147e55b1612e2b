/**
 * @file
 * @brief Turning interrupts on and off, and waiting for one.
 *
 * The hypervisor runs with interrupts off, except where it waits: the
 * idle loop, and self-tests waiting for timers. Lab 3.
 */
#ifndef HOSPES_IRQ_H
#define HOSPES_IRQ_H

/**
 * @brief With interrupts off, wait for the next interrupt and let it be
 *        handled, then return with interrupts off again.
 */
void wait_for_interrupt(void);

#endif /* HOSPES_IRQ_H */
