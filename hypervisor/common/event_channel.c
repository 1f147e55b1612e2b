/**
 * @file
 * @brief Event channels: the event_channel_op hypercall and the ports it
 *        manages (see hospes/event.h for the model and the locking).
 *
 * Lab 6, exercise 3 (labs/06-events-and-time/README.md): evtchn_send().
 * Design page: docs/events.md. The ABI and the idea are Xen's
 * (xen/common/event_channel.c), without its per-channel locks.
 *
 * A domain's ports live in buckets of EVTCHNS_PER_BUCKET, allocated as it
 * asks for ports, up to the 4096 the 2-level bitmaps can name. Port 0 is
 * reserved, so a port number of 0 always means "none".
 */
#include <hospes/errno.h>
#include <hospes/event.h>
#include <hospes/guest_access.h>
#include <hospes/hypercall.h>
#include <hospes/keyhandler.h>
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <hospes/xmalloc.h>

/** Is port @p p one of @p d's (its bucket exists)? */
static bool port_is_valid(const struct domain *d, evtchn_port_t p)
{
    return p < d->valid_evtchns;
}

/** Port @p p of @p d, which port_is_valid(). */
static struct evtchn *evtchn_from_port(const struct domain *d, evtchn_port_t p)
{
    return &d->evtchn[p / EVTCHNS_PER_BUCKET][p % EVTCHNS_PER_BUCKET];
}

/** Is virtual IRQ @p virq one per domain rather than one per vCPU? */
static bool virq_is_global(unsigned int virq)
{
    return virq != VIRQ_TIMER && virq != VIRQ_DEBUG;
}

/**
 * The vCPU whose virq_to_evtchn[] holds @p chn (an ECS_VIRQ port of
 * @p d): a global VIRQ's is vCPU 0's, wherever bind_vcpu sends it.
 */
static struct vcpu *virq_owner(const struct domain *d, const struct evtchn *chn)
{
    return d->vcpu[virq_is_global(chn->virq) ? 0 : chn->notify_vcpu_id];
}

/** The vCPU port @p chn of @p d delivers to. */
static struct vcpu *notify_vcpu(const struct domain *d,
                                const struct evtchn *chn)
{
    return d->vcpu[chn->notify_vcpu_id];
}

/**
 * A free port of @p d, adding a bucket if all are taken; under its
 * event_lock. @return the port, or -ENOSPC (all 4096 taken), -ENOMEM,
 * -EINVAL (@p d is dying: its ports are going)
 */
static int get_free_port(struct domain *d)
{
    evtchn_port_t p;
    struct evtchn *bucket;

    if (d->is_dying)
        return -EINVAL;
    for (p = 0; p < d->valid_evtchns; p++)
        if (evtchn_from_port(d, p)->state == ECS_FREE)
            return p;
    if (d->valid_evtchns == EVTCHN_2L_NR_CHANNELS)
        return -ENOSPC;
    bucket = xzalloc_array(struct evtchn, EVTCHNS_PER_BUCKET);
    if (!bucket)
        return -ENOMEM;
    d->evtchn[d->valid_evtchns / EVTCHNS_PER_BUCKET] = bucket;
    d->valid_evtchns += EVTCHNS_PER_BUCKET;
    return p;
}

/** Take the event locks of @p a and @p b (which may be one domain). */
static unsigned long double_lock(struct domain *a, struct domain *b)
{
    unsigned long flags;

    if (a->domain_id > b->domain_id) {
        struct domain *t = a;

        a = b;
        b = t;
    }
    flags = spin_lock_irqsave(&a->event_lock);
    if (b != a)
        spin_lock(&b->event_lock);
    return flags;
}

/** Let go of double_lock()'s locks. */
static void double_unlock(struct domain *a, struct domain *b,
                          unsigned long flags)
{
    if (b != a)
        spin_unlock(&b->event_lock);
    spin_unlock_irqrestore(&a->event_lock, flags);
}

/**
 * The domain @p domid names for the current domain's request: itself
 * (DOMID_SELF or its own id), or, for dom0 only, any domain.
 * @return it, with a reference for put_domain(); or NULL with *@p rc =
 *         -ESRCH (no such domain) or -EPERM
 */
static struct domain *target_domain(domid_t domid, long *rc)
{
    struct domain *d = current->domain, *t;

    if (domid == DOMID_SELF)
        domid = d->domain_id;
    t = get_domain_by_id(domid);
    *rc = !t ? -ESRCH : t != d && !d->is_privileged ? -EPERM : 0;
    if (*rc && t)
        put_domain(t);
    return *rc ? NULL : t;
}

/** EVTCHNOP_alloc_unbound: a port of a.dom that a.remote_dom may bind. */
static long evtchn_alloc_unbound(struct evtchn_alloc_unbound *a)
{
    long rc = 0;
    struct domain *d = target_domain(a->dom, &rc);
    unsigned long flags;
    int port;

    if (!d)
        return rc;
    flags = spin_lock_irqsave(&d->event_lock);
    port = get_free_port(d);
    if (port >= 0) {
        struct evtchn *chn = evtchn_from_port(d, port);

        chn->state = ECS_UNBOUND;
        chn->remote_domid = a->remote_dom == DOMID_SELF
                                ? current->domain->domain_id
                                : a->remote_dom;
        a->port = port;
    }
    spin_unlock_irqrestore(&d->event_lock, flags);
    put_domain(d);
    return port < 0 ? port : 0;
}

/** Connect @p ld's @p lport and @p rd's @p rport; both locks held. */
static void connect(struct domain *ld, evtchn_port_t lport, struct domain *rd,
                    evtchn_port_t rport)
{
    struct evtchn *l = evtchn_from_port(ld, lport);
    struct evtchn *r = evtchn_from_port(rd, rport);

    l->state = r->state = ECS_INTERDOMAIN;
    l->remote_dom = rd;
    l->remote_port = rport;
    r->remote_dom = ld;
    r->remote_port = lport;
}

/**
 * EVTCHNOP_bind_interdomain: connect a new port of ours to b.remote_dom's
 * b.remote_port, which must be unbound and waiting for us.
 */
static long evtchn_bind_interdomain(struct evtchn_bind_interdomain *b)
{
    struct domain *ld = current->domain, *rd;
    const struct evtchn *r;
    unsigned long flags;
    int lport;

    rd = get_domain_by_id(b->remote_dom == DOMID_SELF ? ld->domain_id
                                                      : b->remote_dom);
    if (!rd)
        return -ESRCH;
    flags = double_lock(ld, rd);
    lport = get_free_port(ld); /* first, as in Xen: full is -ENOSPC */
    r = port_is_valid(rd, b->remote_port) ? evtchn_from_port(rd, b->remote_port)
                                          : NULL;
    if (lport >= 0 &&
        (!r || r->state != ECS_UNBOUND || r->remote_domid != ld->domain_id))
        lport = -EINVAL; /* the free port stays free */
    if (lport >= 0) {
        connect(ld, lport, rd, b->remote_port);
        b->local_port = lport;
        /* The remote end may have sent before we bound: as Xen does, let
         * our side look, in case it missed something. */
        evtchn_2l_set_pending(notify_vcpu(ld, evtchn_from_port(ld, lport)),
                              lport);
    }
    double_unlock(ld, rd, flags);
    put_domain(rd);
    return lport < 0 ? lport : 0;
}

/** The vCPU @p id of @p d, or NULL. */
static struct vcpu *vcpu_of(const struct domain *d, uint32_t id)
{
    return id < d->max_vcpus ? d->vcpu[id] : NULL;
}

/** EVTCHNOP_bind_virq: a port for b.virq, delivered to b.vcpu. */
static long evtchn_bind_virq(struct evtchn_bind_virq *b)
{
    struct domain *d = current->domain;
    struct vcpu *v = vcpu_of(d, b->vcpu);
    unsigned long flags;
    int port;

    if (b->virq >= NR_VIRQS || (virq_is_global(b->virq) && b->vcpu))
        return -EINVAL;
    if (!v)
        return -ENOENT;
    flags = spin_lock_irqsave(&d->event_lock);
    port = v->virq_to_evtchn[b->virq] ? -EEXIST : get_free_port(d);
    if (port >= 0) {
        struct evtchn *chn = evtchn_from_port(d, port);

        chn->state = ECS_VIRQ;
        chn->virq = b->virq;
        chn->notify_vcpu_id = b->vcpu;
        v->virq_to_evtchn[b->virq] = port;
        b->port = port;
    }
    spin_unlock_irqrestore(&d->event_lock, flags);
    return port < 0 ? port : 0;
}

/** EVTCHNOP_bind_ipi: a port that signals b.vcpu of this domain. */
static long evtchn_bind_ipi(struct evtchn_bind_ipi *b)
{
    struct domain *d = current->domain;
    unsigned long flags;
    int port;

    if (!vcpu_of(d, b->vcpu))
        return -ENOENT;
    flags = spin_lock_irqsave(&d->event_lock);
    port = get_free_port(d);
    if (port >= 0) {
        struct evtchn *chn = evtchn_from_port(d, port);

        chn->state = ECS_IPI;
        chn->notify_vcpu_id = b->vcpu;
        b->port = port;
    }
    spin_unlock_irqrestore(&d->event_lock, flags);
    return port < 0 ? port : 0;
}

/** Make port @p p of @p d free again; its lock held. */
static void free_port(struct domain *d, evtchn_port_t p)
{
    struct evtchn *chn = evtchn_from_port(d, p);

    evtchn_2l_clear_pending(d, p); /* a later binding starts clean */
    memset(chn, 0, sizeof(*chn));
}

/**
 * Close interdomain port @p p of @p d, bound to @p rd, if it still is:
 * the other end becomes unbound again, waiting for @p d.
 * @return whether it was still bound to @p rd
 */
static bool close_interdomain(struct domain *d, evtchn_port_t p,
                              struct domain *rd)
{
    unsigned long flags = double_lock(d, rd);
    struct evtchn *chn = evtchn_from_port(d, p), *r;
    bool bound = chn->state == ECS_INTERDOMAIN && chn->remote_dom == rd;

    if (bound) {
        r = evtchn_from_port(rd, chn->remote_port);
        r->state = ECS_UNBOUND;
        r->remote_domid = d->domain_id;
        r->remote_dom = NULL;
        free_port(d, p);
    }
    double_unlock(d, rd, flags);
    return bound;
}

/**
 * Close port @p p of @p d. Takes the locks it needs: an interdomain port
 * needs both domains' in order, so it lets go of @p d's and takes both,
 * and tries again if the port changed meanwhile (its other end closed).
 * @return 0, or -EINVAL if @p p is no open port
 */
static long close_port(struct domain *d, evtchn_port_t p)
{
    for (;;) {
        unsigned long flags = spin_lock_irqsave(&d->event_lock);
        struct evtchn *chn =
            port_is_valid(d, p) ? evtchn_from_port(d, p) : NULL;
        struct domain *rd;
        bool closed;

        if (!chn || chn->state == ECS_FREE || chn->state == ECS_RESERVED) {
            spin_unlock_irqrestore(&d->event_lock, flags);
            return -EINVAL;
        }
        if (chn->state != ECS_INTERDOMAIN) {
            if (chn->state == ECS_VIRQ)
                virq_owner(d, chn)->virq_to_evtchn[chn->virq] = 0;
            free_port(d, p);
            spin_unlock_irqrestore(&d->event_lock, flags);
            return 0;
        }
        /* While bound to us, rd cannot close its ports (that takes our
         * lock): its structure is there to take a reference to. */
        rd = chn->remote_dom;
        get_domain(rd);
        spin_unlock_irqrestore(&d->event_lock, flags);
        closed = close_interdomain(d, p, rd);
        put_domain(rd);
        if (closed)
            return 0;
    }
}

/**
 * Lab 6, exercise 3: send an event on port @p p of the current domain
 * (evtchn_send()).
 *
 * Under the domain's event_lock: a port that is not valid (port_is_valid())
 * is -EINVAL. By its state: an interdomain port marks its other end
 * (remote_dom's remote_port) pending for the vCPU that end names
 * (notify_vcpu_id); an IPI port marks itself pending for its own
 * notify_vcpu_id; an unbound port drops the event silently (0, as in
 * Xen: nobody is there yet); anything else (free, reserved, a VIRQ,
 * which only the hypervisor raises) is -EINVAL. Marking pending is
 * evtchn_2l_set_pending() (exercise 1).
 *
 * Why the remote end cannot vanish under you: closing an interdomain
 * channel takes both domains' locks, and you hold one of them.
 */
static long evtchn_send(evtchn_port_t p)
{
    // LAB 6 BEGIN exercise 3: evtchn_send()
    struct domain *d = current->domain, *rd;
    unsigned long flags = spin_lock_irqsave(&d->event_lock);
    const struct evtchn *chn, *r;
    long rc = 0;

    chn = port_is_valid(d, p) ? evtchn_from_port(d, p) : NULL;
    switch (chn ? chn->state : ECS_FREE) {
    case ECS_INTERDOMAIN:
        rd = chn->remote_dom;
        r = evtchn_from_port(rd, chn->remote_port);
        evtchn_2l_set_pending(notify_vcpu(rd, r), chn->remote_port);
        break;
    case ECS_IPI:
        evtchn_2l_set_pending(notify_vcpu(d, chn), p);
        break;
    case ECS_UNBOUND:
        break;
    default:
        rc = -EINVAL;
    }
    spin_unlock_irqrestore(&d->event_lock, flags);
    return rc;
    // LAB 6 STUB
    // lab_todo(6, 3, "evtchn_send()");
    // (void)p;
    // return -ENOSYS;
    // LAB 6 END
}

/** Describe port @p chn in @p s. */
static void fill_status(struct evtchn_status *s, const struct evtchn *chn)
{
    static const uint32_t status_of[] = {
        [ECS_FREE] = EVTCHNSTAT_closed,
        [ECS_RESERVED] = EVTCHNSTAT_closed,
        [ECS_UNBOUND] = EVTCHNSTAT_unbound,
        [ECS_INTERDOMAIN] = EVTCHNSTAT_interdomain,
        [ECS_VIRQ] = EVTCHNSTAT_virq,
        [ECS_IPI] = EVTCHNSTAT_ipi,
    };

    s->status = status_of[chn->state];
    s->vcpu = chn->notify_vcpu_id;
    memset(&s->u, 0, sizeof(s->u));
    if (chn->state == ECS_UNBOUND)
        s->u.unbound.dom = chn->remote_domid;
    else if (chn->state == ECS_INTERDOMAIN) {
        s->u.interdomain.dom = chn->remote_dom->domain_id;
        s->u.interdomain.port = chn->remote_port;
    } else if (chn->state == ECS_VIRQ)
        s->u.virq = chn->virq;
}

/** EVTCHNOP_status: what s.port of s.dom is. */
static long evtchn_status(struct evtchn_status *s)
{
    long rc = 0;
    struct domain *d = target_domain(s->dom, &rc);
    unsigned long flags;

    if (!d)
        return rc;
    flags = spin_lock_irqsave(&d->event_lock);
    if (port_is_valid(d, s->port))
        fill_status(s, evtchn_from_port(d, s->port));
    else
        rc = -EINVAL;
    spin_unlock_irqrestore(&d->event_lock, flags);
    put_domain(d);
    return rc;
}

/** EVTCHNOP_bind_vcpu: deliver b.port to b.vcpu from now on. */
static long evtchn_bind_vcpu(const struct evtchn_bind_vcpu *b)
{
    struct domain *d = current->domain;
    unsigned long flags;
    struct evtchn *chn;
    long rc = 0;

    if (!vcpu_of(d, b->vcpu))
        return -ENOENT;
    flags = spin_lock_irqsave(&d->event_lock);
    chn = port_is_valid(d, b->port) ? evtchn_from_port(d, b->port) : NULL;
    switch (chn ? chn->state : ECS_FREE) {
    case ECS_VIRQ:
        if (!virq_is_global(chn->virq)) {
            rc = -EINVAL; /* a per-vCPU VIRQ stays with its vCPU */
            break;
        }
        /* fall through */
    case ECS_UNBOUND:
    case ECS_INTERDOMAIN:
        chn->notify_vcpu_id = b->vcpu;
        break;
    default:
        rc = -EINVAL;
    }
    spin_unlock_irqrestore(&d->event_lock, flags);
    return rc;
}

/** EVTCHNOP_unmask: unmask @p p of the current domain. */
static long evtchn_unmask(evtchn_port_t p)
{
    struct domain *d = current->domain;
    unsigned long flags = spin_lock_irqsave(&d->event_lock);
    long rc = -EINVAL;

    if (port_is_valid(d, p)) {
        evtchn_2l_unmask(notify_vcpu(d, evtchn_from_port(d, p)), p);
        rc = 0;
    }
    spin_unlock_irqrestore(&d->event_lock, flags);
    return rc;
}

/** Close every open port of @p d (EVTCHNOP_reset, and teardown). */
static void close_all(struct domain *d)
{
    evtchn_port_t p;

    for (p = 1; p < d->valid_evtchns; p++)
        if (evtchn_from_port(d, p)->state != ECS_FREE)
            close_port(d, p);
}

/** EVTCHNOP_reset: close every port of r.dom. */
static long evtchn_reset(const struct evtchn_reset *r)
{
    long rc = 0;
    struct domain *d = target_domain(r->dom, &rc);

    if (d) {
        close_all(d);
        put_domain(d);
    }
    return rc;
}

/**
 * Run @p op on the argument of type @p type at guest address @p arg:
 * copy it in, and, if @p out (it has results) and the operation worked,
 * back out.
 */
#define EVTCHN_OP(type, op, arg, out)                                          \
    ({                                                                         \
        type a_;                                                               \
        long rc_ = copy_from_guest(&a_, arg, sizeof(a_)) ? -EFAULT : op(&a_);  \
        if (!rc_ && (out) && copy_to_guest(arg, &a_, sizeof(a_)))              \
            rc_ = -EFAULT;                                                     \
        rc_;                                                                   \
    })

/** EVTCHNOP_close, _send or _unmask (@p cmd) of the port at @p arg. */
static long port_cmd(unsigned int cmd, guest_va_t arg)
{
    struct evtchn_port_op a;

    if (copy_from_guest(&a, arg, sizeof(a)))
        return -EFAULT;
    switch (cmd) {
    case EVTCHNOP_close:
        return close_port(current->domain, a.port);
    case EVTCHNOP_send:
        return evtchn_send(a.port);
    default:
        return evtchn_unmask(a.port);
    }
}

long do_event_channel_op(unsigned long cmd, guest_va_t arg)
{
    switch ((unsigned int)cmd) {
    case EVTCHNOP_alloc_unbound:
        return EVTCHN_OP(struct evtchn_alloc_unbound, evtchn_alloc_unbound, arg,
                         true);
    case EVTCHNOP_bind_interdomain:
        return EVTCHN_OP(struct evtchn_bind_interdomain,
                         evtchn_bind_interdomain, arg, true);
    case EVTCHNOP_bind_virq:
        return EVTCHN_OP(struct evtchn_bind_virq, evtchn_bind_virq, arg, true);
    case EVTCHNOP_bind_ipi:
        return EVTCHN_OP(struct evtchn_bind_ipi, evtchn_bind_ipi, arg, true);
    case EVTCHNOP_status:
        return EVTCHN_OP(struct evtchn_status, evtchn_status, arg, true);
    case EVTCHNOP_bind_vcpu:
        return EVTCHN_OP(struct evtchn_bind_vcpu, evtchn_bind_vcpu, arg, false);
    case EVTCHNOP_reset:
        return EVTCHN_OP(struct evtchn_reset, evtchn_reset, arg, false);
    case EVTCHNOP_close:
    case EVTCHNOP_send:
    case EVTCHNOP_unmask:
        return port_cmd(cmd, arg);
    default: /* bind_pirq: no devices; init_control: no FIFO ABI */
        return -ENOSYS;
    }
}

void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
    struct domain *d = v->domain;
    unsigned long flags = spin_lock_irqsave(&d->event_lock);
    evtchn_port_t p = v->virq_to_evtchn[virq];

    if (p)
        evtchn_2l_set_pending(notify_vcpu(d, evtchn_from_port(d, p)), p);
    spin_unlock_irqrestore(&d->event_lock, flags);
}

void send_global_virq(unsigned int virq)
{
    struct domain *d = get_domain_by_id(0);

    if (!d)
        return;
    if (d->vcpu[0])
        send_guest_vcpu_virq(d->vcpu[0], virq);
    put_domain(d);
}

bool evtchn_port_is_pending(struct domain *d, evtchn_port_t port)
{
    return port_is_valid(d, port) && evtchn_2l_is_pending(d, port);
}

int evtchn_init(struct domain *d)
{
    unsigned long flags;
    int port;

    d->event_lock = (spinlock_t)SPIN_LOCK_UNLOCKED("event");
    flags = spin_lock_irqsave(&d->event_lock);
    port = get_free_port(d); /* port 0 */
    if (port >= 0)
        evtchn_from_port(d, port)->state = ECS_RESERVED;
    spin_unlock_irqrestore(&d->event_lock, flags);
    return port < 0 ? port : 0;
}

/** The ports of @p d, one line each (debug key 'e'). */
static void dump_domain_evtchns(struct domain *d)
{
    static const char *const names[] = {
        [ECS_FREE] = "free",       [ECS_RESERVED] = "reserved",
        [ECS_UNBOUND] = "unbound", [ECS_INTERDOMAIN] = "interdomain",
        [ECS_VIRQ] = "virq",       [ECS_IPI] = "ipi",
    };
    unsigned long flags = spin_lock_irqsave(&d->event_lock);
    evtchn_port_t p;

    printk("d%u: %u ports\n", d->domain_id, d->valid_evtchns);
    for (p = 1; p < d->valid_evtchns; p++) {
        const struct evtchn *chn = evtchn_from_port(d, p);
        char what[40] = "";

        if (chn->state == ECS_FREE)
            continue;
        if (chn->state == ECS_UNBOUND)
            snprintf(what, sizeof(what), " for d%u", chn->remote_domid);
        else if (chn->state == ECS_INTERDOMAIN)
            snprintf(what, sizeof(what), " to d%u port %u",
                     chn->remote_dom->domain_id, chn->remote_port);
        else if (chn->state == ECS_VIRQ)
            snprintf(what, sizeof(what), " %u", chn->virq);
        printk("  port %u: %s%s, vCPU %u, pending %d, masked %d\n", p,
               names[chn->state], what, chn->notify_vcpu_id,
               evtchn_2l_is_pending(d, p), evtchn_2l_is_masked(d, p));
    }
    spin_unlock_irqrestore(&d->event_lock, flags);
}

/** Debug key 'e': every domain's event channels. */
static void dump_evtchns(unsigned char key)
{
    (void)key;
    for_each_domain(dump_domain_evtchns);
}
KEYHANDLER('e', dump_evtchns, "show each domain's event channels");

void evtchn_destroy(struct domain *d)
{
    unsigned long flags;
    unsigned int b;

    close_all(d); /* is_dying is set: no port opens again */
    flags = spin_lock_irqsave(&d->event_lock);
    d->valid_evtchns = 0;
    for (b = 0; b < NR_EVTCHN_BUCKETS; b++) {
        xfree(d->evtchn[b]);
        d->evtchn[b] = NULL;
    }
    spin_unlock_irqrestore(&d->event_lock, flags);
}
