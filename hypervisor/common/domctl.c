/**
 * @file
 * @brief The domctl hypercall: dom0 controls other domains
 *        (public/domctl.h).
 *
 * Lab 7 (labs/07-scheduling/README.md) uses it to read and change a
 * domain's scheduling parameters while it runs; the toolstack (lab 9)
 * will add building, pausing and destroying domains. As in Xen, only the
 * privileged domain may call it, and the interface version must match.
 */
#include <hospes/domain.h>
#include <hospes/errno.h>
#include <hospes/guest_access.h>
#include <hospes/hypercall.h>
#include <hospes/sched.h>
#include <public/domctl.h>

/** HOSPES_DOMCTL_sched_get and _set of domain @p d. */
static long sched_op(struct domain *d, struct hospes_domctl *op, bool set)
{
    struct hospes_domctl_sched *s = &op->u.sched;
    struct sched_params p = {
        .weight = s->weight,
        .cap = s->cap,
        .period = (s_time_t)s->period_ns,
        .budget = (s_time_t)s->budget_ns,
    };
    long rc = sched_adjust(d, &p, set);

    if (!rc)
        *s =
            (struct hospes_domctl_sched){ p.weight, p.cap, p.period, p.budget };
    return rc;
}

/** HOSPES_DOMCTL_get_vcpu_affinity and _set of a vCPU of domain @p d. */
static long vcpu_affinity_op(struct domain *d, struct hospes_domctl *op,
                             bool set)
{
    struct hospes_domctl_vcpu_affinity *a = &op->u.vcpu_affinity;
    struct vcpu *v = a->vcpu < d->max_vcpus ? d->vcpu[a->vcpu] : NULL;
    long rc = 0;

    if (!v)
        return -ENOENT;
    if (d->is_dying)
        return -ESRCH;
    if (set)
        rc = cpupool_set_affinity(v, a->cpumap);
    a->cpumap = v->cpu_hard_affinity;
    return rc;
}

long do_domctl(guest_va_t arg)
{
    struct hospes_domctl op;
    struct domain *d;
    long rc;

    if (!current->domain->is_privileged)
        return -EPERM;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != HOSPES_DOMCTL_INTERFACE_VERSION)
        return -EACCES;
    d = get_domain_by_id(op.domain);
    if (!d)
        return -ESRCH;
    switch (op.cmd) {
    case HOSPES_DOMCTL_sched_get:
    case HOSPES_DOMCTL_sched_set:
        rc = sched_op(d, &op, op.cmd == HOSPES_DOMCTL_sched_set);
        break;
    case HOSPES_DOMCTL_get_vcpu_affinity:
    case HOSPES_DOMCTL_set_vcpu_affinity:
        rc =
            vcpu_affinity_op(d, &op, op.cmd == HOSPES_DOMCTL_set_vcpu_affinity);
        break;
    default:
        rc = -ENOSYS;
    }
    put_domain(d);
    if (!rc && copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}
