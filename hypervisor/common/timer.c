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
 * Only this CPU touches its queue, with interrupts off: the interrupt
 * itself only raises the softirq. A timer is set from its own CPU (use
 * on_selected_cpus() to set one elsewhere), so the queue needs no lock.
 */
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <hospes/smp.h>
#include <hospes/softirq.h>
#include <hospes/timer.h>

/** Each CPU's active timers, earliest first. */
static struct timer *queue[NR_CPUS];

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
    bool was_first = false;

    BUG_ON(t->status == TIMER_KILLED);
    BUG_ON(t->cpu != smp_processor_id()); /* only a CPU's own queue */
    if (t->status == TIMER_ACTIVE)
        was_first = remove_entry(&queue[t->cpu], t);
    t->expires = expires;
    t->status = TIMER_ACTIVE;
    /* The interrupt must follow the first timer, wherever it went. */
    if (add_entry(&queue[t->cpu], t) || was_first)
        reprogram();
}

void stop_timer(struct timer *t)
{
    if (t->status != TIMER_ACTIVE)
        return;
    t->status = TIMER_INACTIVE;
    if (remove_entry(&queue[t->cpu], t))
        reprogram();
}

void kill_timer(struct timer *t)
{
    stop_timer(t);
    t->status = TIMER_KILLED;
}

/** The TIMER softirq: call each timer whose time has come, in order. */
static void timer_softirq_action(void)
{
    struct timer **head = &queue[smp_processor_id()];

    while (*head && (*head)->expires <= NOW()) {
        struct timer *t = *head;

        *head = t->next;
        t->next = NULL;
        t->status = TIMER_INACTIVE;
        t->function(t->data); /* it may set timers again, itself too */
    }
    reprogram();
}

void timer_init(void)
{
    open_softirq(TIMER_SOFTIRQ, timer_softirq_action);
}

void dump_timers(void)
{
    struct timer *t;
    s_time_t now = NOW();

    printk("Timers of CPU %u at %ld ns:\n", smp_processor_id(), now);
    for (t = queue[smp_processor_id()]; t; t = t->next)
        printk("  in %ld ns: %p(%p)\n", t->expires - now, (void *)t->function,
               t->data);
}
