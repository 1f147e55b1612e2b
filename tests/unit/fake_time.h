/*
 * fake_time.h: a clock that the test moves by hand, for the timer code of
 * lab 3 (hypervisor/common/timer.c, fired by softirq.c).
 *
 * It plays what arch/x86/time.c gives the timer code. NOW() reads a clock
 * that stands still until the test moves it. reprogram_timer() arms a
 * one-shot interrupt, as it does the local APIC timer: when the clock
 * reaches the deadline (at once if it already has), the "interrupt"
 * raises TIMER_SOFTIRQ, as apic_timer_interrupt() does. The test then runs
 * do_softirq(), as the idle loop does after an interrupt.
 *
 * So a timer fires only if the timer code asked for an interrupt in time:
 * a deadline programmed too late makes timers late, one forgotten makes
 * them never fire. The deadline last programmed is there to check too.
 *
 * Timers and softirqs are per CPU: link fake_cpu.c too, whose
 * smp_processor_id() says the test runs on CPU 0, the boot CPU.
 */
#ifndef UNIT_FAKE_TIME_H
#define UNIT_FAKE_TIME_H

#include <hospes/time.h>

/** Start over: the clock reads @p now, no interrupt is armed. */
void fake_time_reset(s_time_t now);

/**
 * Move the clock forward to @p now (system time never goes back), and
 * deliver the armed interrupt if its deadline has come.
 */
void fake_time_set(s_time_t now);

/** The deadline last given to reprogram_timer(): 0 if none is set. */
s_time_t fake_time_deadline(void);

#endif /* UNIT_FAKE_TIME_H */
