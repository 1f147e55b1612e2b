/*
 * fake_event.c: the domain list and the scheduler's delivery functions,
 * as the event-channel code sees them (see fake_event.h).
 */
#include "unit.h"

#include <hospes/event.h>
#include <hospes/sched.h>

#include "fake_event.h"

/** The domains that exist. */
static struct {
    struct domain *const *doms;
    unsigned int n;
} world;

/** The calls recorded; more than one hypercall makes. */
static struct {
    struct fake_event_call call[64];
    unsigned int n;
} recorded;

void fake_event_domains(struct domain *const *doms, unsigned int n)
{
    world.doms = doms;
    world.n = n;
}

bool fake_event_refs_held(void)
{
    unsigned int i;

    for (i = 0; i < world.n; i++)
        if (world.doms[i]->refcnt != 1)
            return true;
    return false;
}

struct domain *get_domain_by_id(domid_t id)
{
    unsigned int i;

    for (i = 0; i < world.n; i++)
        if (world.doms[i]->domain_id == id) {
            get_domain(world.doms[i]);
            return world.doms[i];
        }
    return NULL;
}

void get_domain(struct domain *d)
{
    unit_assert(d->refcnt, "get_domain(d%u) of a domain nobody holds",
                d->domain_id);
    d->refcnt++;
}

void put_domain(struct domain *d)
{
    unit_assert(d->refcnt > 1,
                "put_domain(d%u) drops the domain list's reference: more "
                "puts than gets",
                d->domain_id);
    d->refcnt--;
}

void for_each_domain(void (*fn)(struct domain *d))
{
    unsigned int i;

    for (i = 0; i < world.n; i++)
        fn(world.doms[i]);
}

static void record(struct fake_event_call call)
{
    unit_assert(recorded.n < ARRAY_SIZE(recorded.call),
                "more than %zu delivery calls without fake_event_clear()",
                ARRAY_SIZE(recorded.call));
    recorded.call[recorded.n++] = call;
}

void vcpu_mark_events_pending(struct vcpu *v)
{
    record((struct fake_event_call){ .what = FAKE_MARK, .v = v });
}

void sched_check_pollers(struct domain *d, evtchn_port_t port)
{
    record((struct fake_event_call){ .what = FAKE_POLL, .d = d, .port = port });
}

unsigned int fake_event_calls(const struct fake_event_call **calls)
{
    *calls = recorded.call;
    return recorded.n;
}

void fake_event_clear(void)
{
    recorded.n = 0;
}

unsigned int fake_marks(const struct vcpu *v)
{
    unsigned int i, n = 0;

    for (i = 0; i < recorded.n; i++)
        n += recorded.call[i].what == FAKE_MARK && recorded.call[i].v == v;
    return n;
}

unsigned int fake_polls(const struct domain *d, evtchn_port_t port)
{
    unsigned int i, n = 0;

    for (i = 0; i < recorded.n; i++)
        n += recorded.call[i].what == FAKE_POLL && recorded.call[i].d == d &&
             recorded.call[i].port == port;
    return n;
}
