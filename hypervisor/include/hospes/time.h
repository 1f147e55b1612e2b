/**
 * @file
 * @brief Time. For now only a cycle counter; lab 3 adds system time,
 *        timers and the APIC.
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

#endif /* HOSPES_TIME_H */
