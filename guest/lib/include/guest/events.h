/**
 * @file
 * @brief Event channels and time in a guest: shared_info mapped, an
 *        event callback that calls a handler per port, and system time
 *        read from vcpu_info.
 *
 * How it works (docs/events.md): the hypervisor marks a port pending in
 * shared_info's evtchn_pending bitmap, flags its word in the vCPU's
 * evtchn_pending_sel and sets evtchn_upcall_pending; if events are not
 * masked (evtchn_upcall_mask, the guest's interrupt flag), it enters the
 * event callback registered here, which walks the two levels of bits,
 * clears each pending bit and calls the port's handler. Events start
 * masked (as Xen starts every vCPU); events_enable() lets them in.
 *
 * Everything here is for vCPU 0: these guests have one vCPU until lab 7.
 */
#ifndef GUEST_EVENTS_H
#define GUEST_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include <public/event_channel.h>
#include <public/vcpu.h>
#include <public/xen.h>

/** The hypervisor's page shared with this domain, once events_init() ran. */
extern volatile struct shared_info *shared_info;

/** A port's handler: called in the event callback, events masked. */
typedef void (*evtchn_handler_t)(evtchn_port_t port, void *data);

/**
 * @brief Map shared_info (start_info.shared_info) over a page of the
 *        image and register the event callback; events stay masked.
 *        Ends the test with ERROR if the hypervisor refuses.
 */
void events_init(const struct start_info *si);

/** @brief Let events in (clear the mask); one that waits comes at once. */
void events_enable(void);

/** @brief Keep events out (set the mask). */
void events_disable(void);

/** @brief Call @p fn(@p port, @p data) for each event on @p port. */
void evtchn_set_handler(evtchn_port_t port, evtchn_handler_t fn, void *data);

/** @brief Mask @p port in shared_info: its events wait, pending. */
void evtchn_mask(evtchn_port_t port);

/**
 * @brief Unmask @p port with EVTCHNOP_unmask, which delivers an event
 *        that came while it was masked.
 * @return 0 or a negated XEN_E*.
 */
long evtchn_unmask(evtchn_port_t port);

/** @brief EVTCHNOP_send on @p port. @return 0 or a negated XEN_E*. */
long evtchn_send(evtchn_port_t port);

/** @brief EVTCHNOP_close of @p port. @return 0 or a negated XEN_E*. */
long evtchn_close(evtchn_port_t port);

/**
 * @brief EVTCHNOP_alloc_unbound: a new port of ours that domain @p remote
 *        may bind. @return the port, or a negated XEN_E*.
 */
long evtchn_alloc_unbound(domid_t remote);

/**
 * @brief EVTCHNOP_bind_interdomain to @p remote's port @p remote_port.
 * @return our new port, or a negated XEN_E*.
 */
long evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port);

/**
 * @brief EVTCHNOP_bind_virq of @p virq on vCPU 0.
 * @return the port, or a negated XEN_E*.
 */
long evtchn_bind_virq(uint32_t virq);

/** @brief EVTCHNOP_bind_ipi to vCPU 0. @return the port, or -XEN_E*. */
long evtchn_bind_ipi(void);

/**
 * @brief Sleep (SCHEDOP_block) until an event comes; it has been handled
 *        when this returns. Events are enabled afterwards, as
 *        SCHEDOP_block leaves them.
 */
void events_block(void);

/** @brief Events handled since events_init(), on all ports. */
extern volatile unsigned long events_handled;

/**
 * @brief System time in ns: vcpu_info's time, scaled from the TSC as
 *        Xen's ABI says (docs/events.md, "Time").
 */
uint64_t guest_now(void);

/** @brief The wall clock: seconds since 1970 (shared_info + guest_now()). */
uint64_t guest_wallclock(void);

#endif /* GUEST_EVENTS_H */
