/**
 * @file
 * @brief The scheduler core: per-CPU state, the idle vCPUs, waking and
 *        sleeping vCPUs, and schedule(), which switches between them.
 *
 * Lab 4 (labs/04-pv-domains/README.md); lab 7 fills in the policies.
 * Design page: docs/pv-guests.md (section "Scheduling").
 *
 * Each CPU has a lock, its current vCPU, an idle vCPU, a slice timer and
 * the CPU pool it serves (common/sched/cpupool.c), whose policy decides
 * what it runs; a free CPU, in no pool, runs only its idle vCPU.
 * A vCPU belongs to one CPU (v->processor) and is only ever queued,
 * dequeued or switched to under that CPU's lock. Its CPU changes only
 * under that lock, while it neither runs nor waits in a queue (a policy
 * stealing work, or a vCPU moved while paused): vcpu_lock() reads
 * v->processor, locks that CPU and looks again, as Xen does. Switching
 * happens in one place only: SCHEDULE_SOFTIRQ, which runs on the way out
 * to a guest or in the idle loop, never in the middle of hypervisor work.
 * So making a vCPU stop is: mark it, raise SCHEDULE_SOFTIRQ on its CPU.
 */
#include <hospes/domain.h>
#include <hospes/errno.h>
#include <hospes/event.h>
#include <hospes/hypercall.h>
#include <hospes/irq.h>
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
    /** The pool it serves; NULL: free, it runs only its idle vCPU. */
    struct cpupool *pool;
};

/** Every CPU's scheduling state. */
static struct sched_cpu sched_cpus[NR_CPUS];

/** `sched=`: the opt_name of pool 0's policy. */
static char opt_sched[16] = "rr";
string_param("sched", opt_sched);

/** Every policy there is, for `sched=` and for new pools. */
static const struct scheduler *const schedulers[] = {
    &sched_rr_def,
    &sched_credit_def,
    &sched_rtds_def,
};

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

void sched_poke_cpu(unsigned int cpu)
{
    raise_softirq_cpu(cpu, SCHEDULE_SOFTIRQ);
}

/**
 * Lock the CPU @p v is on, in spite of a policy moving it meanwhile.
 * @return that CPU's state; *@p flags for spin_unlock_irqrestore()
 */
static struct sched_cpu *vcpu_lock(const struct vcpu *v, unsigned long *flags)
{
    for (;;) {
        unsigned int cpu = __atomic_load_n(&v->processor, __ATOMIC_ACQUIRE);
        struct sched_cpu *sc = &sched_cpus[cpu];

        *flags = spin_lock_irqsave(&sc->lock);
        if (cpu == v->processor)
            return sc;
        spin_unlock_irqrestore(&sc->lock, *flags); /* it moved: again */
    }
}

bool sched_trylock_cpu(unsigned int cpu)
{
    return spin_trylock(&sched_cpus[cpu].lock);
}

void sched_unlock_cpu(unsigned int cpu)
{
    spin_unlock(&sched_cpus[cpu].lock);
}

void sched_set_processor(struct vcpu *v, unsigned int cpu)
{
    ASSERT(!v->is_running);
    __atomic_store_n(&v->processor, cpu, __ATOMIC_RELEASE);
    vcpu_timers_migrate(v); /* its timers fire where it runs */
}

/** The time slice ran out: time to choose again. */
static void slice_expired(void *data)
{
    (void)data;
    raise_softirq(SCHEDULE_SOFTIRQ);
}

int sched_insert_vcpu(struct vcpu *v)
{
    const struct scheduler *ops = v->domain->cpupool->sched;

    return ops->insert_vcpu(ops, v);
}

void sched_remove_vcpu(struct vcpu *v)
{
    unsigned long flags;
    struct sched_cpu *sc = vcpu_lock(v, &flags);

    sc->pool->sched->sleep(sc->pool->sched, v);
    sc->pool->sched->remove_vcpu(sc->pool->sched, v);
    spin_unlock_irqrestore(&sc->lock, flags);
}

/** One of @p cpus (not none), in turn: new vCPUs spread out. */
static unsigned int pick_cpu_in(unsigned long cpus)
{
    static unsigned int next;
    unsigned int cpu;

    ASSERT(cpus);
    do
        cpu = __atomic_fetch_add(&next, 1, __ATOMIC_SEQ_CST) % NR_CPUS;
    while (!(cpus & (1UL << cpu)));
    return cpu;
}

/**
 * The CPUs of pool @p c that vCPU @p v may use. If its affinity leaves it
 * none, it is reset to every CPU, as Xen does, with a warning.
 */
static unsigned long cpus_for(struct vcpu *v, const struct cpupool *c)
{
    unsigned long cpus =
        __atomic_load_n(&c->cpus, __ATOMIC_SEQ_CST) & cpu_online_mask();

    if (!(cpus & v->cpu_hard_affinity)) {
        printk(LOG_WARNING "d%uv%u: no CPU of pool %u in its affinity: "
                           "reset to all\n",
               v->domain->domain_id, v->vcpu_id, c->id);
        v->cpu_hard_affinity = ~0UL;
    }
    return cpus & v->cpu_hard_affinity;
}

unsigned int sched_pick_cpu(struct vcpu *v)
{
    return pick_cpu_in(cpus_for(v, v->domain->cpupool));
}

void vcpu_wake(struct vcpu *v)
{
    unsigned long flags;
    struct sched_cpu *sc = vcpu_lock(v, &flags);

    if (vcpu_runnable(v) && !v->is_running) {
        if (v->runstate.state != RUNSTATE_runnable)
            vcpu_runstate_change(v, RUNSTATE_runnable, NOW());
        sc->pool->sched->wake(sc->pool->sched, v);
        sched_poke_cpu(v->processor);
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
    unsigned long flags;
    struct sched_cpu *sc = vcpu_lock(v, &flags);

    if (!vcpu_runnable(v)) {
        sc->pool->sched->sleep(sc->pool->sched, v);
        if (v->is_running)
            sched_poke_cpu(v->processor);
    }
    spin_unlock_irqrestore(&sc->lock, flags);
}

bool vcpu_pause_sync(struct vcpu *v)
{
    ASSERT(v != current);
    if (!vcpu_hold(v))
        return false;
    vcpu_sleep_nosync(v);
    while (__atomic_load_n(&v->is_running, __ATOMIC_SEQ_CST))
        cpu_relax(); /* its CPU switches away at its next softirq */
    return true;
}

void vcpu_unpause(struct vcpu *v)
{
    if (__atomic_sub_fetch(&v->pause_count, 1, __ATOMIC_SEQ_CST))
        return;
    vcpu_wake(v);
    /* Its domain may have died while we held it: it goes now. */
    domain_destroy_if_idle(v->domain);
}

void sched_move_vcpu(struct vcpu *v, unsigned int cpu)
{
    unsigned long flags;
    struct sched_cpu *sc = vcpu_lock(v, &flags);

    ASSERT(v->pause_count);
    sched_set_processor(v, cpu);
    spin_unlock_irqrestore(&sc->lock, flags);
}

int sched_move_domain(struct domain *d, struct cpupool *c)
{
    void *old_priv[MAX_VIRT_CPUS], *new_priv[MAX_VIRT_CPUS];
    const struct scheduler *to = c->sched;
    unsigned int i, n;
    unsigned long flags;
    struct sched_cpu *sc;
    struct vcpu *v;
    int rc = 0;

    /* First every vCPU gets the new policy's data, under its CPU's lock,
     * so that no hook of the old policy sees it; on failure nothing has
     * changed. */
    for (n = 0; n < d->max_vcpus; n++) {
        v = d->vcpu[n];
        sc = vcpu_lock(v, &flags);
        old_priv[n] = v->sched_priv;
        rc = to->insert_vcpu(to, v);
        new_priv[n] = v->sched_priv;
        v->sched_priv = old_priv[n];
        spin_unlock_irqrestore(&sc->lock, flags);
        if (rc)
            break;
    }
    for (i = 0; i < n; i++) {
        v = d->vcpu[i];
        sc = vcpu_lock(v, &flags);
        if (rc) { /* undo: the new data goes */
            v->sched_priv = new_priv[i];
            to->remove_vcpu(to, v);
            v->sched_priv = old_priv[i];
        } else { /* switch: the old data goes, it moves to a CPU of c */
            sc->pool->sched->remove_vcpu(sc->pool->sched, v);
            v->sched_priv = new_priv[i];
            sched_set_processor(v, pick_cpu_in(cpus_for(v, c)));
        }
        spin_unlock_irqrestore(&sc->lock, flags);
    }
    if (!rc)
        d->cpupool = c;
    return rc;
}

int sched_assign_cpu(unsigned int cpu, struct cpupool *c)
{
    struct sched_cpu *sc = &sched_cpus[cpu];
    unsigned long flags = spin_lock_irqsave(&sc->lock);
    int rc = c->sched->init_cpu(c->sched, cpu);

    if (!rc)
        sc->pool = c;
    spin_unlock_irqrestore(&sc->lock, flags);
    return rc;
}

void sched_deinit_cpu(unsigned int cpu)
{
    struct sched_cpu *sc = &sched_cpus[cpu];
    unsigned long flags = spin_lock_irqsave(&sc->lock);

    if (sc->pool->sched->deinit_cpu)
        sc->pool->sched->deinit_cpu(sc->pool->sched, cpu);
    spin_unlock_irqrestore(&sc->lock, flags);
}

void sched_free_cpu(unsigned int cpu)
{
    struct sched_cpu *sc = &sched_cpus[cpu];
    unsigned long flags = spin_lock_irqsave(&sc->lock);

    sc->pool = NULL;
    spin_unlock_irqrestore(&sc->lock, flags);
    sched_poke_cpu(cpu); /* it runs idle from its next choice on */
}

void vcpu_yield(void)
{
    struct sched_cpu *sc = &sched_cpus[smp_processor_id()];
    /* A guest's hypercall: curr is its vCPU, and this CPU's pool cannot
     * change while curr runs (a CPU leaves its pool once none of the
     * pool's vCPUs runs on it). */
    const struct scheduler *ops = sc->pool->sched;
    unsigned long flags;

    if (ops->yield) {
        flags = spin_lock_irqsave(&sc->lock);
        ops->yield(ops, sc->curr);
        spin_unlock_irqrestore(&sc->lock, flags);
    }
    raise_softirq(SCHEDULE_SOFTIRQ);
}

int sched_adjust(struct domain *d, struct sched_params *p, bool set)
{
    const struct scheduler *ops = d->cpupool->sched;

    return ops->adjust ? ops->adjust(ops, d, p, set) : -ENOSYS;
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
    unsigned long flags;
    struct sched_cpu *sc = vcpu_lock(prev, &flags);

    __atomic_store_n(&prev->is_running, false, __ATOMIC_SEQ_CST);
    /* Runnable: it was preempted, or woken while we switched away from
     * it (vcpu_wake() left it to us, as it was still running). Queue it;
     * and if the CPU has just gone idle, which it would not have done
     * with it queued, choose again. */
    if (vcpu_runnable(prev) && !is_idle_vcpu(prev)) {
        sc->pool->sched->wake(sc->pool->sched, prev);
        if (is_idle_vcpu(sc->curr))
            sched_poke_cpu(prev->processor);
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
    struct sched_decision dec = { sc->idle, -1 }; /* a free CPU's */

    if (sc->pool)
        dec = sc->pool->sched->do_schedule(
            sc->pool->sched, smp_processor_id(), prev,
            !is_idle_vcpu(prev) && vcpu_runnable(prev), now);
    /* One timer operation per choice: set_timer() moves an armed one. */
    if (dec.slice >= 0)
        set_timer(&sc->slice, now + dec.slice);
    else
        stop_timer(&sc->slice);
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
    for (cpu = 0; cpu < NR_CPUS; cpu++) {
        struct sched_cpu *sc = &sched_cpus[cpu];
        unsigned long flags;

        if (!sc->idle)
            continue;
        flags = spin_lock_irqsave(&sc->lock);
        if (!sc->pool)
            printk("CPU %u: free\n", cpu);
        else if (is_idle_vcpu(sc->curr))
            printk("CPU %u (pool %u, %s): idle\n", cpu, sc->pool->id,
                   sc->pool->sched->opt_name);
        else
            printk("CPU %u (pool %u, %s): running d%uv%u\n", cpu, sc->pool->id,
                   sc->pool->sched->opt_name, sc->curr->domain->domain_id,
                   sc->curr->vcpu_id);
        if (sc->pool)
            sc->pool->sched->dump_cpu(sc->pool->sched, cpu);
        spin_unlock_irqrestore(&sc->lock, flags);
    }
}
KEYHANDLER('r', dump_runqueues, "show the scheduler's run queues");

/** Set CPU @p cpu up, free: its lock, its idle vCPU (running now), its
 *  timer. */
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
}

/** Make @p ops a new instance of @p policy. @return 0 or -ENOMEM */
static int sched_init_instance(struct scheduler *ops,
                               const struct scheduler *policy)
{
    *ops = *policy;
    ops->sched_data = NULL;
    return ops->init ? ops->init(ops) : 0;
}

struct scheduler *sched_alloc(const struct scheduler *policy)
{
    struct scheduler *ops = xmalloc(struct scheduler);

    if (ops && sched_init_instance(ops, policy)) {
        xfree(ops);
        ops = NULL;
    }
    return ops;
}

void sched_free(struct scheduler *ops)
{
    if (ops->deinit)
        ops->deinit(ops);
    xfree(ops);
}

const struct scheduler *sched_by_id(unsigned int sched_id)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(schedulers); i++)
        if (schedulers[i]->sched_id == sched_id)
            return schedulers[i];
    return NULL;
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
    /* Static: rr, the default, then needs no allocator (labs 1 and 2
     * build theirs). */
    static struct scheduler pool0_ops;
    struct scheduler *ops = &pool0_ops;
    unsigned int cpu;

    if (sched_init_instance(ops, chosen_scheduler()))
        panic("no memory for the scheduler");
    idle_domain = &idle_dom;
    for (cpu = 0; cpu < NR_CPUS; cpu++)
        if (cpu_online_mask() & (1UL << cpu))
            init_cpu(cpu, &idle_vcpus[cpu]);
    open_softirq(SCHEDULE_SOFTIRQ, schedule);
    cpupool0_init(ops, cpu_online_mask());
    printk("Scheduler: %s (%s), in pool 0\n", ops->name, ops->opt_name);
}
