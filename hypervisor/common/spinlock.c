/**
 * @file
 * @brief Ticket spinlocks and reader-writer locks, with debug checks.
 *
 * Lab 3 (labs/03-traps-time-cpus/README.md). Design page:
 * docs/cpus-and-time.md (section "Locks").
 */
#include <hospes/irq.h>
#include <hospes/lib.h>
#include <hospes/smp.h>
#include <hospes/spinlock.h>

/**
 * The IRQ-safety rule: a lock that an interrupt handler may take must
 * always be taken with interrupts off, or a handler on the same CPU could
 * spin for ever on a lock its own CPU holds. The first use of a lock
 * decides which kind it is; any later use of the other kind panics.
 */
static void check_irq_safety(spinlock_t *lock)
{
    int8_t off = !local_irq_is_enabled();

    if (lock->irq_safe < 0)
        lock->irq_safe = off;
    else if (lock->irq_safe != off)
        panic("lock '%s' taken with interrupts %s, but before with them %s",
              lock->name, off ? "off" : "on", off ? "on" : "off");
}

void spin_lock(spinlock_t *lock)
{
    uint16_t ticket;

    if (spin_is_locked_by_me(lock))
        panic("lock '%s' taken again by CPU %u, which holds it", lock->name,
              smp_processor_id());
    check_irq_safety(lock);
    ticket = __atomic_fetch_add(&lock->tail, 1, __ATOMIC_ACQUIRE);
    while (__atomic_load_n(&lock->head, __ATOMIC_ACQUIRE) != ticket)
        cpu_relax();
    lock->owner = smp_processor_id();
}

bool spin_trylock(spinlock_t *lock)
{
    uint16_t head = __atomic_load_n(&lock->head, __ATOMIC_RELAXED);
    uint16_t expected = head;

    /* Free means no ticket is out: tail == head. Take the next one. */
    if (!__atomic_compare_exchange_n(&lock->tail, &expected,
                                     (uint16_t)(head + 1), false,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return false;
    check_irq_safety(lock);
    lock->owner = smp_processor_id();
    return true;
}

void spin_unlock(spinlock_t *lock)
{
    if (!spin_is_locked_by_me(lock))
        panic("lock '%s' released by CPU %u, but held by %d", lock->name,
              smp_processor_id(), lock->owner);
    lock->owner = -1;
    __atomic_store_n(&lock->head, (uint16_t)(lock->head + 1), __ATOMIC_RELEASE);
}

bool spin_is_locked_by_me(const spinlock_t *lock)
{
    return lock->owner == (int16_t)smp_processor_id();
}

unsigned long spin_lock_irqsave(spinlock_t *lock)
{
    unsigned long flags = local_irq_save();

    spin_lock(lock);
    return flags;
}

void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
    spin_unlock(lock);
    local_irq_restore(flags);
}

void read_lock(rwlock_t *l)
{
    /* Passing through the lock waits for a writer inside or queued. */
    spin_lock(&l->lock);
    __atomic_fetch_add(&l->readers, 1, __ATOMIC_ACQUIRE);
    spin_unlock(&l->lock);
}

void read_unlock(rwlock_t *l)
{
    __atomic_fetch_sub(&l->readers, 1, __ATOMIC_RELEASE);
}

void write_lock(rwlock_t *l)
{
    spin_lock(&l->lock);
    while (__atomic_load_n(&l->readers, __ATOMIC_ACQUIRE))
        cpu_relax();
}

void write_unlock(rwlock_t *l)
{
    spin_unlock(&l->lock);
}
