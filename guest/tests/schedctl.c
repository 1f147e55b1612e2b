/**
 * @file
 * @brief Lab 7 test guest: dom0 reads and changes another domain's
 *        scheduling parameters with domctl (public/domctl.h).
 *
 * As dom0 (`target=D`): reads domain D's weight and cap, sets weight 512
 * and cap 50, reads them back, and tries what must be refused: weight 0
 * and a cap above 100 % per vCPU (-EINVAL, nothing changes), a domain
 * that does not exist (-ESRCH), another interface version (-EACCES), an
 * unknown operation (-ENOSYS), an unreadable argument (-EFAULT). These
 * are credit's parameters: under rr every read is -ENOSYS, under rtds the
 * weight reads 0, and dom0 stops after the read. As any other
 * domain (`target=` absent): one read, which must be -EPERM. The two
 * meet on an event channel (dom0's port 1): the domU says "ready" once
 * it is bound, dom0 starts only then and says "done" at the end, so the
 * domU is there for all of dom0's calls.
 */
#include <public/domctl.h>
#include <public/errno.h>
#include <public/sched.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/test.h>

/** The domctl hypercall. */
static long domctl(struct hospes_domctl *op)
{
    return _hypercall1(__HYPERVISOR_domctl, op);
}

/**
 * HOSPES_DOMCTL_sched_@p cmd of domain @p dom with @p weight and @p cap;
 * *@p out (if given) receives what came back.
 */
static long sched(uint32_t cmd, domid_t dom, uint32_t weight, uint32_t cap,
                  struct hospes_domctl_sched *out)
{
    struct hospes_domctl op = {
        .cmd = cmd,
        .interface_version = HOSPES_DOMCTL_INTERFACE_VERSION,
        .domain = dom,
        .u.sched = { .weight = weight, .cap = cap },
    };
    long rc = domctl(&op);

    if (out)
        *out = op.u.sched;
    return rc;
}

/** dom0's part: read, set, read back, and the refusals. */
static void control(domid_t target)
{
    struct hospes_domctl_sched s;
    struct hospes_domctl op = { .cmd = HOSPES_DOMCTL_sched_get,
                                .interface_version = 99,
                                .domain = target };
    long rc = sched(HOSPES_DOMCTL_sched_get, target, 0, 0, &s);

    printf("schedctl: d%u: weight %u, cap %u (%ld)\n", target, s.weight, s.cap,
           rc);
    if (rc == -XEN_ENOSYS || (!rc && !s.weight))
        return; /* not the credit scheduler */
    CHECK_EQ(rc, 0);
    CHECK_EQ(sched(HOSPES_DOMCTL_sched_set, target, 512, 50, NULL), 0);
    CHECK_EQ(sched(HOSPES_DOMCTL_sched_get, target, 0, 0, &s), 0);
    printf("schedctl: set weight 512, cap 50: now weight %u, cap %u\n",
           s.weight, s.cap);
    CHECK_EQ(s.weight, 512);
    CHECK_EQ(s.cap, 50);
    printf("schedctl: refused: weight 0 %ld, cap 101 %ld, d42 %ld, "
           "version 99 %ld, operation 77 %ld, argument at NULL %ld\n",
           sched(HOSPES_DOMCTL_sched_set, target, 0, 0, NULL),
           sched(HOSPES_DOMCTL_sched_set, target, 256, 101, NULL),
           sched(HOSPES_DOMCTL_sched_get, 42, 0, 0, NULL), domctl(&op),
           sched(77, target, 0, 0, NULL), domctl(NULL));
    CHECK_EQ(sched(HOSPES_DOMCTL_sched_get, target, 0, 0, &s), 0);
    CHECK_EQ(s.weight, 512); /* the refusals changed nothing */
}

/** Events on the channel between the two: "ready", then "done". */
static volatile unsigned long events;

void test_main(const struct start_info *si)
{
    unsigned long target;
    long port;

    events_init(si);
    if (cmdline_get_ulong(si->cmd_line, "target", &target)) {
        port = evtchn_alloc_unbound((domid_t)target); /* port 1 */
        evtchn_set_handler(port, evtchn_count_event, (void *)&events);
        events_enable();
        events_wait(&events, 1); /* ready */
        control((domid_t)target);
        CHECK_EQ(evtchn_send(port), 0); /* done */
        return;
    }
    printf("schedctl: from an unprivileged domain: %ld\n",
           sched(HOSPES_DOMCTL_sched_get, 0, 0, 0, NULL));
    port = evtchn_bind_interdomain_retry(0, 1);
    if (port < 0)
        test_error("binding to dom0's port 1: %ld", port);
    evtchn_set_handler(port, evtchn_count_event, (void *)&events);
    events_enable(); /* the bind marked our end pending, as in Xen... */
    events = 0;      /* ...and dom0 waits for ready: nothing else came */
    CHECK_EQ(evtchn_send(port), 0);
    events_wait(&events, 1); /* done */
}
