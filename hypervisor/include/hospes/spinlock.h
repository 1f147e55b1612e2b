/**
 * @file
 * @brief Spinlocks (ticket locks) and reader-writer locks, with checks.
 *
 * A ticket lock is a bakery queue: spin_lock() takes the next ticket and
 * waits until the lock serves it, so CPUs get the lock in the order they
 * asked. The checks catch what goes wrong with locks in practice: taking a
 * lock the CPU already holds (a deadlock, at once), unlocking a lock held
 * by another CPU, and taking one lock sometimes with interrupts on and
 * sometimes off (a deadlock waiting for an interrupt handler). They panic
 * with the lock's name. Lab 3 (labs/03-traps-time-cpus/README.md); design
 * page docs/cpus-and-time.md (section "Locks").
 */
#ifndef HOSPES_SPINLOCK_H
#define HOSPES_SPINLOCK_H

#include <hospes/types.h>

/** A ticket spinlock. Initialise with SPIN_LOCK_UNLOCKED(name). */
typedef struct spinlock {
    volatile uint16_t head; /**< the ticket being served */
    volatile uint16_t tail; /**< the next ticket to hand out */
    int16_t owner;          /**< CPU holding it, or -1 */
    int8_t irq_safe;        /**< -1 unknown, 0 taken with IRQs on, 1 off */
    const char *name;       /**< for the checks' messages */
} spinlock_t;

/** An unlocked spinlock called @p n. */
#define SPIN_LOCK_UNLOCKED(n)                                                  \
    {                                                                          \
        .head = 0, .tail = 0, .owner = -1, .irq_safe = -1, .name = (n)         \
    }

/** @brief Take @p lock, spinning until it is ours. */
void spin_lock(spinlock_t *lock);

/** @brief Release @p lock, which this CPU must hold. */
void spin_unlock(spinlock_t *lock);

/** @brief Take @p lock if it is free. @return true if we got it */
bool spin_trylock(spinlock_t *lock);

/** @brief Does this CPU hold @p lock? */
bool spin_is_locked_by_me(const spinlock_t *lock);

/**
 * @brief Turn interrupts off, then take @p lock.
 * @return the interrupt state to give to spin_unlock_irqrestore().
 */
unsigned long spin_lock_irqsave(spinlock_t *lock);

/** @brief Release @p lock and restore the interrupt state @p flags. */
void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);

/**
 * A reader-writer lock: many readers, or one writer. Writers wait for the
 * readers to leave; new readers wait while a writer waits, so a stream of
 * readers cannot starve a writer.
 */
typedef struct rwlock {
    spinlock_t lock;      /**< taken by writers, briefly by readers */
    volatile int readers; /**< readers inside */
} rwlock_t;

/** An unlocked rwlock called @p n. */
#define RW_LOCK_UNLOCKED(n)                                                    \
    {                                                                          \
        .lock = SPIN_LOCK_UNLOCKED(n), .readers = 0                            \
    }

/** @brief Enter @p l as a reader. */
void read_lock(rwlock_t *l);
/** @brief Leave @p l as a reader. */
void read_unlock(rwlock_t *l);
/** @brief Enter @p l as the writer: waits for the readers to leave. */
void write_lock(rwlock_t *l);
/** @brief Leave @p l as the writer. */
void write_unlock(rwlock_t *l);

#endif /* HOSPES_SPINLOCK_H */
