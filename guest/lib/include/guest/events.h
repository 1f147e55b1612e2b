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
 * Each vCPU has its own vcpu_info, which starts in shared_info
 * (shared_info->vcpu_info[n] for vCPU n); events_register_vcpu_info()
 * moves the calling vCPU's into a page of the guest's, and the runtime
 * follows.
 *
 * Per vCPU (lab 7, guest/smp.h): masking, the upcall, blocking and the
 * clock work on the vCPU that calls them; an event comes to the vCPU its
 * port is bound to (the one that bound it, until evtchn_bind_vcpu()).
 * The ports, their handlers and their bitmaps are the domain's.
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

/**
 * The event callback the hypervisor enters (entry.asm): registered for
 * vCPU 0 by events_init(), given to the others in their context.
 */
extern const char event_entry[];

/**
 * A port's handler: called in the event callback of the vCPU the port is
 * bound to, that vCPU's events masked.
 */
typedef void (*evtchn_handler_t)(evtchn_port_t port, void *data);

/**
 * @brief Map shared_info (start_info.shared_info) over a page of the
 *        image and register vCPU 0's event callback; events stay masked.
 *        Call it on vCPU 0, before starting other vCPUs. Ends the test
 *        with ERROR if the hypervisor refuses.
 */
void events_init(const struct start_info *si);

/**
 * @brief Let events in on the calling vCPU (clear its mask); one that
 *        waits comes at once.
 */
void events_enable(void);

/** @brief Keep events out of the calling vCPU (set its mask). */
void events_disable(void);

/**
 * @brief Move the calling vCPU's vcpu_info to @p where
 *        (VCPUOP_register_vcpu_info with the frame that maps it and the
 *        offset in it); on success the runtime's events and guest_now()
 *        use it on that vCPU from then on.
 *
 * @p where must stay mapped, writable, for good: a page of the image, or
 * a free frame mapped at an address of its own; the hypervisor holds the
 * frame as writable, so it can never become a page table. Once only (a
 * second time is -XEN_EINVAL). Needs pt_init(), to find the frame in the
 * page tables. Events are disabled across the call and enabled again
 * after if they were: the new copy flags every word, so the first upcall
 * looks at all of them.
 *
 * @return 0, -XEN_EFAULT if @p where is not mapped, or the hypercall's
 *         negated XEN_E* (-XEN_EINVAL: 64 bytes do not fit at that offset,
 *         or vcpu_info has moved already).
 */
long events_register_vcpu_info(volatile struct vcpu_info *where);

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
 * @brief EVTCHNOP_bind_virq of @p virq on the calling vCPU (VIRQ_TIMER:
 *        its own timer).
 * @return the port, or a negated XEN_E*.
 */
long evtchn_bind_virq(uint32_t virq);

/**
 * @brief EVTCHNOP_bind_ipi: a port whose events come to the calling
 *        vCPU; any vCPU of the domain may evtchn_send() on it.
 * @return the port, or a negated XEN_E*.
 */
long evtchn_bind_ipi(void);

/**
 * @brief EVTCHNOP_bind_vcpu: deliver @p port's events to vCPU @p vcpu
 *        from now on.
 * @return 0 or a negated XEN_E*.
 */
long evtchn_bind_vcpu(evtchn_port_t port, unsigned int vcpu);

/** Binding attempts of evtchn_bind_interdomain_retry(), a yield apart. */
#define EVTCHN_BIND_TRIES 1000

/**
 * @brief evtchn_bind_interdomain(), tried again (a yield apart, up to
 *        EVTCHN_BIND_TRIES times) while it answers -XEN_EINVAL: a domain
 *        booted with its peer may run before the peer has allocated
 *        @p remote_port.
 * @return our new port, or the last negated XEN_E*.
 */
long evtchn_bind_interdomain_retry(domid_t remote, evtchn_port_t remote_port);

/**
 * @brief EVTCHNOP_status of port @p port of domain @p dom (DOMID_SELF:
 *        ours; only dom0 may ask about another domain's).
 * @param st  receives the whole answer (the remote end, the VIRQ, the
 *            vCPU; zeros after an error), or NULL if the state is enough.
 * @return the port's state (EVTCHNSTAT_*, 0 and up), or a negated XEN_E*.
 */
long evtchn_status(domid_t dom, evtchn_port_t port, struct evtchn_status *st);

/** @brief Is @p port pending in shared_info (an event not handled yet)? */
bool evtchn_is_pending(evtchn_port_t port);

/** @brief Is @p port masked in shared_info? */
bool evtchn_is_masked(evtchn_port_t port);

/**
 * @brief SCHEDOP_poll on @p port: sleep until it is pending, masked or
 *        not (at once if it is already), until an event is to be
 *        delivered, or until system time @p timeout (0: none). Events
 *        stay enabled or disabled: if enabled, the upcall comes on the way
 *        back.
 * @return 0 or a negated XEN_E*.
 */
long evtchn_poll(evtchn_port_t port, uint64_t timeout);

/**
 * @brief A handler that counts: adds 1 to the `volatile unsigned long`
 *        @p counter points to (events_wait() sleeps on such a counter).
 */
void evtchn_count_event(evtchn_port_t port, void *counter);

/**
 * @brief Sleep (SCHEDOP_block, the calling vCPU) until *@p count is at
 *        least @p n: a counter that a handler of a port bound to this
 *        vCPU adds to (evtchn_count_event()).
 *
 * Race-free: events are disabled while it looks at *@p count, and
 * SCHEDOP_block enables them as it sleeps, in one step, returning at once
 * if one is waiting. An event handled between a look with events enabled
 * and the block would leave the vCPU asleep, waiting for the next one.
 * Events are enabled when it returns, whatever they were before.
 */
void events_wait(const volatile unsigned long *count, unsigned long n);

/** @brief Events handled since events_init(), on all ports. */
extern volatile unsigned long events_handled;

/** @brief The time-stamp counter (a PV guest may read it directly). */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/**
 * @brief System time in ns: the calling vCPU's vcpu_info time, scaled
 *        from the TSC as Xen's ABI says (docs/events.md, "Time").
 */
uint64_t guest_now(void);

/** @brief The wall clock: seconds since 1970 (shared_info + guest_now()). */
uint64_t guest_wallclock(void);

#endif /* GUEST_EVENTS_H */
