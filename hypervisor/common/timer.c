/**
 * @file
 * @brief Timers: a sorted queue per CPU, fired by the TIMER softirq.
 *
 * Lab 3, exercise 3 (labs/03-traps-time-cpus/README.md): add_entry().
 * Design page: docs/cpus-and-time.md (section "Timers").
 *
 * The queue is a singly linked list sorted by expiry: setting a timer is
 * O(n), finding the next one O(1). Xen uses a heap for the same job; with
 * the handful of timers a teaching hypervisor has, a list is clearer.
 *
 * Any CPU may set or stop any timer (a vCPU's timers are set by whichever
 * CPU it runs on, lab 7), so each queue has a lock, taken with interrupts
 * off. A timer's CPU can change (migrate_timer()), so lock_timer() reads
 * t->cpu, locks that queue and looks again, as Xen does. Only a CPU's own
 * timer interrupt can be programmed by it: a change that makes another
 * CPU's first timer earlier raises TIMER_SOFTIRQ there, whose handler
 * programs the interrupt again. A timer's function is called without the
 * lock, so it may set timers, itself too; kill_timer() waits until it
 * has returned.
 */
#include <hospes/irq.h>
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <hospes/smp.h>
#include <hospes/softirq.h>
#include <hospes/spinlock.h>
#include <hospes/timer.h>

/** Each CPU's active timers, earliest first. */
static struct timer *queue[NR_CPUS];
/** Guards each CPU's queue, and the status and cpu of the timers on it. */
static spinlock_t queue_lock[NR_CPUS] = {
    [0 ... NR_CPUS - 1] = SPIN_LOCK_UNLOCKED("timer"),
};
/** The timer whose function each CPU is calling, or NULL. */
static struct timer *running[NR_CPUS];

/**
 * Insert @p t into the queue at @p head, keeping it sorted by expires.
 * A timer goes after every timer that expires at the same time (so equal
 * timers fire in the order they were set). @return true if @p t is now
 * first in the queue, which means the interrupt must be moved earlier.
 */
static bool add_entry(struct timer **head, struct timer *t)
{
    // LAB 3 BEGIN exercise 3: add_entry()
    struct timer **link = head;

    while (*link && (*link)->expires <= t->expires)
        link = &(*link)->next;
    t->next = *link;
    *link = t;
    return link == head;
    // LAB 3 STUB
    // lab_todo(3, 3, "add_entry()");
    // (void)head;
    // (void)t;
    // return false;
    // LAB 3 END
}

/** Take @p t out of @p head. @return true if it was first. */
static bool remove_entry(struct timer **head, struct timer *t)
{
    struct timer **link = head;

    while (*link && *link != t)
        link = &(*link)->next;
    BUG_ON(!*link);
    *link = t->next;
    t->next = NULL;
    return link == head;
}

/** Point the interrupt at the first timer of this CPU, or at none. */
static void reprogram(void)
{
    struct timer *first = queue[smp_processor_id()];

    reprogram_timer(first ? first->expires : 0);
}

/**
 * CPU @p cpu's first timer changed: program its interrupt again, here or,
 * for another CPU, through its TIMER softirq.
 */
static void first_changed(unsigned int cpu)
{
    if (cpu == smp_processor_id())
        reprogram();
    else
        raise_softirq_cpu(cpu, TIMER_SOFTIRQ);
}

/** Lock the queue @p t is on. @return the flags for unlock_timer() */
static unsigned long lock_timer(struct timer *t)
{
    for (;;) {
        unsigned int cpu = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
        unsigned long flags = spin_lock_irqsave(&queue_lock[cpu]);

        if (cpu == t->cpu)
            return flags;
        spin_unlock_irqrestore(&queue_lock[cpu], flags); /* it moved */
    }
}

/** Unlock what lock_timer(@p t) locked. */
static void unlock_timer(struct timer *t, unsigned long flags)
{
    spin_unlock_irqrestore(&queue_lock[t->cpu], flags);
}

/** Take active @p t off its queue; its lock held. */
static void deactivate(struct timer *t)
{
    t->status = TIMER_INACTIVE;
    if (remove_entry(&queue[t->cpu], t))
        first_changed(t->cpu);
}

/** Put @p t on its queue to fire at @p expires; its lock held. */
static void activate(struct timer *t, s_time_t expires)
{
    t->expires = expires;
    t->status = TIMER_ACTIVE;
    if (add_entry(&queue[t->cpu], t))
        first_changed(t->cpu);
}

void init_timer(struct timer *t, void (*fn)(void *), void *data,
                unsigned int cpu)
{
    BUG_ON(cpu >= NR_CPUS);
    *t = (struct timer){
        .function = fn, .data = data, .cpu = cpu, .status = TIMER_INACTIVE
    };
}

void set_timer(struct timer *t, s_time_t expires)
{
    unsigned long flags;
    bool was_first = false;

    BUG_ON(t->status == TIMER_KILLED); /* a bug to catch, not a race */
    flags = lock_timer(t);
    if (t->status == TIMER_ACTIVE)
        was_first = remove_entry(&queue[t->cpu], t);
    t->expires = expires;
    t->status = TIMER_ACTIVE;
    /* The interrupt must follow the first timer, wherever it went: once. */
    if (add_entry(&queue[t->cpu], t) || was_first)
        first_changed(t->cpu);
    unlock_timer(t, flags);
}

void stop_timer(struct timer *t)
{
    unsigned long flags = lock_timer(t);

    if (t->status == TIMER_ACTIVE)
        deactivate(t);
    unlock_timer(t, flags);
}

void migrate_timer(struct timer *t, unsigned int cpu)
{
    unsigned long flags;
    unsigned int old;

    BUG_ON(cpu >= NR_CPUS);
    for (;;) { /* both queues' locks, the lower CPU's first */
        old = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
        if (old == cpu)
            return;
        flags = spin_lock_irqsave(&queue_lock[min(old, cpu)]);
        spin_lock(&queue_lock[max(old, cpu)]);
        if (old == t->cpu)
            break;
        spin_unlock(&queue_lock[max(old, cpu)]);
        spin_unlock_irqrestore(&queue_lock[min(old, cpu)], flags);
    }
    if (t->status == TIMER_ACTIVE) {
        deactivate(t);
        __atomic_store_n(&t->cpu, cpu, __ATOMIC_RELEASE);
        activate(t, t->expires);
    } else {
        __atomic_store_n(&t->cpu, cpu, __ATOMIC_RELEASE);
    }
    spin_unlock(&queue_lock[max(old, cpu)]);
    spin_unlock_irqrestore(&queue_lock[min(old, cpu)], flags);
}

void kill_timer(struct timer *t)
{
    unsigned long flags;
    unsigned int cpu;

    BUG_ON(running[smp_processor_id()] == t); /* it would wait for itself */
    flags = lock_timer(t);
    if (t->status == TIMER_ACTIVE)
        deactivate(t);
    t->status = TIMER_KILLED;
    unlock_timer(t, flags);
    /* Its function may still run on some CPU: the caller frees what it
     * uses once we return. */
    for (cpu = 0; cpu < NR_CPUS; cpu++)
        while (__atomic_load_n(&running[cpu], __ATOMIC_ACQUIRE) == t)
            cpu_relax();
}

/**
 * The TIMER softirq: call each timer of this CPU whose time has come, in
 * order, without the lock; then program the interrupt for the next.
 */
static void timer_softirq_action(void)
{
    unsigned int cpu = smp_processor_id();
    struct timer **head = &queue[cpu];
    unsigned long flags = spin_lock_irqsave(&queue_lock[cpu]);

    while (*head && (*head)->expires <= NOW()) {
        struct timer *t = *head;

        *head = t->next;
        t->next = NULL;
        t->status = TIMER_INACTIVE;
        __atomic_store_n(&running[cpu], t, __ATOMIC_RELEASE);
        spin_unlock_irqrestore(&queue_lock[cpu], flags);
        t->function(t->data); /* it may set timers again, itself too */
        flags = spin_lock_irqsave(&queue_lock[cpu]);
        __atomic_store_n(&running[cpu], NULL, __ATOMIC_RELEASE);
    }
    reprogram();
    spin_unlock_irqrestore(&queue_lock[cpu], flags);
}

void timer_init(void)
{
    open_softirq(TIMER_SOFTIRQ, timer_softirq_action);
}

void dump_timers(void)
{
    unsigned int cpu = smp_processor_id();
    unsigned long flags = spin_lock_irqsave(&queue_lock[cpu]);
    struct timer *t;
    s_time_t now = NOW();

    printk("Timers of CPU %u at %ld ns:\n", cpu, now);
    for (t = queue[cpu]; t; t = t->next)
        printk("  in %ld ns: %p(%p)\n", t->expires - now, (void *)t->function,
               t->data);
    spin_unlock_irqrestore(&queue_lock[cpu], flags);
}
