/**
 * @file
 * @brief A vCPU's time: its clock in vcpu_info, the wall clock, its
 *        timers (set_timer_op, vcpu_op), its runstate.
 *
 * Lab 6 (labs/06-events-and-time/README.md). Design page: docs/events.md
 * (section "Time"). The ABI is Xen's (do_set_timer_op(), do_vcpu_op()).
 *
 * A PV guest reads time without a hypercall: vcpu_info.time says what
 * system time was at some TSC value and how fast the TSC runs, so the
 * guest scales its own `rdtsc` (docs/events.md shows the formula). Hospes
 * keeps system time as one linear function of the TSC (arch/x86/time.c),
 * so those numbers never change; they are still rewritten whenever the
 * vCPU is switched in, under Xen's version protocol, so that a guest
 * written for Xen, which must expect changes, sees the protocol work.
 *
 * A timer the guest sets raises VIRQ_TIMER on its vCPU when it fires. The
 * timers live on the vCPU's CPU, and move with it (lab 7).
 */
#include <hospes/errno.h>
#include <hospes/event.h>
#include <hospes/guest_access.h>
#include <hospes/hypercall.h>
#include <hospes/lib.h>
#include <hospes/sched.h>
#include <hospes/vtime.h>

/** The shortest period Xen allows a periodic timer. */
#define MIN_PERIOD MILLISECS(1)

/** The singleshot timer fired. */
static void singleshot_fired(void *data)
{
    send_guest_vcpu_virq(data, VIRQ_TIMER);
}

/** The periodic timer fired: raise the VIRQ, and set it again. */
static void periodic_fired(void *data)
{
    struct vcpu *v = data;
    s_time_t next = v->periodic_timer.expires + v->periodic_period;

    send_guest_vcpu_virq(v, VIRQ_TIMER);
    if (next <= NOW()) /* we fell behind (a long hypercall): skip ahead */
        next = NOW() + v->periodic_period;
    set_timer(&v->periodic_timer, next);
}

/** SCHEDOP_poll's timeout (common/sched/core.c polls). */
static void poll_timed_out(void *data)
{
    sched_poll_timeout(data);
}

void vcpu_timers_init(struct vcpu *v)
{
    init_timer(&v->singleshot_timer, singleshot_fired, v, v->processor);
    init_timer(&v->periodic_timer, periodic_fired, v, v->processor);
    init_timer(&v->poll_timer, poll_timed_out, v, v->processor);
    v->runstate.state = RUNSTATE_offline;
}

void vcpu_timers_migrate(struct vcpu *v)
{
    migrate_timer(&v->singleshot_timer, v->processor);
    migrate_timer(&v->periodic_timer, v->processor);
    migrate_timer(&v->poll_timer, v->processor);
}

void vcpu_timers_destroy(struct vcpu *v)
{
    kill_timer(&v->singleshot_timer);
    kill_timer(&v->periodic_timer);
    kill_timer(&v->poll_timer);
}

void update_domain_wallclock_time(struct domain *d)
{
    struct shared_info *s = d->shared_info;
    uint64_t sec = arch_boot_wallclock_sec();

    __atomic_add_fetch(&s->wc_version, 1, __ATOMIC_SEQ_CST); /* odd */
    s->wc_sec = (uint32_t)sec;
    s->wc_sec_hi = (uint32_t)(sec >> 32);
    s->wc_nsec = 0;
    __atomic_add_fetch(&s->wc_version, 1, __ATOMIC_SEQ_CST); /* even */
}

void update_vcpu_system_time(struct vcpu *v)
{
    struct vcpu_time_info *t = &v->vcpu_info->time;

    __atomic_add_fetch(&t->version, 1, __ATOMIC_SEQ_CST); /* odd: busy */
    arch_vcpu_time_scale(t);
    __atomic_add_fetch(&t->version, 1, __ATOMIC_SEQ_CST); /* even: done */
}

void vcpu_runstate_change(struct vcpu *v, int state, s_time_t now)
{
    struct vcpu_runstate_info *r = &v->runstate;

    if (now > (s_time_t)r->state_entry_time)
        r->time[r->state] += now - r->state_entry_time;
    r->state = state;
    r->state_entry_time = now;
}

void vcpu_publish_runstate(struct vcpu *v)
{
    if (v->runstate_guest) /* a bad address is the guest's loss */
        copy_to_guest(v->runstate_guest, &v->runstate, sizeof(v->runstate));
}

long do_set_timer_op(unsigned long timeout)
{
    struct vcpu *v = current;

    if (!timeout)
        stop_timer(&v->singleshot_timer);
    else /* in the past: it fires at once */
        set_timer(&v->singleshot_timer, (s_time_t)timeout);
    return 0;
}

/** VCPUOP_set_singleshot_timer of the current vCPU. */
static long set_singleshot(struct vcpu *v, guest_va_t arg)
{
    struct vcpu_set_singleshot_timer s;

    if (copy_from_guest(&s, arg, sizeof(s)))
        return -EFAULT;
    if ((s.flags & VCPU_SSHOTTMR_future) && (s_time_t)s.timeout_abs_ns < NOW())
        return -ETIME;
    set_timer(&v->singleshot_timer, (s_time_t)s.timeout_abs_ns);
    return 0;
}

/** VCPUOP_set_periodic_timer of the current vCPU. */
static long set_periodic(struct vcpu *v, guest_va_t arg)
{
    struct vcpu_set_periodic_timer p;

    if (copy_from_guest(&p, arg, sizeof(p)))
        return -EFAULT;
    if ((s_time_t)p.period_ns < MIN_PERIOD)
        return -EINVAL;
    v->periodic_period = p.period_ns;
    set_timer(&v->periodic_timer, NOW() + v->periodic_period);
    return 0;
}

/** VCPUOP_get_runstate_info of @p v: up to now. */
static long get_runstate(struct vcpu *v, guest_va_t arg)
{
    struct vcpu_runstate_info r = v->runstate;

    r.time[r.state] += NOW() - r.state_entry_time;
    return copy_to_guest(arg, &r, sizeof(r)) ? -EFAULT : 0;
}

/** VCPUOP_register_runstate_memory_area of the current vCPU. */
static long register_runstate(struct vcpu *v, guest_va_t arg)
{
    struct vcpu_register_runstate_memory_area area;

    if (copy_from_guest(&area, arg, sizeof(area)))
        return -EFAULT;
    if (area.addr && !guest_range_ok(area.addr, sizeof(v->runstate)))
        return -EFAULT;
    v->runstate_guest = area.addr;
    vcpu_publish_runstate(v);
    return 0;
}

/** VCPUOP_up: let initialised @p v run. */
static long vcpu_up(struct vcpu *v)
{
    unsigned long flags;

    if (!v->is_initialised)
        return -EINVAL;
    flags = spin_lock_irqsave(&v->domain->vcpu_up_lock);
    if (__atomic_exchange_n(&v->is_down, false, __ATOMIC_SEQ_CST))
        vcpu_wake(v);
    spin_unlock_irqrestore(&v->domain->vcpu_up_lock, flags);
    return 0;
}

/**
 * VCPUOP_down: stop @p v, unless it is its domain's last vCPU up (a domain
 * with none could never come back). It stops at its next way out of the
 * hypervisor: downing oneself takes effect on return, and an up resumes it
 * there.
 */
static long vcpu_down(struct vcpu *v)
{
    struct domain *d = v->domain;
    unsigned long flags = spin_lock_irqsave(&d->vcpu_up_lock);
    unsigned int up = 0;
    struct vcpu *w;
    long rc = 0;

    for_each_vcpu (d, w)
        up += w != v && !w->is_down;
    if (!up)
        rc = -EINVAL;
    else if (!__atomic_exchange_n(&v->is_down, true, __ATOMIC_SEQ_CST))
        vcpu_sleep_nosync(v);
    spin_unlock_irqrestore(&d->vcpu_up_lock, flags);
    return rc;
}

long do_vcpu_op(unsigned long cmd, unsigned long vcpuid, guest_va_t arg)
{
    struct domain *d = current->domain;
    struct vcpu *v = vcpuid < d->max_vcpus ? d->vcpu[vcpuid] : NULL;

    if (!v)
        return -ENOENT;
    switch ((unsigned int)cmd) { /* any vCPU of the caller's domain */
    case VCPUOP_get_runstate_info:
        return get_runstate(v, arg);
    case VCPUOP_is_up:
        return !__atomic_load_n(&v->is_down, __ATOMIC_SEQ_CST);
    case VCPUOP_initialise:
        return arch_initialise_vcpu(v, arg);
    case VCPUOP_up:
        return vcpu_up(v);
    case VCPUOP_down:
        return vcpu_down(v);
    }
    if (v != current) /* the rest changes a vCPU's own timers */
        return -EINVAL;
    switch ((unsigned int)cmd) {
    case VCPUOP_set_singleshot_timer:
        return set_singleshot(v, arg);
    case VCPUOP_stop_singleshot_timer:
        stop_timer(&v->singleshot_timer);
        return 0;
    case VCPUOP_set_periodic_timer:
        return set_periodic(v, arg);
    case VCPUOP_stop_periodic_timer:
        v->periodic_period = 0;
        stop_timer(&v->periodic_timer);
        return 0;
    case VCPUOP_register_runstate_memory_area:
        return register_runstate(v, arg);
    case VCPUOP_register_vcpu_info:
        return arch_register_vcpu_info(v, arg);
    default:
        return -ENOSYS;
    }
}
