/**
 * @file
 * @brief The 2-level event-channel bitmaps in shared_info: pending and
 *        masked bits per port, a selector word per vCPU.
 *
 * Lab 6 (labs/06-events-and-time/README.md). Design page: docs/events.md
 * (section "Two levels of bits"). The ABI is Xen's (xen/common/event_2l.c).
 *
 * shared_info holds two bitmaps of 4096 bits, evtchn_pending and
 * evtchn_mask, one bit per port. A vCPU's evtchn_pending_sel has a bit
 * per word of evtchn_pending that may hold work for it, and
 * evtchn_upcall_pending says "look at the selector". So the guest finds
 * its pending ports with two word scans instead of 4096 bit tests, and a
 * port sent a million times while masked is still one bit: nothing grows.
 *
 * The guest changes these bits too (it clears pending bits as it handles
 * them, and masks ports), so every change is an atomic operation.
 */
#include <hospes/event.h>
#include <hospes/lab.h>
#include <hospes/sched.h>

/** Bits in one word of the bitmaps. */
#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)

/** Set bit @p nr of @p map; @return whether it was set already. */
static bool test_and_set(xen_ulong_t *map, unsigned int nr)
{
    xen_ulong_t bit = 1UL << (nr % BITS_PER_WORD);

    return __atomic_fetch_or(&map[nr / BITS_PER_WORD], bit, __ATOMIC_SEQ_CST) &
           bit;
}

/** Is bit @p nr of @p map set? */
static bool test(const xen_ulong_t *map, unsigned int nr)
{
    return __atomic_load_n(&map[nr / BITS_PER_WORD], __ATOMIC_SEQ_CST) &
           (1UL << (nr % BITS_PER_WORD));
}

/** Clear bit @p nr of @p map; @return whether it was set. */
static bool test_and_clear(xen_ulong_t *map, unsigned int nr)
{
    xen_ulong_t bit = 1UL << (nr % BITS_PER_WORD);

    return __atomic_fetch_and(&map[nr / BITS_PER_WORD], ~bit,
                              __ATOMIC_SEQ_CST) &
           bit;
}

/*
 * Lab 6, exercise 1: mark a port pending (evtchn_2l_set_pending()).
 *
 * Set @p port's bit in shared_info's evtchn_pending; if it was set
 * already, the guest has not seen the last event yet: nothing more to do
 * (events are not counted). Otherwise, unless the port is masked
 * (evtchn_mask), set the bit of the port's word in @p v's
 * evtchn_pending_sel, and if that bit was clear, tell @p v
 * (vcpu_mark_events_pending()). Whatever the mask, a vCPU polling the
 * port must wake (sched_check_pollers()).
 */
void evtchn_2l_set_pending(struct vcpu *v, evtchn_port_t port)
{
    // LAB 6 BEGIN exercise 1: evtchn_2l_set_pending()
    struct shared_info *s = v->domain->shared_info;

    if (test_and_set(s->evtchn_pending, port))
        return;
    if (!test(s->evtchn_mask, port) &&
        !test_and_set(&v->vcpu_info->evtchn_pending_sel, port / BITS_PER_WORD))
        vcpu_mark_events_pending(v);
    sched_check_pollers(v->domain, port);
    // LAB 6 STUB
    // lab_todo(6, 1, "evtchn_2l_set_pending()");
    // (void)v;
    // (void)port;
    // (void)test_and_set;
    // LAB 6 END
}

void evtchn_2l_clear_pending(struct domain *d, evtchn_port_t port)
{
    test_and_clear(d->shared_info->evtchn_pending, port);
}

/*
 * Lab 6, exercise 2: unmask a port (evtchn_2l_unmask()).
 *
 * Clear @p port's bit in evtchn_mask. An event that came while it was
 * masked left only its pending bit (exercise 1): if the port was masked
 * and is pending, do now what set_pending() skipped: the selector bit of
 * its word in @p v's evtchn_pending_sel, and if that was clear,
 * vcpu_mark_events_pending(). So the event arrives, once. (A port that
 * was not masked had nothing held back: as in Xen, nothing to do.)
 */
void evtchn_2l_unmask(struct vcpu *v, evtchn_port_t port)
{
    // LAB 6 BEGIN exercise 2: evtchn_2l_unmask()
    struct shared_info *s = v->domain->shared_info;

    if (test_and_clear(s->evtchn_mask, port) && test(s->evtchn_pending, port) &&
        !test_and_set(&v->vcpu_info->evtchn_pending_sel, port / BITS_PER_WORD))
        vcpu_mark_events_pending(v);
    // LAB 6 STUB
    // lab_todo(6, 2, "evtchn_2l_unmask()");
    // /* Unmasked, but what waited is never delivered. */
    // test_and_clear(v->domain->shared_info->evtchn_mask, port);
    // LAB 6 END
}

bool evtchn_2l_is_pending(const struct domain *d, evtchn_port_t port)
{
    return test(d->shared_info->evtchn_pending, port);
}

bool evtchn_2l_is_masked(const struct domain *d, evtchn_port_t port)
{
    return test(d->shared_info->evtchn_mask, port);
}
