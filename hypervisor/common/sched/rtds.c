/**
 * @file
 * @brief The real-time policy, after Xen's RTDS (real-time deferrable
 *        server): each vCPU is guaranteed a budget of CPU time in every
 *        period, and the CPU runs the vCPU whose deadline is earliest
 *        (EDF, earliest deadline first).
 *
 * Lab 7 (labs/07-scheduling/README.md); the interface is hospes/sched.h,
 * the design page docs/scheduling.md.
 *
 * Each vCPU has a period and a budget (its domain's, set by adjust; 10 ms
 * and 4 ms by default, as in Xen), and, as it runs, a current deadline and
 * the budget it has left before that deadline:
 *
 * - Replenishment: at its deadline, a vCPU's budget is full again and its
 *   deadline moves on by whole periods, to the first one past now (a vCPU
 *   that slept across several periods does not get their budgets). A new
 *   vCPU's deadline is 0, so its first replenishment puts its periods on
 *   multiples of its period since boot, as Xen's do.
 * - Choice: each CPU runs the vCPU of its queue with the earliest deadline
 *   that has budget left; on equal deadlines the one running goes on.
 * - Charging: the running vCPU's budget shrinks by the time it ran, at
 *   every do_schedule(). A vCPU with no budget left is depleted: it stays
 *   queued but is not picked until its deadline replenishes it. If no
 *   vCPU has budget, the CPU idles, even with depleted vCPUs queued: the
 *   policy does not hand out spare time (not work conserving, RTDS's
 *   default), so a vCPU never gets more than its budget per period.
 * - Slice: the core comes back when the running vCPU's budget runs out,
 *   at its own deadline (its budget is renewed, and the others may now be
 *   more urgent), or when a depleted vCPU's replenishment gives it a
 *   deadline earlier than the running one's, whichever is first. An idle
 *   CPU with depleted vCPUs queued comes back at the first replenishment.
 * - Waking: a vCPU that blocked keeps its deadline and what is left of
 *   its budget (a deferrable server: the budget waits for it). If its
 *   deadline passed while it slept, it is replenished first: wake() has
 *   no clock, so the do_schedule() that follows every wake-up does it,
 *   before it chooses.
 *
 * With the sum of budget/period of a CPU's vCPUs at most 1, EDF meets
 * every deadline: each vCPU gets its whole budget in every period.
 *
 * Not yet: migration and global EDF. Each vCPU stays on the CPU it was
 * created on and a CPU runs only its own queue (Xen's RTDS runs one queue
 * for all CPUs); there is no admission control either, so an overloaded
 * CPU misses deadlines. Yield has no meaning under EDF (the vCPU with the
 * earliest deadline runs) and there is no yield hook.
 *
 * Time drives everything, as do_schedule()'s `now` tells it; the policy
 * reads no clock, so a test can run it on a simulated one.
 *
 * Its state is per CPU and per vCPU (a domain's parameters are its
 * vCPUs'), and a CPU is in one pool at a time: several pools may run it
 * with no state of their own (no init), under the one lock below.
 *
 * Locking: the core holds the CPU's lock around every hook but adjust,
 * which changes vCPUs on any CPU. So the policy's state is guarded by one
 * more lock, rtds.lock, taken inside the CPU's lock and never the other
 * way round.
 */
#include <hospes/errno.h>
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <hospes/sched.h>
#include <hospes/smp.h>
#include <hospes/spinlock.h>
#include <hospes/xmalloc.h>
#include <public/sysctl.h>

/** A new vCPU's period (Xen's default). */
#define RTDS_DEFAULT_PERIOD MILLISECS(10)
/** A new vCPU's budget (Xen's default). */
#define RTDS_DEFAULT_BUDGET MILLISECS(4)
/** The shortest period or budget adjust accepts: shorter ones would cost
 *  more in switching than they give (Xen's limit). */
#define RTDS_MIN_TIME MICROSECS(10)

/** A vCPU's parameters, deadline, budget and place in its CPU's queue. */
struct rtds_vcpu {
    struct vcpu *vcpu;        /**< whose */
    struct rtds_vcpu *next;   /**< the next in its CPU's queue */
    struct rtds_vcpu *next_v; /**< the next in rtds.vcpus */
    s_time_t period;          /**< it gets budget every period, ns */
    s_time_t budget;          /**< see period */
    s_time_t deadline;        /**< its current period ends then */
    s_time_t budget_left;     /**< CPU time left before deadline */
    s_time_t charged_to;      /**< running: paid for up to here */
    bool queued;              /**< on its CPU's queue */
};

/** One CPU's queue (in no order: do_schedule() scans it) and what it
 *  runs. */
struct rtds_cpu {
    struct rtds_vcpu *head; /**< the queued vCPUs */
    struct rtds_vcpu *curr; /**< running, or NULL: the idle vCPU */
};

/** The policy's global state. */
static struct {
    spinlock_t lock;              /**< guards all of it */
    struct rtds_vcpu *vcpus;      /**< every vCPU, for adjust */
    struct rtds_cpu cpu[NR_CPUS]; /**< each CPU's queue */
} rtds = { .lock = SPIN_LOCK_UNLOCKED("rtds") };

/** @p v's policy data. */
static struct rtds_vcpu *rtds_of(const struct vcpu *v)
{
    return v->sched_priv;
}

/**
 * Lab 7, exercise 3: replenishment (replenish()).
 *
 * If @p rv's deadline has come (@p now >= deadline), its period is over:
 * give it its full budget (budget_left = budget) and move its deadline on
 * by whole periods, to the first deadline after @p now. Not to now +
 * period: the periods stay where they were (multiples of the period since
 * boot, as the first deadline is 0), and a vCPU that slept across several
 * periods gets one budget, not theirs. Before its deadline, leave it
 * alone: a vCPU gets no more than its budget per period.
 *
 * do_schedule() calls it for every queued vCPU, at every decision.
 */
static void replenish(struct rtds_vcpu *rv, s_time_t now)
{
    // LAB 7 BEGIN exercise 3: replenish()
    if (now < rv->deadline)
        return;
    rv->deadline += ((now - rv->deadline) / rv->period + 1) * rv->period;
    rv->budget_left = rv->budget;
    // LAB 7 STUB
    // lab_todo(7, 3, "replenish()");
    // /* A full budget at every decision: no budget ever runs out. */
    // rv->deadline = now + rv->period;
    // rv->budget_left = rv->budget;
    // LAB 7 END
}

/** Make running vCPU @p rv pay for the time since it was last charged. */
static void charge(struct rtds_vcpu *rv, s_time_t now)
{
    /* It may overrun by a late timer: the debt is forgiven, as the next
     * replenishment renews the budget whole anyway. */
    rv->budget_left = max(rv->budget_left - (now - rv->charged_to), 0);
    rv->charged_to = now;
}

/** Put @p rv on its CPU's queue, at the head (see earliest()). */
static void enqueue(struct rtds_vcpu *rv)
{
    struct rtds_cpu *pc = &rtds.cpu[rv->vcpu->processor];

    rv->next = pc->head;
    pc->head = rv;
    rv->queued = true;
}

/** Take @p rv, which is queued, off its CPU's queue. */
static void dequeue(struct rtds_vcpu *rv)
{
    struct rtds_vcpu **pp = &rtds.cpu[rv->vcpu->processor].head;

    while (*pp != rv)
        pp = &(*pp)->next;
    *pp = rv->next;
    rv->queued = false;
}

/**
 * The vCPU of @p pc's queue with budget left and the earliest deadline.
 * On equal deadlines the first in the queue wins: the vCPU that was
 * running, which do_schedule() puts at the head, goes on rather than
 * switching for nothing. @return it, or NULL if every vCPU is depleted
 */
static struct rtds_vcpu *earliest(const struct rtds_cpu *pc)
{
    struct rtds_vcpu *rv, *best = NULL;

    for (rv = pc->head; rv; rv = rv->next)
        if (rv->budget_left > 0 && (!best || rv->deadline < best->deadline))
            best = rv;
    return best;
}

/**
 * When CPU @p pc, about to run @p next (NULL: idle) at @p now, must decide
 * again: when next's budget runs out, at its deadline, or when a depleted
 * vCPU of the queue is replenished with a deadline earlier than next's
 * (so it will preempt it). @return the slice; -1: until a wake-up
 */
static s_time_t slice_for(const struct rtds_cpu *pc,
                          const struct rtds_vcpu *next, s_time_t now)
{
    s_time_t end = next ? min(now + next->budget_left, next->deadline) : -1;
    const struct rtds_vcpu *rv;

    /* A queued vCPU with budget has a later deadline than next's (or it
     * would run): its replenishment, after next's deadline, comes later. */
    for (rv = pc->head; rv; rv = rv->next)
        if (!rv->budget_left &&
            (!next || rv->deadline + rv->period < next->deadline) &&
            (end < 0 || rv->deadline < end))
            end = rv->deadline;
    return end < 0 ? -1 : end - now;
}

/** Start CPU @p cpu with an empty queue. */
static int rtds_init_cpu(const struct scheduler *ops, unsigned int cpu)
{
    unsigned long flags = spin_lock_irqsave(&rtds.lock);

    (void)ops;
    rtds.cpu[cpu] = (struct rtds_cpu){ NULL, NULL };
    spin_unlock_irqrestore(&rtds.lock, flags);
    return 0;
}

/**
 * Give @p v its policy data: the default period and budget, or its
 * domain's if another of its vCPUs is known (adjust set them for all).
 */
static int rtds_insert_vcpu(const struct scheduler *ops, struct vcpu *v)
{
    struct rtds_vcpu *rv = xzalloc(struct rtds_vcpu), *sib;
    unsigned long flags;

    (void)ops;
    if (!rv)
        return -ENOMEM;
    rv->vcpu = v;
    rv->period = RTDS_DEFAULT_PERIOD;
    rv->budget = RTDS_DEFAULT_BUDGET;
    flags = spin_lock_irqsave(&rtds.lock);
    for (sib = rtds.vcpus; sib; sib = sib->next_v)
        if (sib->vcpu->domain == v->domain) {
            rv->period = sib->period;
            rv->budget = sib->budget;
            break;
        }
    rv->next_v = rtds.vcpus;
    rtds.vcpus = rv;
    v->sched_priv = rv;
    spin_unlock_irqrestore(&rtds.lock, flags);
    return 0;
}

/** Free @p v's policy data (it is off the queue and not running). */
static void rtds_remove_vcpu(const struct scheduler *ops, struct vcpu *v)
{
    struct rtds_vcpu *rv = rtds_of(v), **pp;
    unsigned long flags = spin_lock_irqsave(&rtds.lock);

    (void)ops;
    ASSERT(!rv->queued);
    for (pp = &rtds.vcpus; *pp != rv; pp = &(*pp)->next_v)
        ;
    *pp = rv->next_v;
    v->sched_priv = NULL;
    spin_unlock_irqrestore(&rtds.lock, flags);
    xfree(rv);
}

/**
 * Queue @p v, unless it is queued already. It keeps its deadline and
 * budget; the next do_schedule() replenishes it if its deadline passed.
 */
static void rtds_wake(const struct scheduler *ops, struct vcpu *v)
{
    struct rtds_vcpu *rv = rtds_of(v);
    unsigned long flags = spin_lock_irqsave(&rtds.lock);

    (void)ops;
    if (!rv->queued)
        enqueue(rv);
    spin_unlock_irqrestore(&rtds.lock, flags);
}

/** @p v may not run: take it off its queue. */
static void rtds_sleep(const struct scheduler *ops, struct vcpu *v)
{
    struct rtds_vcpu *rv = rtds_of(v);
    unsigned long flags = spin_lock_irqsave(&rtds.lock);

    (void)ops;
    if (rv->queued)
        dequeue(rv);
    spin_unlock_irqrestore(&rtds.lock, flags);
}

/**
 * Charge @p prev and queue it again if @p prev_runnable, replenish the
 * queued vCPUs whose deadline has come, then run the earliest deadline
 * with budget left, until the next event that could change the choice.
 */
static struct sched_decision rtds_do_schedule(const struct scheduler *ops,
                                              unsigned int cpu,
                                              struct vcpu *prev,
                                              bool prev_runnable, s_time_t now)
{
    struct rtds_cpu *pc = &rtds.cpu[cpu];
    struct rtds_vcpu *rv, *next;
    struct sched_decision dec;
    unsigned long flags = spin_lock_irqsave(&rtds.lock);

    (void)ops;
    if (prev != idle_vcpu(cpu)) {
        charge(rtds_of(prev), now);
        if (prev_runnable)
            enqueue(rtds_of(prev));
    }
    for (rv = pc->head; rv; rv = rv->next)
        replenish(rv, now);
    next = earliest(pc);
    if (next) {
        dequeue(next);
        next->charged_to = now;
    }
    pc->curr = next;
    dec = (struct sched_decision){ next ? next->vcpu : idle_vcpu(cpu),
                                   slice_for(pc, next, now) };
    spin_unlock_irqrestore(&rtds.lock, flags);
    return dec;
}

/** Print @p rv's place (@p what), deadline, budget left and parameters. */
static void dump_vcpu(const char *what, const struct rtds_vcpu *rv)
{
    printk("  %s: d%uv%u deadline %ld us budget left %ld us"
           " (period %ld us, budget %ld us)\n",
           what, rv->vcpu->domain->domain_id, rv->vcpu->vcpu_id,
           rv->deadline / MICROSECS(1), rv->budget_left / MICROSECS(1),
           rv->period / MICROSECS(1), rv->budget / MICROSECS(1));
}

/** Print what CPU @p cpu runs and its queue. */
static void rtds_dump_cpu(const struct scheduler *ops, unsigned int cpu)
{
    struct rtds_cpu *pc = &rtds.cpu[cpu];
    struct rtds_vcpu *rv;
    unsigned long flags = spin_lock_irqsave(&rtds.lock);

    (void)ops;
    if (pc->curr)
        dump_vcpu("running", pc->curr);
    for (rv = pc->head; rv; rv = rv->next)
        dump_vcpu("queued", rv);
    spin_unlock_irqrestore(&rtds.lock, flags);
}

/** Are @p p's period and budget acceptable (see struct sched_params)? */
static bool params_valid(const struct sched_params *p)
{
    return p->period >= RTDS_MIN_TIME && p->budget >= RTDS_MIN_TIME &&
           p->budget <= p->period;
}

/**
 * Read domain @p d's period and budget into @p p, after setting them for
 * all its vCPUs if @p set. New values take effect at each vCPU's next
 * replenishment (its current period runs out as it began), as in Xen.
 */
static int rtds_adjust(const struct scheduler *ops, struct domain *d,
                       struct sched_params *p, bool set)
{
    bool valid = !set || params_valid(p);
    unsigned long flags = spin_lock_irqsave(&rtds.lock);
    struct rtds_vcpu *rv, *found = NULL;
    int rc = 0;

    (void)ops;
    for (rv = rtds.vcpus; rv; rv = rv->next_v) {
        if (rv->vcpu->domain != d)
            continue;
        found = rv;
        if (set && valid) {
            rv->period = p->period;
            rv->budget = p->budget;
        }
    }
    if (!found)
        rc = -ESRCH;
    else if (!valid)
        rc = -EINVAL;
    else
        *p = (struct sched_params){ .period = found->period,
                                    .budget = found->budget };
    spin_unlock_irqrestore(&rtds.lock, flags);
    return rc;
}

/** The RTDS policy's hooks. */
const struct scheduler sched_rtds_def = {
    .name = "real-time EDF",
    .opt_name = "rtds",
    .sched_id = XEN_SCHEDULER_RTDS,
    .init_cpu = rtds_init_cpu,
    .insert_vcpu = rtds_insert_vcpu,
    .remove_vcpu = rtds_remove_vcpu,
    .wake = rtds_wake,
    .sleep = rtds_sleep,
    .do_schedule = rtds_do_schedule,
    .adjust = rtds_adjust,
    .dump_cpu = rtds_dump_cpu,
};
