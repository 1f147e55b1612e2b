/*
 * fake_event.h: the world around the event-channel code of lab 6
 * (hypervisor/common/event_channel.c and event_2l.c), for its tests.
 *
 * The code looks domains up by id (get_domain_by_id(), for_each_domain()):
 * here they are the ones the test listed with fake_event_domains(). The
 * references it takes and drops (get_domain(), put_domain()) are counted
 * in each domain's refcnt, which the test sets to 1 (the domain list's):
 * dropping that one fails the test, as in the hypervisor it would free
 * the domain under the list, and fake_event_refs_held() says whether a
 * reference was kept that should not have been.
 *
 * The code hands delivery to the scheduler (vcpu_mark_events_pending(),
 * sched_check_pollers()): here each call is recorded, in order, so a test
 * checks which vCPU was told, for which port, and how many times.
 */
#ifndef UNIT_FAKE_EVENT_H
#define UNIT_FAKE_EVENT_H

#include <hospes/domain.h>

/**
 * From now on, the domains that exist are the @p n at @p doms (which the
 * test keeps): get_domain_by_id() finds them, for_each_domain() visits
 * them in that order.
 */
void fake_event_domains(struct domain *const *doms, unsigned int n);

/** Do references other than the list's remain on the listed domains? */
bool fake_event_refs_held(void);

/** One recorded call of the scheduler's delivery functions. */
struct fake_event_call {
    enum { FAKE_MARK, FAKE_POLL } what; /**< which function */
    const struct vcpu *v;               /**< FAKE_MARK: the vCPU told */
    const struct domain *d;             /**< FAKE_POLL: the domain... */
    evtchn_port_t port;                 /**< ...and its newly pending port */
};

/** The calls recorded since the last fake_event_clear(): @return how many */
unsigned int fake_event_calls(const struct fake_event_call **calls);

/** Forget the recorded calls. */
void fake_event_clear(void);

/** How many times vcpu_mark_events_pending(@p v) was called. */
unsigned int fake_marks(const struct vcpu *v);

/** How many times sched_check_pollers(@p d, @p port) was called. */
unsigned int fake_polls(const struct domain *d, evtchn_port_t port);

#endif /* UNIT_FAKE_EVENT_H */
