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
#include <hospes/event.h>
#include <hospes/hypercall.h>
#include <hospes/keyhandler.h>
#include <hospes/lib.h>
#include <hospes/param.h>
#include <hospes/printk.h>
#include <hospes/sched.h>
#include <hospes/smp.h>
#include <hospes/softirq.h>
#include <hospes/timer.h>
#include <hospes/vtime.h>
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

/** `sched=`: the opt_name of the policy to use. */
static char opt_sched[16] = "rr";
string_param("sched", opt_sched);

/** Every policy `sched=` can choose. */
static const struct scheduler *const schedulers[] = {
    &sched_rr_def,
    &sched_credit_def,
    &sched_rtds_def,
};

/** The policy in use (scheduler_init() sets it from `sched=`). */
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
        if (v->runstate.state != RUNSTATE_runnable)
            vcpu_runstate_change(v, RUNSTATE_runnable, NOW());
        ops->wake(v);
        poke_cpu(v->processor);
    }
    spin_unlock_irqrestore(&sc->lock, flags);
}

/**
 * Wake @p v if it is blocked (SCHEDOP_block or _poll). A poll ends too:
 * its timeout, if it fires later, finds nothing to end.
 */
static void vcpu_unblock(struct vcpu *v)
{
    __atomic_store_n(&v->is_polling, false, __ATOMIC_SEQ_CST);
    if (__atomic_exchange_n(&v->is_blocked, false, __ATOMIC_SEQ_CST))
        vcpu_wake(v);
}

void vcpu_mark_events_pending(struct vcpu *v)
{
    if (__atomic_exchange_n(&v->vcpu_info->evtchn_upcall_pending, 1,
                            __ATOMIC_SEQ_CST))
        return; /* it has been told already */
    vcpu_unblock(v);
    /* Running on another CPU: make it look on its way back to the guest
     * (here, it looks anyway). */
    if (__atomic_load_n(&v->is_running, __ATOMIC_SEQ_CST) &&
        v->processor != smp_processor_id())
        smp_send_event_check(v->processor);
}

void sched_check_pollers(struct domain *d, evtchn_port_t port)
{
    struct vcpu *v;

    for_each_vcpu (d, v)
        if (__atomic_load_n(&v->is_polling, __ATOMIC_SEQ_CST) &&
            (!v->poll_port || v->poll_port == port) &&
            __atomic_exchange_n(&v->is_polling, false, __ATOMIC_SEQ_CST))
            vcpu_unblock(v);
}

void sched_poll_timeout(struct vcpu *v)
{
    if (__atomic_exchange_n(&v->is_polling, false, __ATOMIC_SEQ_CST))
        vcpu_unblock(v);
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
    struct sched_cpu *sc = &sched_cpus[smp_processor_id()];
    unsigned long flags;

    if (ops->yield) { /* a guest's hypercall: curr is its vCPU */
        flags = spin_lock_irqsave(&sc->lock);
        ops->yield(sc->curr);
        spin_unlock_irqrestore(&sc->lock, flags);
    }
    raise_softirq(SCHEDULE_SOFTIRQ);
}

int sched_adjust(struct domain *d, struct sched_params *p, bool set)
{
    return ops->adjust ? ops->adjust(d, p, set) : -ENOSYS;
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
    /* Runnable: it was preempted, or woken while we switched away from
     * it (vcpu_wake() left it to us, as it was still running). Queue it;
     * and if the CPU has just gone idle, which it would not have done
     * with it queued, choose again. */
    if (vcpu_runnable(prev) && !is_idle_vcpu(prev)) {
        ops->wake(prev);
        if (is_idle_vcpu(sc->curr))
            poke_cpu(prev->processor);
    }
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
    vcpu_runstate_change(prev,
                         vcpu_runnable(prev) ? RUNSTATE_runnable
                         : prev->is_blocked  ? RUNSTATE_blocked
                                             : RUNSTATE_offline,
                         now);
    vcpu_runstate_change(dec.next, RUNSTATE_running, now);
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

/** Is one of the @p n ports at guest address @p ports pending? */
static long any_port_pending(struct domain *d, guest_va_t ports, unsigned int n)
{
    evtchn_port_t p;
    unsigned int i;

    for (i = 0; i < n; i++) {
        if (copy_from_guest(&p, ports + i * sizeof(p), sizeof(p)))
            return -EFAULT;
        if (p >= EVTCHN_2L_NR_CHANNELS)
            return -EINVAL;
        if (evtchn_port_is_pending(d, p))
            return 1;
    }
    return 0;
}

/**
 * SCHEDOP_poll: block until one of the given ports is pending, masked or
 * not, or until the timeout (system time; 0 for none). As with
 * SCHEDOP_block, the vCPU says it waits before it looks, so an event
 * that comes in between wakes it.
 */
static long sched_poll(guest_va_t arg)
{
    struct vcpu *v = current;
    struct sched_poll p;
    evtchn_port_t first = 0;
    guest_va_t ports;
    long rc;

    if (copy_from_guest(&p, arg, sizeof(p)))
        return -EFAULT;
    if (p.nr_ports > SCHED_POLL_MAX_PORTS)
        return -EINVAL;
    ports = (guest_va_t)p.ports;
    if (p.nr_ports == 1 && copy_from_guest(&first, ports, sizeof(first)))
        return -EFAULT;
    stop_timer(&v->poll_timer); /* an earlier poll's timeout */
    v->poll_port = p.nr_ports == 1 ? first : 0;
    v->is_blocked = true;
    __atomic_store_n(&v->is_polling, true, __ATOMIC_SEQ_CST);
    rc = any_port_pending(v->domain, ports, p.nr_ports);
    if (!rc && v->vcpu_info->evtchn_upcall_pending &&
        !v->vcpu_info->evtchn_upcall_mask)
        rc = 1; /* as in Xen: an event to deliver ends the poll too */
    if (rc) {   /* pending already, or a bad argument: no wait */
        v->is_polling = v->is_blocked = false;
        return rc < 0 ? rc : 0;
    }
    if (p.timeout)
        set_timer(&v->poll_timer, (s_time_t)p.timeout);
    vcpu_sleep_nosync(v);
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
    case SCHEDOP_poll:
        return sched_poll(arg);
    default:
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

/** The policy `sched=` names; round robin, with an error, if none is. */
static const struct scheduler *chosen_scheduler(void)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(schedulers); i++)
        if (!strcmp(schedulers[i]->opt_name, opt_sched))
            return schedulers[i];
    printk(LOG_ERR "Unknown scheduler sched=%s: using %s\n", opt_sched,
           sched_rr_def.opt_name);
    return &sched_rr_def;
}

void scheduler_init(void)
{
    static struct domain idle_dom = { .domain_id = DOMID_IDLE, .name = "idle" };
    static struct vcpu idle_vcpus[NR_CPUS];
    unsigned int cpu;

    ops = chosen_scheduler();
    idle_domain = &idle_dom;
    for (cpu = 0; cpu < NR_CPUS; cpu++)
        if (cpu_online_mask() & (1UL << cpu))
            init_cpu(cpu, &idle_vcpus[cpu]);
    open_softirq(SCHEDULE_SOFTIRQ, schedule);
    printk("Scheduler: %s (%s)\n", ops->name, ops->opt_name);
}
