/**
 * @file
 * @brief CPU pools: sets of CPUs, each shared among its domains by a
 *        policy of its own, and the sysctl that makes and changes them
 *        (public/sysctl.h).
 *
 * Lab 7 (labs/07-scheduling/README.md); design page docs/scheduling.md
 * (section "CPU pools"). Xen's cpupools, smaller: pool 0 has every CPU
 * from boot, with the `sched=` policy, and every domain starts in it.
 * Dom0 can create pools, take CPUs out of one (they are then free: they
 * run nothing) and give them to another, and move domains between pools,
 * all while the guests run. That is how Xen changes the policy under
 * running guests: a new pool with the new policy, CPUs and domains moved
 * to it.
 *
 * A pool operation stops only the vCPUs it moves, one domain (moving a
 * domain) or one vCPU (freeing a CPU) at a time, and waits until no CPU
 * runs them (vcpu_pause_sync()). Changing a vCPU's affinity (domctl) may
 * move it too, so it is one of them. Operations run one at a time: another
 * meanwhile gets -EAGAIN, as the caller may itself be one of the vCPUs the
 * first waits for. The pool list is changed only by them, and read by
 * them only; the scheduler core reaches a pool through its CPUs and
 * domains.
 */
#include <hospes/domain.h>
#include <hospes/errno.h>
#include <hospes/guest_access.h>
#include <hospes/hypercall.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <hospes/sched.h>
#include <hospes/smp.h>
#include <hospes/xmalloc.h>
#include <public/sysctl.h>

/** Pool 0. */
static struct cpupool pool0;

/** Every pool, by id. */
static struct cpupool *pools = &pool0;

/** A pool operation is under way (they run one at a time). */
static bool busy;

void cpupool0_init(struct scheduler *sched, unsigned long cpus)
{
    unsigned int cpu;

    pool0.sched = sched;
    for (cpu = 0; cpu < NR_CPUS; cpu++)
        if (cpus & (1UL << cpu)) {
            if (sched_assign_cpu(cpu, &pool0))
                panic("no memory for CPU %u's run queue", cpu);
            pool0.cpus |= 1UL << cpu;
        }
}

void cpupool_add_domain(struct domain *d)
{
    d->cpupool = &pool0;
    __atomic_add_fetch(&pool0.n_dom, 1, __ATOMIC_SEQ_CST);
}

void cpupool_rm_domain(struct domain *d)
{
    __atomic_sub_fetch(&d->cpupool->n_dom, 1, __ATOMIC_SEQ_CST);
}

/** The pool with id @p id, or NULL. */
static struct cpupool *find_pool(unsigned int id)
{
    struct cpupool *c;

    for (c = pools; c && c->id != id; c = c->next)
        ;
    return c;
}

/** The online CPUs in no pool. */
static unsigned long free_cpus(void)
{
    unsigned long used = 0;
    const struct cpupool *c;

    for (c = pools; c; c = c->next)
        used |= c->cpus;
    return cpu_online_mask() & ~used;
}

/** CREATE: a new empty pool with policy op->sched_id. */
static long pool_create(struct hospes_sysctl_cpupool_op *op)
{
    const struct scheduler *policy = sched_by_id(op->sched_id);
    struct cpupool *c, **pp;
    unsigned int id = op->cpupool_id;

    if (!policy)
        return -EINVAL;
    if (id == HOSPES_CPUPOOL_PAR_ANY)
        for (id = 1; find_pool(id); id++)
            ;
    if (find_pool(id))
        return -EEXIST;
    c = xzalloc(struct cpupool);
    if (c)
        c->sched = sched_alloc(policy); /* its own instance */
    if (!c || !c->sched) {
        xfree(c);
        return -ENOMEM;
    }
    c->id = id;
    for (pp = &pools; *pp && (*pp)->id < id; pp = &(*pp)->next)
        ;
    c->next = *pp;
    *pp = c;
    op->cpupool_id = id;
    printk("Pool %u created, with the %s policy\n", id, policy->opt_name);
    return 0;
}

/** DESTROY: pool op->cpupool_id, empty. */
static long pool_destroy(const struct hospes_sysctl_cpupool_op *op)
{
    struct cpupool *c = find_pool(op->cpupool_id), **pp;

    if (!c)
        return -ENOENT;
    if (c == &pool0 || c->cpus || c->n_dom)
        return -EBUSY;
    for (pp = &pools; *pp != c; pp = &(*pp)->next)
        ;
    *pp = c->next;
    sched_free(c->sched);
    xfree(c);
    printk("Pool %u destroyed\n", op->cpupool_id);
    return 0;
}

/** INFO: the first pool with id op->cpupool_id or more. */
static long pool_info(struct hospes_sysctl_cpupool_op *op)
{
    const struct cpupool *c;

    for (c = pools; c && c->id < op->cpupool_id; c = c->next)
        ;
    if (!c)
        return -ENOENT;
    op->cpupool_id = c->id;
    op->sched_id = c->sched->sched_id;
    op->n_dom = c->n_dom;
    op->cpumap = c->cpus;
    return 0;
}

/** ADDCPU: give free CPU op->cpu (or any) to pool op->cpupool_id. */
static long pool_addcpu(struct hospes_sysctl_cpupool_op *op)
{
    struct cpupool *c = find_pool(op->cpupool_id);
    unsigned long free = free_cpus();
    unsigned int cpu = op->cpu;
    long rc;

    if (!c)
        return -ENOENT;
    if (cpu == HOSPES_CPUPOOL_PAR_ANY) {
        if (!free)
            return -ENODEV;
        cpu = __builtin_ctzl(free);
    }
    if (cpu >= NR_CPUS || !(cpu_online_mask() & (1UL << cpu)))
        return -EINVAL;
    if (!(free & (1UL << cpu)))
        return -EBUSY;
    rc = sched_assign_cpu(cpu, c);
    if (rc)
        return rc;
    __atomic_or_fetch(&c->cpus, 1UL << cpu, __ATOMIC_SEQ_CST);
    op->cpu = cpu;
    printk("CPU %u added to pool %u\n", cpu, c->id);
    return 0;
}

/** Move every vCPU of domain @p d that is on CPU @p cpu to another CPU
 *  of its pool. */
static void evacuate_domain(struct domain *d, unsigned int cpu)
{
    unsigned int i;

    for (i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpu[i];

        /* A domain destroyed meanwhile has nothing left to move. */
        if (v->processor != cpu || !vcpu_pause_sync(v))
            continue;
        sched_move_vcpu(v, sched_pick_cpu(v));
        vcpu_unpause(v);
    }
}

/** RMCPU: CPU op->cpu leaves pool op->cpupool_id, its vCPUs moved. */
static long pool_rmcpu(const struct hospes_sysctl_cpupool_op *op)
{
    struct cpupool *c = find_pool(op->cpupool_id);
    unsigned int cpu = op->cpu;
    struct domain *d;
    domid_t next;

    if (!c)
        return -ENOENT;
    if (cpu >= NR_CPUS || !(c->cpus & (1UL << cpu)))
        return -EINVAL;
    if ((c->cpus == 1UL << cpu && c->n_dom) || current->processor == cpu)
        return -EBUSY; /* no CPU left for them; we cannot move ourselves */
    /* From now on no vCPU is placed on it, nor stolen by it. */
    __atomic_and_fetch(&c->cpus, ~(1UL << cpu), __ATOMIC_SEQ_CST);
    sched_deinit_cpu(cpu);
    for (d = get_domain_from(0); d; d = get_domain_from(next)) {
        if (d->cpupool == c)
            evacuate_domain(d, cpu);
        next = d->domain_id + 1;
        put_domain(d);
    }
    sched_free_cpu(cpu);
    printk("CPU %u removed from pool %u\n", cpu, c->id);
    return 0;
}

/** MOVEDOMAIN: domain op->domid, with its vCPUs, to pool op->cpupool_id. */
static long pool_movedomain(const struct hospes_sysctl_cpupool_op *op)
{
    struct cpupool *c = find_pool(op->cpupool_id), *from;
    struct domain *d;
    unsigned int i;
    long rc = 0;

    if (!c)
        return -ENOENT;
    d = get_domain_by_id(op->domid);
    if (!d || d->is_dying)
        rc = -ESRCH;
    else if (d == current->domain)
        rc = -EBUSY; /* its running vCPU cannot be stopped */
    else if (!c->cpus)
        rc = -EINVAL;
    if (rc || d->cpupool == c) {
        if (d)
            put_domain(d);
        return rc;
    }
    from = d->cpupool;
    for (i = 0; i < d->max_vcpus; i++)
        if (!vcpu_pause_sync(d->vcpu[i])) {
            rc = -ESRCH; /* destroyed meanwhile */
            break;
        }
    rc = rc ?: sched_move_domain(d, c);
    if (!rc) {
        __atomic_sub_fetch(&from->n_dom, 1, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(&c->n_dom, 1, __ATOMIC_SEQ_CST);
        printk("Domain %u moved from pool %u to pool %u\n", d->domain_id,
               from->id, c->id);
    }
    while (i--) /* the held ones; the last may destroy a dying d */
        vcpu_unpause(d->vcpu[i]);
    put_domain(d);
    return rc;
}

/** Begin an operation. @return 0, or -EAGAIN if one is under way */
static int op_begin(void)
{
    return __atomic_exchange_n(&busy, true, __ATOMIC_SEQ_CST) ? -EAGAIN : 0;
}

/** End the operation op_begin() began. */
static void op_end(void)
{
    __atomic_store_n(&busy, false, __ATOMIC_SEQ_CST);
}

int cpupool_set_affinity(struct vcpu *v, unsigned long cpus)
{
    int rc = op_begin();

    if (rc)
        return rc;
    if (!(cpus & v->domain->cpupool->cpus & cpu_online_mask()))
        rc = -EINVAL; /* it could run nowhere */
    else if (v == current && !(cpus & (1UL << v->processor)))
        rc = -EBUSY; /* it would have to move while it runs */
    if (!rc) {
        __atomic_store_n(&v->cpu_hard_affinity, cpus, __ATOMIC_SEQ_CST);
        if (!(cpus & (1UL << v->processor))) {
            if (vcpu_pause_sync(v)) {
                sched_move_vcpu(v, sched_pick_cpu(v));
                vcpu_unpause(v);
            } else {
                rc = -ESRCH; /* its domain is gone */
            }
        }
    }
    op_end();
    return rc;
}

/** HOSPES_SYSCTL_cpupool_op: one operation on the pools. */
static long cpupool_op(struct hospes_sysctl_cpupool_op *op)
{
    long rc = op_begin();

    if (rc)
        return rc;
    switch (op->op) {
    case HOSPES_SYSCTL_CPUPOOL_OP_CREATE:
        rc = pool_create(op);
        break;
    case HOSPES_SYSCTL_CPUPOOL_OP_DESTROY:
        rc = pool_destroy(op);
        break;
    case HOSPES_SYSCTL_CPUPOOL_OP_INFO:
        rc = pool_info(op);
        break;
    case HOSPES_SYSCTL_CPUPOOL_OP_ADDCPU:
        rc = pool_addcpu(op);
        break;
    case HOSPES_SYSCTL_CPUPOOL_OP_RMCPU:
        rc = pool_rmcpu(op);
        break;
    case HOSPES_SYSCTL_CPUPOOL_OP_MOVEDOMAIN:
        rc = pool_movedomain(op);
        break;
    case HOSPES_SYSCTL_CPUPOOL_OP_FREEINFO:
        op->cpumap = free_cpus();
        rc = 0;
        break;
    default:
        rc = -ENOSYS;
    }
    op_end();
    return rc;
}

long do_sysctl(guest_va_t arg)
{
    struct hospes_sysctl op;
    long rc;

    if (!current->domain->is_privileged)
        return -EPERM;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != HOSPES_SYSCTL_INTERFACE_VERSION)
        return -EACCES;
    switch (op.cmd) {
    case HOSPES_SYSCTL_cpupool_op:
        rc = cpupool_op(&op.u.cpupool_op);
        break;
    default:
        rc = -ENOSYS;
    }
    if (!rc && copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}
