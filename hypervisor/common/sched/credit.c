/**
 * @file
 * @brief The credit scheduler, after Xen's (credit1): each domain gets a
 *        share of the CPUs in proportion to its weight, and no more than
 *        its cap; its vCPUs earn that share as credit and burn credit by
 *        running.
 *
 * Lab 7 (labs/07-scheduling/README.md); the interface is hospes/sched.h,
 * the design page docs/scheduling.md.
 *
 * Credit is CPU time, in nanoseconds. A vCPU's credit gives it its
 * priority: BOOST (it has just woken from sleep, with credit left), UNDER
 * (credit >= 0) or OVER (credit < 0). Each CPU runs the first vCPU of the
 * best priority on its queue, which is FIFO within a priority; OVER vCPUs
 * run only when nobody with credit waits. So a domain that has used its
 * share waits for those that have not, and time is shared by weight.
 *
 * Time drives everything, as do_schedule()'s `now` tells it; the policy
 * reads no clock, so a test can run it on a simulated one:
 *
 * - Charging: the running vCPU pays for the time it ran, at every
 *   do_schedule() and at the accounting.
 * - Ticks: every 10 ms of system time. The slice do_schedule() hands out
 *   ends at the next tick at the latest, so each busy CPU comes back at
 *   every tick (Xen runs a per-CPU tick timer for the same work): it
 *   charges the running vCPU, ends a BOOST that ran across the tick, and
 *   lets a vCPU of better priority take over.
 * - Accounting: every third tick (a 30 ms period), the first CPU past the
 *   boundary hands out one period's worth of CPU time per CPU, split among
 *   the domains with active vCPUs in proportion to their weight, then
 *   equally among a domain's active vCPUs. A vCPU becomes active when it
 *   is charged (it ran); it stops earning when its credit passes one
 *   period's worth (it is not using what it gets, so others get it), and
 *   its credit is cut to that: an idle vCPU cannot hoard. Debt is bounded
 *   the same way. A domain cannot use more than one CPU per active vCPU,
 *   nor more than its cap: what it cannot use goes to the others, by
 *   weight. If every CPU idles, nobody runs and nothing is due; the next
 *   do_schedule() does the accounting it finds late.
 * - Time slice: 30 ms. A vCPU runs until its slice ends, it stops, or a
 *   vCPU of better priority waits (checked at a tick or a wake-up: the
 *   core calls do_schedule() for each). Then it goes to the back of its
 *   priority.
 * - BOOST: a vCPU that wakes with credit left is put ahead of the UNDER
 *   and OVER ones, and takes the CPU from them at once, so an I/O-bound
 *   vCPU is served promptly. It keeps BOOST until it is charged across a
 *   tick or leaves the CPU: a vCPU that keeps the CPU is not boosted for
 *   long. Waking from a pause boosts too, as in Xen; coming back after a
 *   preemption does not. A new vCPU starts with a tick's worth of credit,
 *   so that its first wake-ups, before an accounting has counted it, are
 *   boosted too.
 * - Caps: a capped domain may run cap percent of one CPU's period per
 *   period (its budget, which all its vCPUs share). Once it has used it,
 *   its vCPUs are parked: queued but never picked, until the accounting
 *   gives a new budget. A capped vCPU's slice ends when the budget runs
 *   out, so the cap holds to the nanosecond, not to the tick. Time run
 *   beyond the budget (a late timer) is owed to the next period.
 *
 * - Load balancing, as in Xen: a CPU whose best waiting vCPU is OVER, or
 *   that has none, steals the best UNDER or BOOST vCPU (or, with nothing
 *   at all to run, any) waiting in another CPU's queue of the pool that
 *   may run on it. A vCPU that wakes on a busy CPU pokes an idle one of
 *   the pool, which then steals it. So no CPU idles while another has
 *   work waiting, and a vCPU short of its share moves to where it gets it.
 *
 * Instances: each CPU pool that runs credit has its own instance, a
 * struct credit_private (the hooks' @p ops->sched_data): its CPUs, its
 * domains, its accounting. Weights and caps count within a pool.
 *
 * Locking: the core holds the CPU's lock around every hook but adjust.
 * Credit, priorities, domains and queues are the instance's, shared by its
 * CPUs (the accounting runs on one CPU for all), so they are guarded by
 * one more lock, prv->lock, taken inside the CPU's lock. A steal also takes the
 * other CPU's lock, which guards its vCPUs' v->processor, inside
 * prv->lock: against the order, so only with sched_trylock_cpu(), which
 * never waits (a CPU busy with its own lock is skipped, as Xen skips it).
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

/** The charging tick: a busy CPU decides again at least this often. */
#define CREDIT_TICK MILLISECS(10)
/** Ticks in an accounting period. */
#define CREDIT_TICKS_PER_ACCT 3
/** The accounting period: credit is handed out once per period. */
#define CREDIT_PERIOD (CREDIT_TICK * CREDIT_TICKS_PER_ACCT)
/** The longest a vCPU runs before the next of its priority has a turn. */
#define CREDIT_TSLICE MILLISECS(30)
/** A vCPU's credit, or debt, is bounded by one period's worth. */
#define CREDIT_BOUND CREDIT_PERIOD
/**
 * A new vCPU's credit: a tick's worth, so that a short first run does not
 * put it in debt (and cost it its BOOST) before an accounting counts it.
 */
#define CREDIT_INITIAL CREDIT_TICK
/** A domain's weight until it is set. */
#define CREDIT_DEFAULT_WEIGHT 256
/** The largest weight (Xen's). */
#define CREDIT_MAX_WEIGHT 65535
/** A cap of this much is one whole CPU. */
#define CREDIT_CAP_ONE_CPU 100

/** Priorities: a larger one runs first. */
enum credit_prio {
    CREDIT_OVER,  /**< used its credit */
    CREDIT_UNDER, /**< has credit left */
    CREDIT_BOOST, /**< has just woken with credit left */
};

/** The names of the priorities, for the dump. */
static const char *const prio_names[] = {
    [CREDIT_OVER] = "OVER",
    [CREDIT_UNDER] = "UNDER",
    [CREDIT_BOOST] = "BOOST",
};

/** A domain's parameters and accounting; it lives while it has vCPUs. */
struct credit_dom {
    struct domain *d;            /**< whose */
    unsigned int weight;         /**< its share, relative to the others' */
    unsigned int cap;            /**< the most it may run, % of a CPU */
    unsigned int nr_vcpus;       /**< its vCPUs (it goes with the last) */
    unsigned int nr_active;      /**< of those, the ones earning credit */
    s_time_t cap_used;           /**< time run this period, for the cap */
    s_time_t share;              /**< the accounting's scratch: its credit */
    bool settled;                /**< the accounting's scratch: share set */
    struct credit_vcpu *vcpus;   /**< its vCPUs' policy data */
    struct credit_dom *next_dom; /**< the next domain in prv->doms */
};

/** A vCPU's credit state and place in its CPU's queue. */
struct credit_vcpu {
    struct vcpu *vcpu;               /**< whose */
    struct credit_dom *dom;          /**< its domain's policy data */
    struct credit_vcpu *next_in_dom; /**< the domain's next vCPU */
    struct credit_vcpu *next;        /**< the next in the run queue */
    s_time_t credit;                 /**< CPU time it may still use, ns */
    s_time_t charged_to;             /**< running: paid for up to here */
    bool queued;                     /**< on its CPU's queue */
    bool active;                     /**< earns credit at the accounting */
    bool boost;                      /**< woke with credit: runs first */
    bool asleep;                     /**< blocked or paused: not queued */
    bool yielded;                    /**< gave the CPU up (SCHEDOP_yield) */
};

/** One CPU's queue and what it runs. */
struct credit_cpu {
    struct credit_vcpu *head;  /**< the queue, in arrival order */
    struct credit_vcpu **tail; /**< where the next arrival goes */
    struct credit_vcpu *curr;  /**< running, or NULL: the idle vCPU */
    s_time_t slice_end;        /**< when curr's time slice ends */
};

/** The state of one instance of the policy: one CPU pool's. */
struct credit_private {
    spinlock_t lock;                /**< guards all of it */
    unsigned long cpus;             /**< its CPUs (init_cpu, deinit_cpu) */
    unsigned int nr_cpus;           /**< how many they are */
    s_time_t next_acct;             /**< when the accounting is next due */
    struct credit_dom *doms;        /**< every domain with a vCPU */
    struct credit_cpu cpu[NR_CPUS]; /**< each CPU's queue */
};

/** The instance @p ops is. */
static struct credit_private *priv_of(const struct scheduler *ops)
{
    return ops->sched_data;
}

/** @p v's policy data. */
static struct credit_vcpu *credit_of(const struct vcpu *v)
{
    return v->sched_priv;
}

/** How much domain @p cd may run per period; 0 if it has no cap. */
static s_time_t cap_budget(const struct credit_dom *cd)
{
    return CREDIT_PERIOD * cd->cap / CREDIT_CAP_ONE_CPU;
}

/** Has @p cv's domain used its cap's budget for this period? */
static bool parked(const struct credit_vcpu *cv)
{
    return cv->dom->cap && cv->dom->cap_used >= cap_budget(cv->dom);
}

/** @p cv's priority now. */
static enum credit_prio prio_of(const struct credit_vcpu *cv)
{
    if (cv->boost)
        return CREDIT_BOOST;
    return cv->credit >= 0 ? CREDIT_UNDER : CREDIT_OVER;
}

/** The first tick after @p now. */
static s_time_t next_tick(s_time_t now)
{
    return (now / CREDIT_TICK + 1) * CREDIT_TICK;
}

/**
 * Make running vCPU @p cv pay for the time since it was last charged; it
 * earns credit from now on. A BOOST that ran across a tick ends.
 */
static void charge(struct credit_vcpu *cv, s_time_t now)
{
    s_time_t ran = now - cv->charged_to;

    if (ran <= 0) /* charged already, by the accounting on another CPU */
        return;
    if (now / CREDIT_TICK != cv->charged_to / CREDIT_TICK)
        cv->boost = false;
    cv->credit -= ran;
    cv->dom->cap_used += ran;
    cv->charged_to = now;
    if (!cv->active) {
        cv->active = true;
        cv->dom->nr_active++;
    }
}

/** @p cv stops earning credit until it runs again. */
static void deactivate(struct credit_vcpu *cv)
{
    if (cv->active) {
        cv->active = false;
        cv->dom->nr_active--;
    }
}

/** The most CPU time domain @p cd can use in a period. */
static s_time_t peak_of(const struct credit_dom *cd)
{
    s_time_t peak = CREDIT_PERIOD * cd->nr_active;

    return cd->cap ? min(peak, cap_budget(cd)) : peak;
}

/** @p amount's part for weight @p weight out of @p weight_sum. */
static s_time_t weighted(s_time_t amount, unsigned int weight,
                         s_time_t weight_sum)
{
    return amount * weight / weight_sum;
}

/**
 * Lab 7, exercise 1: split a period's credit by weight (split_by_weight()).
 *
 * Split @p total (ns of CPU time) among the domains with active vCPUs
 * (nr_active > 0) in proportion to their weight: set each one's share, and
 * 0 for the others. No domain gets more than its peak (peak_of(): one CPU
 * per active vCPU, or its cap's budget): a domain whose part would pass
 * its peak gets its peak, and what it leaves is split again, by weight,
 * among the others, until no part passes its peak (Xen hands it on too).
 * Use weighted() for a part; credit_dom's settled is yours, as scratch.
 *
 * Without it nobody earns credit: every vCPU is OVER, and they take turns
 * whatever their weights.
 */
static void split_by_weight(struct credit_private *prv, s_time_t total)
{
    struct credit_dom *cd;
    // LAB 7 BEGIN exercise 1: split_by_weight()
    s_time_t weight_left, left;
    bool settled_more;

    for (cd = prv->doms; cd; cd = cd->next_dom) {
        cd->settled = !cd->nr_active;
        cd->share = 0;
    }
    do {
        settled_more = false;
        weight_left = 0;
        for (cd = prv->doms; cd; cd = cd->next_dom)
            if (!cd->settled)
                weight_left += cd->weight;
        if (!weight_left)
            return;
        /* Settling at once every domain whose peak is below its part is
         * safe: each leaves the others more than their parts. */
        left = total;
        for (cd = prv->doms; cd; cd = cd->next_dom) {
            if (cd->settled ||
                peak_of(cd) > weighted(left, cd->weight, weight_left))
                continue;
            cd->share = peak_of(cd);
            cd->settled = settled_more = true;
            total -= cd->share;
        }
    } while (settled_more);
    for (cd = prv->doms; cd; cd = cd->next_dom)
        if (!cd->settled)
            cd->share = weighted(total, cd->weight, weight_left);
    // LAB 7 STUB
    // lab_todo(7, 1, "split_by_weight()");
    // /* Nobody earns: all go OVER and take turns. */
    // for (cd = prv->doms; cd; cd = cd->next_dom)
    //     cd->share = 0;
    // (void)total;
    // (void)peak_of;
    // (void)weighted;
    // LAB 7 END
}

/**
 * The accounting, due at @p now: hand out a period's worth of CPU time
 * per CPU (see the file's comment), bound every vCPU's credit, give the
 * capped domains a new budget, and set when it is next due.
 */
static void account(struct credit_private *prv, s_time_t now)
{
    struct credit_dom *cd;
    struct credit_vcpu *cv;
    unsigned int cpu;

    /* What the running vCPUs ran in this period counts in it. */
    for (cpu = 0; cpu < NR_CPUS; cpu++)
        if (prv->cpu[cpu].curr)
            charge(prv->cpu[cpu].curr, now);
    split_by_weight(prv, CREDIT_PERIOD * prv->nr_cpus);
    for (cd = prv->doms; cd; cd = cd->next_dom) {
        s_time_t each = cd->nr_active ? cd->share / cd->nr_active : 0;

        for (cv = cd->vcpus; cv; cv = cv->next_in_dom) {
            if (cv->active)
                cv->credit += each;
            if (cv->credit > CREDIT_BOUND) { /* not using what it gets */
                cv->credit = CREDIT_BOUND;
                deactivate(cv);
            }
            cv->credit = max(cv->credit, -CREDIT_BOUND);
        }
        /* A budget overrun is owed; an unused budget is lost. */
        cd->cap_used = cd->cap ? max(cd->cap_used - cap_budget(cd), 0) : 0;
    }
    prv->next_acct = (now / CREDIT_PERIOD + 1) * CREDIT_PERIOD;
}

/** Queue @p cv at the back of its CPU's queue. */
static void enqueue(struct credit_private *prv, struct credit_vcpu *cv)
{
    struct credit_cpu *pc = &prv->cpu[cv->vcpu->processor];

    cv->queued = true;
    cv->next = NULL;
    *pc->tail = cv;
    pc->tail = &cv->next;
}

/** Take @p cv, which is queued, off its CPU's queue. */
static void dequeue(struct credit_private *prv, struct credit_vcpu *cv)
{
    struct credit_cpu *pc = &prv->cpu[cv->vcpu->processor];
    struct credit_vcpu **pp;

    for (pp = &pc->head; *pp != cv; pp = &(*pp)->next)
        ;
    *pp = cv->next;
    if (pc->tail == &cv->next)
        pc->tail = pp;
    cv->queued = false;
}

/**
 * The vCPU of @p pc's queue to run next: the first of the best priority,
 * not parked and not @p skip. Scanning, rather than keeping the queue
 * sorted, keeps it right when the accounting on another CPU changes
 * credits. @return it, or NULL if there is none
 */
static struct credit_vcpu *best_queued(const struct credit_cpu *pc,
                                       const struct credit_vcpu *skip)
{
    struct credit_vcpu *cv, *best = NULL;

    for (cv = pc->head; cv; cv = cv->next)
        if (cv != skip && !parked(cv) && (!best || prio_of(cv) > prio_of(best)))
            best = cv;
    return best;
}

/**
 * May @p cv, running on @p pc and runnable, go on? Yes, unless its slice
 * is over, it gave the CPU up (@p yielded), its domain has used its
 * budget, or a vCPU of better priority waits.
 */
static bool keeps_cpu(const struct credit_cpu *pc, const struct credit_vcpu *cv,
                      bool yielded, s_time_t now)
{
    const struct credit_vcpu *best = best_queued(pc, NULL);

    return now < pc->slice_end && !yielded && !parked(cv) &&
           (!best || prio_of(best) <= prio_of(cv));
}

/** How many CPUs run a vCPU of domain @p cd now. */
static unsigned int nr_running(const struct credit_private *prv,
                               const struct credit_dom *cd)
{
    unsigned int cpu, n = 0;

    for (cpu = 0; cpu < NR_CPUS; cpu++)
        n += prv->cpu[cpu].curr && prv->cpu[cpu].curr->dom == cd;
    return n;
}

/**
 * When @p cv, which @p pc has just chosen to run at @p now, must come back
 * to do_schedule(): at the end of its slice, at the next tick, or when
 * its domain's budget runs out (shared with its vCPUs running elsewhere),
 * whichever is first.
 */
static s_time_t run_until(const struct credit_private *prv,
                          const struct credit_cpu *pc,
                          const struct credit_vcpu *cv, s_time_t now)
{
    s_time_t end = min(pc->slice_end, next_tick(now));
    s_time_t left = cap_budget(cv->dom) - cv->dom->cap_used;
    unsigned int n = nr_running(prv, cv->dom);

    if (cv->dom->cap) /* left > 0: it is not parked; round up: no 0 */
        end = min(end, now + (left + n - 1) / n);
    return end;
}

/** Start CPU @p cpu with an empty queue. */
static int credit_init_cpu(const struct scheduler *ops, unsigned int cpu)
{
    struct credit_private *prv = priv_of(ops);
    struct credit_cpu *pc = &prv->cpu[cpu];
    unsigned long flags = spin_lock_irqsave(&prv->lock);

    pc->head = pc->curr = NULL;
    pc->tail = &pc->head;
    if (!(prv->cpus & (1UL << cpu)))
        prv->nr_cpus++;
    prv->cpus |= 1UL << cpu;
    spin_unlock_irqrestore(&prv->lock, flags);
    return 0;
}

/** CPU @p cpu leaves: it earns no credit for the pool and steals no more
 *  (what is queued on it still runs there until it moves). */
static void credit_deinit_cpu(const struct scheduler *ops, unsigned int cpu)
{
    struct credit_private *prv = priv_of(ops);
    unsigned long flags = spin_lock_irqsave(&prv->lock);

    if (prv->cpus & (1UL << cpu))
        prv->nr_cpus--;
    prv->cpus &= ~(1UL << cpu);
    spin_unlock_irqrestore(&prv->lock, flags);
}

/**
 * The vCPU of @p pc's queue that CPU @p cpu may take: the first of the
 * best priority better than @p than (-1: any), not parked, not still
 * running (a vCPU queued as it leaves its CPU, its registers not yet
 * saved), and with @p cpu in its affinity. @return it, or NULL
 */
static struct credit_vcpu *best_movable(const struct credit_cpu *pc,
                                        unsigned int cpu, int than)
{
    struct credit_vcpu *cv, *best = NULL;

    for (cv = pc->head; cv; cv = cv->next)
        if (!parked(cv) && (int)prio_of(cv) > than &&
            !__atomic_load_n(&cv->vcpu->is_running, __ATOMIC_SEQ_CST) &&
            (cv->vcpu->cpu_hard_affinity & (1UL << cpu)) &&
            (!best || prio_of(cv) > prio_of(best)))
            best = cv;
    return best;
}

/**
 * Lab 7, exercise 4: load balancing (steal_work()).
 *
 * CPU @p cpu has nothing better to run than priority @p than (-1: nothing
 * at all): take a vCPU from another CPU's queue. Look at the other CPUs
 * of the pool (prv->cpus) in turn, starting after @p cpu, skipping those
 * with an empty queue. Lock each with sched_trylock_cpu() (and skip it if
 * that fails: see the file's comment on locking); take its best_movable()
 * vCPU, if any: off that CPU's queue (dequeue(), while it is still on it),
 * onto @p cpu (sched_set_processor()); unlock (sched_unlock_cpu()). The
 * first one taken is the answer. A CPU leaving the pool (not in
 * prv->cpus any more) takes nothing. prv->lock is held.
 *
 * @return the vCPU taken, now on @p cpu and in no queue, or NULL
 *
 * Without it every vCPU stays on the CPU it was created on: with two
 * CPUs, two hogs on one and none on the other, one CPU idles while the
 * other shares itself between two.
 */
static struct credit_vcpu *steal_work(struct credit_private *prv,
                                      unsigned int cpu, int than)
{
    // LAB 7 BEGIN exercise 4: steal_work()
    unsigned int i, peer;
    struct credit_vcpu *cv;

    if (!(prv->cpus & (1UL << cpu)))
        return NULL;
    for (i = 1; i < NR_CPUS; i++) {
        peer = (cpu + i) % NR_CPUS;
        if (!(prv->cpus & (1UL << peer)) || !prv->cpu[peer].head ||
            !sched_trylock_cpu(peer))
            continue;
        cv = best_movable(&prv->cpu[peer], cpu, than);
        if (cv) {
            dequeue(prv, cv);
            sched_set_processor(cv->vcpu, cpu);
        }
        sched_unlock_cpu(peer);
        if (cv)
            return cv;
    }
    return NULL;
    // LAB 7 STUB
    // lab_todo(7, 4, "steal_work()");
    // /* Every vCPU stays where it is. */
    // (void)prv;
    // (void)cpu;
    // (void)than;
    // (void)best_movable;
    // return NULL;
    // LAB 7 END
}

/**
 * @p cv was queued on a busy CPU: poke an idle CPU of the pool that may
 * run it, which will steal it (Xen "tickles" idlers the same way).
 */
static void tickle_idler(const struct credit_private *prv,
                         const struct credit_vcpu *cv)
{
    unsigned int cpu;

    if (!prv->cpu[cv->vcpu->processor].curr)
        return; /* its own CPU is idle: the core pokes that one */
    for (cpu = 0; cpu < NR_CPUS; cpu++)
        if ((prv->cpus & (1UL << cpu)) && !prv->cpu[cpu].curr &&
            !prv->cpu[cpu].head &&
            (cv->vcpu->cpu_hard_affinity & (1UL << cpu))) {
            sched_poke_cpu(cpu);
            return;
        }
}

/** The policy data of domain @p d, or NULL if it has no vCPU yet. */
static struct credit_dom *find_dom(const struct credit_private *prv,
                                   const struct domain *d)
{
    struct credit_dom *cd;

    for (cd = prv->doms; cd && cd->d != d; cd = cd->next_dom)
        ;
    return cd;
}

/**
 * Give @p v its policy data, and its domain too if @p v is its first
 * vCPU. Both are allocated before the lock is taken (the domain's is
 * freed again if it has one already): xmalloc() has locks of its own.
 */
static int credit_insert_vcpu(const struct scheduler *ops, struct vcpu *v)
{
    struct credit_private *prv = priv_of(ops);
    struct credit_vcpu *cv = xzalloc(struct credit_vcpu);
    struct credit_dom *spare = xzalloc(struct credit_dom), *cd;
    unsigned long flags;

    if (!cv || !spare) {
        xfree(cv);
        xfree(spare);
        return -ENOMEM;
    }
    flags = spin_lock_irqsave(&prv->lock);
    cd = find_dom(prv, v->domain);
    if (!cd) {
        cd = spare;
        spare = NULL;
        cd->d = v->domain;
        cd->weight = CREDIT_DEFAULT_WEIGHT;
        cd->next_dom = prv->doms;
        prv->doms = cd;
    }
    cv->vcpu = v;
    cv->dom = cd;
    cv->asleep = true; /* it has not run yet: its first wake boosts it */
    cv->credit = CREDIT_INITIAL;
    cv->next_in_dom = cd->vcpus;
    cd->vcpus = cv;
    cd->nr_vcpus++;
    v->sched_priv = cv;
    spin_unlock_irqrestore(&prv->lock, flags);
    xfree(spare);
    return 0;
}

/** Free @p v's policy data (it is off the queue), and its domain's with
 *  its last vCPU. */
static void credit_remove_vcpu(const struct scheduler *ops, struct vcpu *v)
{
    struct credit_private *prv = priv_of(ops);
    struct credit_vcpu *cv = credit_of(v), **pp;
    struct credit_dom *cd = cv->dom, **dp;
    unsigned long flags = spin_lock_irqsave(&prv->lock);

    ASSERT(!cv->queued);
    deactivate(cv);
    for (pp = &cd->vcpus; *pp != cv; pp = &(*pp)->next_in_dom)
        ;
    *pp = cv->next_in_dom;
    if (--cd->nr_vcpus) {
        cd = NULL; /* its other vCPUs keep it */
    } else {
        for (dp = &prv->doms; *dp != cd; dp = &(*dp)->next_dom)
            ;
        *dp = cd->next_dom;
    }
    v->sched_priv = NULL;
    spin_unlock_irqrestore(&prv->lock, flags);
    xfree(cv);
    xfree(cd);
}

/**
 * Lab 7, exercise 2: BOOST on wake (credit_wake()).
 *
 * Queue @p v at the back of its CPU's queue (enqueue()), unless it is
 * queued already (a wake-up of a vCPU that did not sleep changes
 * nothing). If it is coming back from sleep (asleep: blocked, paused, or
 * new), it is boosted if it has credit left (credit >= 0) and its domain
 * is not parked by its cap; otherwise, or if it was only preempted, its
 * boost stays as it is. Either way it is awake now. prv->lock is
 * held around your code: the accounting on another CPU changes credits.
 *
 * The core calls do_schedule() after every wake-up: best_queued() and
 * keeps_cpu() then let the boosted vCPU take the CPU at once. Without
 * BOOST, a vCPU that wakes waits for the next tick, or the end of a
 * slice, behind the vCPUs that have as much credit as it.
 */
static void credit_wake(const struct scheduler *ops, struct vcpu *v)
{
    struct credit_private *prv = priv_of(ops);
    struct credit_vcpu *cv = credit_of(v);
    unsigned long flags = spin_lock_irqsave(&prv->lock);

    // LAB 7 BEGIN exercise 2: credit_wake()
    if (!cv->queued) {
        if (cv->asleep)
            cv->boost = cv->credit >= 0 && !parked(cv);
        cv->asleep = false;
        enqueue(prv, cv);
    }
    // LAB 7 STUB
    // lab_todo(7, 2, "credit_wake()");
    // /* Queued, never boosted. */
    // if (!cv->queued) {
    //     cv->asleep = false;
    //     enqueue(prv, cv);
    // }
    // LAB 7 END
    tickle_idler(prv, cv);
    spin_unlock_irqrestore(&prv->lock, flags);
}

/** @p v may not run: take it off its queue; its next wake is a wake-up. */
static void credit_sleep(const struct scheduler *ops, struct vcpu *v)
{
    struct credit_private *prv = priv_of(ops);
    struct credit_vcpu *cv = credit_of(v);
    unsigned long flags = spin_lock_irqsave(&prv->lock);

    if (cv->queued)
        dequeue(prv, cv);
    cv->asleep = true;
    spin_unlock_irqrestore(&prv->lock, flags);
}

/** Running vCPU @p v gives its CPU up: do_schedule() will run another. */
static void credit_yield(const struct scheduler *ops, struct vcpu *v)
{
    struct credit_private *prv = priv_of(ops);
    unsigned long flags = spin_lock_irqsave(&prv->lock);

    credit_of(v)->yielded = true;
    spin_unlock_irqrestore(&prv->lock, flags);
}

/**
 * Charge @p prev, do the accounting if it is due, then let @p prev go on
 * or queue it (if @p prev_runnable) and run the first of the best
 * priority. A vCPU that yielded runs again only if nothing else can.
 */
static struct sched_decision
credit_do_schedule(const struct scheduler *ops, unsigned int cpu,
                   struct vcpu *prev, bool prev_runnable, s_time_t now)
{
    struct credit_private *prv = priv_of(ops);
    struct credit_cpu *pc = &prv->cpu[cpu];
    struct credit_vcpu *cv = NULL, *next = NULL, *stolen = NULL;
    struct sched_decision dec;
    bool yielded = false;
    unsigned long flags = spin_lock_irqsave(&prv->lock);

    if (prev != idle_vcpu(cpu)) {
        cv = credit_of(prev);
        charge(cv, now);
        yielded = cv->yielded;
        cv->yielded = false;
        cv->asleep = !prev_runnable;
    }
    if (now >= prv->next_acct)
        account(prv, now);
    if (cv && prev_runnable && keeps_cpu(pc, cv, yielded, now)) {
        next = cv;
    } else {
        if (cv) {
            cv->boost = false; /* it leaves the CPU */
            if (prev_runnable)
                enqueue(prv, cv);
        }
        if (yielded)
            next = best_queued(pc, cv);
        if (!next)
            next = best_queued(pc, NULL);
        /* Nothing better than OVER here: better work elsewhere? */
        if (!next || prio_of(next) == CREDIT_OVER)
            stolen = steal_work(prv, cpu, next ? (int)prio_of(next) : -1);
        if (stolen)
            next = stolen; /* in no queue */
        else if (next)
            dequeue(prv, next);
        if (next) {
            next->charged_to = now;
            pc->slice_end = now + CREDIT_TSLICE;
        }
    }
    pc->curr = next;
    if (next)
        dec = (struct sched_decision){ next->vcpu,
                                       run_until(prv, pc, next, now) - now };
    else /* with parked vCPUs queued, wake up when they may run again */
        dec = (struct sched_decision){ idle_vcpu(cpu),
                                       pc->head ? prv->next_acct - now : -1 };
    spin_unlock_irqrestore(&prv->lock, flags);
    return dec;
}

/** Print @p cv's place (@p what), priority and credit. */
static void dump_vcpu(const char *what, const struct credit_vcpu *cv)
{
    printk("  %s: d%uv%u %s credit %ld us%s\n", what,
           cv->vcpu->domain->domain_id, cv->vcpu->vcpu_id,
           prio_names[prio_of(cv)], cv->credit / MICROSECS(1),
           parked(cv) ? " (parked)" : "");
}

/** Print what CPU @p cpu runs and its queue, in arrival order. */
static void credit_dump_cpu(const struct scheduler *ops, unsigned int cpu)
{
    struct credit_private *prv = priv_of(ops);
    struct credit_cpu *pc = &prv->cpu[cpu];
    struct credit_vcpu *cv;
    unsigned long flags = spin_lock_irqsave(&prv->lock);

    if (pc->curr)
        dump_vcpu("running", pc->curr);
    for (cv = pc->head; cv; cv = cv->next)
        dump_vcpu("queued", cv);
    spin_unlock_irqrestore(&prv->lock, flags);
}

/** Read domain @p d's weight and cap into @p p, after setting them if
 *  @p set. */
static int credit_adjust(const struct scheduler *ops, struct domain *d,
                         struct sched_params *p, bool set)
{
    struct credit_private *prv = priv_of(ops);
    unsigned long flags = spin_lock_irqsave(&prv->lock);
    struct credit_dom *cd = find_dom(prv, d);
    int rc = 0;

    if (!cd)
        rc = -ESRCH;
    else if (set && (!p->weight || p->weight > CREDIT_MAX_WEIGHT ||
                     p->cap > CREDIT_CAP_ONE_CPU * cd->nr_vcpus))
        rc = -EINVAL;
    if (!rc && set) {
        cd->weight = p->weight;
        cd->cap = p->cap;
    }
    if (!rc)
        *p = (struct sched_params){ .weight = cd->weight, .cap = cd->cap };
    spin_unlock_irqrestore(&prv->lock, flags);
    return rc;
}

/** A new instance, for a new pool: its state in @p ops->sched_data. */
static int credit_init(struct scheduler *ops)
{
    struct credit_private *prv = xzalloc(struct credit_private);

    if (!prv)
        return -ENOMEM;
    prv->lock = (spinlock_t)SPIN_LOCK_UNLOCKED("credit");
    ops->sched_data = prv;
    return 0;
}

/** The instance's pool is gone, with its CPUs and domains: free it. */
static void credit_deinit(struct scheduler *ops)
{
    xfree(ops->sched_data);
    ops->sched_data = NULL;
}

/** The credit policy's hooks. */
const struct scheduler sched_credit_def = {
    .name = "credit",
    .opt_name = "credit",
    .sched_id = XEN_SCHEDULER_CREDIT,
    .init = credit_init,
    .deinit = credit_deinit,
    .init_cpu = credit_init_cpu,
    .deinit_cpu = credit_deinit_cpu,
    .insert_vcpu = credit_insert_vcpu,
    .remove_vcpu = credit_remove_vcpu,
    .wake = credit_wake,
    .sleep = credit_sleep,
    .yield = credit_yield,
    .do_schedule = credit_do_schedule,
    .adjust = credit_adjust,
    .dump_cpu = credit_dump_cpu,
};
