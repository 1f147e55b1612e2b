/**
 * @file
 * @brief The scheduler core: per-CPU state, the idle vCPUs, waking and
 *        sleeping vCPUs, and schedule(), which switches between them.
 *
 * Lab 4 (labs/04-pv-domains/README.md); lab 7 fills in the policies.
 * Design page: docs/pv-guests.md (section "Scheduling").
 *
 * Each CPU has a lock, its current vCPU, an idle vCPU and a slice timer.
 * A vCPU belongs to one CPU (v->processor) and is only ever queued,
 * dequeued or switched to under that CPU's lock. Switching happens in
 * one place only: SCHEDULE_SOFTIRQ, which runs on the way out to a guest
 * or in the idle loop, never in the middle of hypervisor work. So making
 * a vCPU stop is: mark it, raise SCHEDULE_SOFTIRQ on its CPU.
 */
#include <hospes/domain.h>
#include <hospes/errno.h>
#include <hospes/hypercall.h>
#include <hospes/keyhandler.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <hospes/sched.h>
#include <hospes/smp.h>
#include <hospes/softirq.h>
#include <hospes/timer.h>
#include <hospes/xmalloc.h>
#include <public/sched.h>

/** One CPU's scheduling state. */
struct sched_cpu {
    spinlock_t lock;    /**< guards everything below and the run queue */
    struct vcpu *curr;  /**< the vCPU running here */
    struct vcpu *idle;  /**< this CPU's idle vCPU */
    struct timer slice; /**< ends the current time slice */
};

/** Every CPU's scheduling state. */
static struct sched_cpu sched_cpus[NR_CPUS];

/** The policy in use. */
static const struct scheduler *ops = &sched_rr_def;

/** The domain the idle vCPUs belong to. */
static struct domain *idle_domain;

struct vcpu *idle_vcpu(unsigned int cpu)
{
    return sched_cpus[cpu].idle;
}

bool is_idle_domain(const struct domain *d)
{
    return d == idle_domain;
}

bool is_idle_vcpu(const struct vcpu *v)
{
    return is_idle_domain(v->domain);
}

struct vcpu *get_current(void)
{
    return sched_cpus[smp_processor_id()].curr;
}

/** Make CPU @p cpu run schedule() soon, wherever it is. */
static void poke_cpu(unsigned int cpu)
{
    raise_softirq_cpu(cpu, SCHEDULE_SOFTIRQ);
}

/** The time slice ran out: time to choose again. */
static void slice_expired(void *data)
{
    (void)data;
    raise_softirq(SCHEDULE_SOFTIRQ);
}

int sched_insert_vcpu(struct vcpu *v)
{
    return ops->insert_vcpu(v);
}

void sched_remove_vcpu(struct vcpu *v)
{
    struct sched_cpu *sc = &sched_cpus[v->processor];
    unsigned long flags = spin_lock_irqsave(&sc->lock);

    ops->sleep(v);
    ops->remove_vcpu(v);
    spin_unlock_irqrestore(&sc->lock, flags);
}

unsigned int sched_pick_cpu(void)
{
    static unsigned int next;
    unsigned long online = cpu_online_mask();
    unsigned int cpu;

    do
        cpu = __atomic_fetch_add(&next, 1, __ATOMIC_SEQ_CST) % NR_CPUS;
    while (!(online & (1UL << cpu)));
    return cpu;
}

void vcpu_wake(struct vcpu *v)
{
    struct sched_cpu *sc = &sched_cpus[v->processor];
    unsigned long flags = spin_lock_irqsave(&sc->lock);

    if (vcpu_runnable(v) && !v->is_running) {
        ops->wake(v);
        poke_cpu(v->processor);
    }
    spin_unlock_irqrestore(&sc->lock, flags);
}

void vcpu_sleep_nosync(struct vcpu *v)
{
    struct sched_cpu *sc = &sched_cpus[v->processor];
    unsigned long flags = spin_lock_irqsave(&sc->lock);

    if (!vcpu_runnable(v)) {
        ops->sleep(v);
        if (v->is_running)
            poke_cpu(v->processor);
    }
    spin_unlock_irqrestore(&sc->lock, flags);
}

void vcpu_yield(void)
{
    raise_softirq(SCHEDULE_SOFTIRQ);
}

void vcpu_block(void)
{
    struct vcpu *v = current;

    /* Xen's order: enable event delivery, block, then look for an event
     * that came in meanwhile, so no wake-up falls between the two. */
    v->vcpu_info->evtchn_upcall_mask = 0;
    v->is_blocked = true;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (v->vcpu_info->evtchn_upcall_pending)
        v->is_blocked = false;
    else
        vcpu_sleep_nosync(v);
}

void sched_context_saved(struct vcpu *prev)
{
    struct sched_cpu *sc = &sched_cpus[prev->processor];
    unsigned long flags = spin_lock_irqsave(&sc->lock);

    __atomic_store_n(&prev->is_running, false, __ATOMIC_SEQ_CST);
    if (vcpu_runnable(prev) && !is_idle_vcpu(prev))
        ops->wake(prev);
    spin_unlock_irqrestore(&sc->lock, flags);
    domain_destroy_if_idle(prev->domain);
}

/**
 * SCHEDULE_SOFTIRQ: ask the policy what to run next and switch to it.
 * Returns only if that is what was running; otherwise the CPU continues
 * in the next vCPU (context_switch() never returns).
 */
static void schedule(void)
{
    struct sched_cpu *sc = &sched_cpus[smp_processor_id()];
    unsigned long flags = spin_lock_irqsave(&sc->lock);
    struct vcpu *prev = sc->curr;
    s_time_t now = NOW();
    struct sched_decision dec;

    stop_timer(&sc->slice);
    dec = ops->do_schedule(smp_processor_id(), prev,
                           !is_idle_vcpu(prev) && vcpu_runnable(prev), now);
    if (dec.slice >= 0)
        set_timer(&sc->slice, now + dec.slice);
    if (dec.next == prev) {
        spin_unlock_irqrestore(&sc->lock, flags);
        return;
    }
    prev->runtime += now - prev->run_start;
    dec.next->run_start = now;
    dec.next->is_running = true;
    sc->curr = dec.next;
    spin_unlock(&sc->lock); /* interrupts stay off until the guest runs */
    context_switch(prev, dec.next);
}

/** SCHEDOP_shutdown: stop the calling domain for the guest's reason. */
static long sched_shutdown(guest_va_t arg)
{
    struct sched_shutdown s;

    if (copy_from_guest(&s, arg, sizeof(s)))
        return -EFAULT;
    if (s.reason > SHUTDOWN_watchdog)
        return -EINVAL;
    domain_shutdown(current->domain, s.reason);
    return 0;
}

long do_sched_op(unsigned long cmd, guest_va_t arg)
{
    switch ((unsigned int)cmd) {
    case SCHEDOP_yield:
        vcpu_yield();
        return 0;
    case SCHEDOP_block:
        vcpu_block();
        return 0;
    case SCHEDOP_shutdown:
        return sched_shutdown(arg);
    default: /* SCHEDOP_poll comes with event channels (lab 6) */
        return -ENOSYS;
    }
}

/** Debug key 'r': every CPU's current vCPU and run queue. */
static void dump_runqueues(unsigned char key)
{
    unsigned int cpu;

    (void)key;
    printk("Scheduler: %s\n", ops->name);
    for (cpu = 0; cpu < NR_CPUS; cpu++) {
        struct sched_cpu *sc = &sched_cpus[cpu];
        unsigned long flags;

        if (!sc->idle)
            continue;
        flags = spin_lock_irqsave(&sc->lock);
        if (is_idle_vcpu(sc->curr))
            printk("CPU %u: idle\n", cpu);
        else
            printk("CPU %u: running d%uv%u\n", cpu, sc->curr->domain->domain_id,
                   sc->curr->vcpu_id);
        ops->dump_cpu(cpu);
        spin_unlock_irqrestore(&sc->lock, flags);
    }
}
KEYHANDLER('r', dump_runqueues, "show the scheduler's run queues");

/** Set CPU @p cpu up: its lock, its idle vCPU (running now), its timer. */
static void init_cpu(unsigned int cpu, struct vcpu *idle)
{
    struct sched_cpu *sc = &sched_cpus[cpu];

    sc->lock = (spinlock_t)SPIN_LOCK_UNLOCKED("sched");
    idle->vcpu_id = cpu;
    idle->processor = cpu;
    idle->domain = idle_domain;
    idle->is_running = true;
    sc->idle = sc->curr = idle;
    init_timer(&sc->slice, slice_expired, NULL, cpu);
    if (ops->init_cpu(cpu))
        panic("no memory for CPU %u's run queue", cpu);
}

void scheduler_init(void)
{
    static struct domain idle_dom = { .domain_id = DOMID_IDLE, .name = "idle" };
    static struct vcpu idle_vcpus[NR_CPUS];
    unsigned int cpu;

    idle_domain = &idle_dom;
    for (cpu = 0; cpu < NR_CPUS; cpu++)
        if (cpu_online_mask() & (1UL << cpu))
            init_cpu(cpu, &idle_vcpus[cpu]);
    open_softirq(SCHEDULE_SOFTIRQ, schedule);
    printk("Scheduler: %s (%s)\n", ops->name, ops->opt_name);
}
