/**
 * @file
 * @brief System time: nanoseconds since boot, from the TSC calibrated
 *        against the PIT; and the one-shot timer interrupt behind timers.
 *
 * Lab 3 (labs/03-traps-time-cpus/README.md). Design page:
 * docs/cpus-and-time.md.
 */
#ifndef HOSPES_TIME_H
#define HOSPES_TIME_H

#include <hospes/types.h>

/**
 * @brief A counter that goes up with time: the TSC on x86.
 *
 * Under QEMU with `-icount shift=0,sleep=off` it counts guest
 * instructions, exactly and repeatably: self-tests report costs with it.
 */
uint64_t get_cycles(void);

/** System time: nanoseconds since time_init(), as in Xen. */
typedef int64_t s_time_t;

#define MICROSECS(us) ((s_time_t)(us)*1000)      /**< us -> s_time_t */
#define MILLISECS(ms) ((s_time_t)(ms)*1000000)   /**< ms -> s_time_t */
#define SECONDS(s)    ((s_time_t)(s)*1000000000) /**< s -> s_time_t */

/** @brief The system time now: nanoseconds since time_init(). */
s_time_t NOW(void);

/**
 * @brief Calibrate the TSC and the local APIC timer against the PIT, and
 *        start system time at 0.
 */
void time_init(void);

/**
 * @brief Ask for a timer interrupt on this CPU at system time @p deadline
 *        (at once if it has passed), or for none if @p deadline is 0.
 *        The interrupt raises TIMER_SOFTIRQ.
 */
void reprogram_timer(s_time_t deadline);

#endif /* HOSPES_TIME_H */
