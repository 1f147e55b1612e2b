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
    default:
        rc = -ENOSYS;
    }
    put_domain(d);
    if (!rc && copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}
