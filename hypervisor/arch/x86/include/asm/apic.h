/**
 * @file
 * @brief The local APIC (xAPIC, memory-mapped): this CPU's interrupt
 *        controller and its timer.
 *
 * Register offsets: AMD64 manual vol. 2, 16.3 (table 16-2).
 * Lab 3 (labs/03-traps-time-cpus/README.md).
 */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <hospes/types.h>

/** Where the local APIC's registers are in machine memory (the reset
 *  value of the APIC base MSR). */
#define APIC_DEFAULT_BASE 0xfee00000UL

/** @name Register offsets */
/**@{*/
#define APIC_ID      0x020 /**< this CPU's APIC ID, bits 24-31 */
#define APIC_EOI     0x0b0 /**< write 0: end of interrupt */
#define APIC_SVR     0x0f0 /**< spurious vector, and the enable bit */
#define APIC_ICR_LOW 0x300 /**< interrupt command: vector, mode */
#define APIC_ICR_HI  0x310 /**< interrupt command: destination */
#define APIC_LVT_TMR 0x320 /**< timer: vector and mode */
#define APIC_TMICT   0x380 /**< timer initial count: writing starts it */
#define APIC_TMCCT   0x390 /**< timer current count */
#define APIC_TDCR    0x3e0 /**< timer divide configuration */
/**@}*/

#define APIC_SVR_ENABLE (1 << 8)  /**< software-enable the APIC */
#define APIC_LVT_MASKED (1 << 16) /**< the interrupt is masked */
#define APIC_TDCR_DIV_1 0xb       /**< the timer counts at its bus clock */

/** @name Interrupt command register (low word) */
/**@{*/
#define APIC_ICR_FIXED   0x00000 /**< deliver the vector */
#define APIC_ICR_INIT    0x00500 /**< INIT: reset the CPU */
#define APIC_ICR_STARTUP 0x00600 /**< start-up: run at vector << 12 */
#define APIC_ICR_BUSY    0x01000 /**< not yet sent */
#define APIC_ICR_ASSERT  0x04000 /**< level: assert */
/**@}*/

/** @name Vectors the hypervisor uses */
/**@{*/
#define TIMER_VECTOR         0xf0 /**< the local APIC timer */
#define EVENT_CHECK_VECTOR   0xfa /**< look at softirqs (raise_softirq_cpu) */
#define CALL_FUNCTION_VECTOR 0xfb /**< on_selected_cpus() */
#define SPURIOUS_VECTOR      0xff /**< the APIC's spurious interrupts */
/**@}*/

/** @brief Read local APIC register @p reg. */
uint32_t apic_read(unsigned int reg);

/** @brief Write @p v to local APIC register @p reg. */
void apic_write(unsigned int reg, uint32_t v);

/** @brief Silence the 8259s; map and enable the boot CPU's local APIC. */
void apic_init(void);

/** @brief Enable this CPU's local APIC, timer masked (after apic_init()). */
void apic_enable_local(void);

/**
 * @brief Send an inter-processor interrupt to local APIC @p apic_id:
 *        @p icr is the command (APIC_ICR_* | vector). Waits until sent.
 */
void apic_send_ipi(uint32_t apic_id, uint32_t icr);

#endif /* ASM_APIC_H */
