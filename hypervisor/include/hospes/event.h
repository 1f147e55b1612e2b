/**
 * @file
 * @brief Event channels: a domain's ports, and how an event reaches a
 *        vCPU.
 *
 * Lab 6 (labs/06-events-and-time/README.md). Design page: docs/events.md.
 * The ABI and the idea are Xen's (xen/common/event_channel.c and
 * event_2l.c).
 *
 * A port is one end of a channel in one domain. Its other end is another
 * domain's port (interdomain), a virtual IRQ the hypervisor raises
 * (VIRQ), or a vCPU of the same domain (IPI). Sending sets the port's bit
 * in the domain's shared_info (evtchn_pending); unless the port is
 * masked, that bit's word is flagged in the vCPU's evtchn_pending_sel,
 * then evtchn_upcall_pending, and the vCPU is kicked: on its way back to
 * the guest it enters the guest's event callback (arch code). The guest
 * walks the two levels of bits to find the port.
 *
 * Locking: each domain's event_lock orders changes to its ports; a
 * change that involves two domains (binding or closing an interdomain
 * channel) takes both, the lower domain id first. The pending and mask
 * bits are shared with the guest and changed with atomic operations.
 */
#ifndef HOSPES_EVENT_H
#define HOSPES_EVENT_H

#include <hospes/domain.h>
#include <public/event_channel.h>

/** @name The state of a port (struct evtchn.state) */
/**@{*/
#define ECS_FREE        0 /**< not in use */
#define ECS_RESERVED    1 /**< port 0: never used, as in Xen */
#define ECS_UNBOUND     2 /**< waiting for remote_domid to bind it */
#define ECS_INTERDOMAIN 3 /**< connected to remote_dom's remote_port */
#define ECS_VIRQ        4 /**< raised by the hypervisor: virq */
#define ECS_IPI         5 /**< sent within the domain */
/**@}*/

/** One port of a domain. */
struct evtchn {
    uint8_t state;             /**< ECS_* */
    uint8_t notify_vcpu_id;    /**< the vCPU its events go to */
    uint16_t virq;             /**< ECS_VIRQ: which */
    domid_t remote_domid;      /**< ECS_UNBOUND: who may bind it */
    evtchn_port_t remote_port; /**< ECS_INTERDOMAIN: the other end... */
    struct domain *remote_dom; /**< ...in this domain */
};

/**
 * @brief Give new domain @p d its ports (port 0, reserved).
 * @return 0 or -ENOMEM
 */
int evtchn_init(struct domain *d);

/**
 * @brief Close every port of dying domain @p d (their remote ends become
 *        unbound) and free them.
 */
void evtchn_destroy(struct domain *d);

/** @brief Raise per-vCPU virtual IRQ @p virq (VIRQ_TIMER) on @p v. */
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq);

/**
 * @brief Raise global virtual IRQ @p virq (VIRQ_DOM_EXC ...) in dom0, if
 *        it has bound it.
 */
void send_global_virq(unsigned int virq);

/** @brief Is port @p port of @p d pending? (false if it is no port) */
bool evtchn_port_is_pending(struct domain *d, evtchn_port_t port);

/** @name The 2-level bitmaps (event_2l.c) */
/**@{*/
/**
 * @brief Mark @p port of @p v's domain pending; unless masked, flag it
 *        for @p v and kick @p v.
 */
void evtchn_2l_set_pending(struct vcpu *v, evtchn_port_t port);
/** @brief Clear @p port's pending bit (it was closed). */
void evtchn_2l_clear_pending(struct domain *d, evtchn_port_t port);
/**
 * @brief Unmask @p port of @p d; if it is pending, deliver it to @p v
 *        now, exactly once.
 */
void evtchn_2l_unmask(struct vcpu *v, evtchn_port_t port);
/** @brief Is @p port of @p d pending? */
bool evtchn_2l_is_pending(const struct domain *d, evtchn_port_t port);
/** @brief Is @p port of @p d masked? */
bool evtchn_2l_is_masked(const struct domain *d, evtchn_port_t port);
/**@}*/

/**
 * @brief Flag an event for @p v (evtchn_upcall_pending) and make sure it
 *        sees it soon: wake it if it is blocked, poke its CPU if it runs
 *        elsewhere (common/sched/core.c).
 */
void vcpu_mark_events_pending(struct vcpu *v);

#endif /* HOSPES_EVENT_H */
