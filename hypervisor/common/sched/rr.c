/**
 * @file
 * @brief Round robin: the simplest scheduling policy. Each CPU runs the
 *        vCPUs on its queue in turn, for a fixed slice each.
 *
 * Lab 4 (labs/04-pv-domains/README.md) uses it as it is; lab 7
 * (labs/07-scheduling/README.md) adds credit and EDF beside it, behind
 * the same struct scheduler. A vCPU that yields goes to the back of the
 * queue; one that blocks leaves it until it is woken.
 *
 * Its state is per CPU and per vCPU only, and a CPU is in one pool at a
 * time: several pools may run it with no state of their own (no init).
 */
#include <hospes/errno.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <hospes/sched.h>
#include <hospes/smp.h>
#include <hospes/xmalloc.h>
#include <public/sysctl.h>

/** How long a vCPU runs before the next gets its turn. */
#define RR_SLICE MILLISECS(10)

/** A vCPU's place in its CPU's queue. */
struct rr_vcpu {
    struct vcpu *vcpu;    /**< whose */
    struct rr_vcpu *next; /**< the next in the queue */
    bool queued;          /**< on the queue now */
};

/** A CPU's queue: a singly linked list with a tail pointer. */
struct rr_queue {
    struct rr_vcpu *head;  /**< runs next */
    struct rr_vcpu **tail; /**< where the next arrival goes */
};

/** Every CPU's queue. */
static struct rr_queue queues[NR_CPUS];

/** @p v's policy data. */
static struct rr_vcpu *rr_of(const struct vcpu *v)
{
    return v->sched_priv;
}

/** An empty queue for CPU @p cpu. */
static int rr_init_cpu(const struct scheduler *ops, unsigned int cpu)
{
    (void)ops;
    queues[cpu].head = NULL;
    queues[cpu].tail = &queues[cpu].head;
    return 0;
}

/** Give @p v its queue entry (not queued yet). */
static int rr_insert_vcpu(const struct scheduler *ops, struct vcpu *v)
{
    struct rr_vcpu *r = xzalloc(struct rr_vcpu);

    (void)ops;
    if (!r)
        return -ENOMEM;
    r->vcpu = v;
    v->sched_priv = r;
    return 0;
}

/** Free @p v's queue entry (it is off the queue). */
static void rr_remove_vcpu(const struct scheduler *ops, struct vcpu *v)
{
    (void)ops;
    xfree(v->sched_priv);
    v->sched_priv = NULL;
}

/** Queue @p v at the back, unless it is queued already. */
static void rr_wake(const struct scheduler *ops, struct vcpu *v)
{
    struct rr_queue *q = &queues[v->processor];
    struct rr_vcpu *r = rr_of(v);

    (void)ops;
    if (r->queued)
        return;
    r->queued = true;
    r->next = NULL;
    *q->tail = r;
    q->tail = &r->next;
}

/** Take @p v off its queue, if it is on it. */
static void rr_sleep(const struct scheduler *ops, struct vcpu *v)
{
    struct rr_queue *q = &queues[v->processor];
    struct rr_vcpu *r = rr_of(v), **pp;

    (void)ops;
    if (!r || !r->queued)
        return;
    for (pp = &q->head; *pp != r; pp = &(*pp)->next)
        ;
    *pp = r->next;
    if (q->tail == &r->next)
        q->tail = pp;
    r->queued = false;
}

/** Put @p prev at the back if it may go on; run the head of the queue. */
static struct sched_decision rr_do_schedule(const struct scheduler *ops,
                                            unsigned int cpu, struct vcpu *prev,
                                            bool prev_runnable, s_time_t now)
{
    struct rr_queue *q = &queues[cpu];
    struct rr_vcpu *head;

    (void)now;
    if (prev_runnable)
        rr_wake(ops, prev);
    head = q->head;
    if (!head)
        return (struct sched_decision){ idle_vcpu(cpu), -1 };
    rr_sleep(ops, head->vcpu);
    return (struct sched_decision){ head->vcpu, RR_SLICE };
}

/** List CPU @p cpu's queue, head first. */
static void rr_dump_cpu(const struct scheduler *ops, unsigned int cpu)
{
    struct rr_vcpu *r;

    (void)ops;
    for (r = queues[cpu].head; r; r = r->next)
        printk("  queued: d%uv%u\n", r->vcpu->domain->domain_id,
               r->vcpu->vcpu_id);
}

/** The round-robin policy's hooks. */
const struct scheduler sched_rr_def = {
    .name = "round robin",
    .opt_name = "rr",
    .sched_id = HOSPES_SCHEDULER_RR,
    .init_cpu = rr_init_cpu,
    .insert_vcpu = rr_insert_vcpu,
    .remove_vcpu = rr_remove_vcpu,
    .wake = rr_wake,
    .sleep = rr_sleep,
    .do_schedule = rr_do_schedule,
    .dump_cpu = rr_dump_cpu,
};
