/**
 * @file
 * @brief Timers: call a function at a system time, on a given CPU.
 *
 * Each CPU keeps its active timers in a queue sorted by expiry; the CPU's
 * one-shot timer interrupt is always set for the first. When it fires, the
 * TIMER softirq calls every timer whose time has come, in order, and never
 * before its time. Xen's interface (init_timer, set_timer, stop_timer,
 * kill_timer). Lab 3 (labs/03-traps-time-cpus/README.md); design page
 * docs/cpus-and-time.md.
 */
#ifndef HOSPES_TIMER_H
#define HOSPES_TIMER_H

#include <hospes/time.h>

/** A timer. Its fields are the timer code's; set them with init_timer(). */
struct timer {
    s_time_t expires;         /**< when it fires (system time) */
    void (*function)(void *); /**< what it calls */
    void *data;               /**< the argument of function */
    struct timer *next;       /**< the next timer in its CPU's queue */
    unsigned int cpu;         /**< the CPU whose queue it is on */
    enum {
        TIMER_INACTIVE, /**< set up, not queued */
        TIMER_ACTIVE,   /**< queued, waiting to fire */
        TIMER_KILLED,   /**< may never be set again */
    } status;           /**< where it is in its life */
};

/** @brief Set @p t up to call @p fn(@p data) on CPU @p cpu; inactive. */
void init_timer(struct timer *t, void (*fn)(void *), void *data,
                unsigned int cpu);

/** @brief (Re)arm @p t to fire at system time @p expires. */
void set_timer(struct timer *t, s_time_t expires);

/** @brief Disarm @p t if it is armed. */
void stop_timer(struct timer *t);

/**
 * @brief Make @p t fire on CPU @p cpu from now on (armed or not); a vCPU's
 *        timers follow it when it moves.
 */
void migrate_timer(struct timer *t, unsigned int cpu);

/**
 * @brief Disarm @p t for good: set_timer() on it is then a bug. Returns
 *        once its function, if some CPU is calling it, has returned.
 */
void kill_timer(struct timer *t);

/** @brief Start the timer subsystem: hook the TIMER softirq. */
void timer_init(void);

/** @brief Print this CPU's timer queue (at LOG_INFO). */
void dump_timers(void);

#endif /* HOSPES_TIMER_H */
