/**
 * @file
 * @brief Xen guest ABI: HYPERVISOR_event_channel_op(cmd, arg), the
 *        virtual interrupts of a PV guest.
 *
 * Numbers and layouts are Xen's (its xen/include/public/); the text is
 * ours. A port is a small number naming one end of a channel in one
 * domain; sending on it sets a bit in the other end's domain's
 * shared_info (evtchn_pending), and the guest learns of it through its
 * event callback (lab 6, docs/events.md).
 */
#ifndef XEN_PUBLIC_EVENT_CHANNEL_H
#define XEN_PUBLIC_EVENT_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include <public/xen.h>

/** A port: an event channel's number within its domain. */
typedef uint32_t evtchn_port_t;

/** Ports of the 2-level ABI: one bit each in shared_info's bitmaps. */
#define EVTCHN_2L_NR_CHANNELS (sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64)

/** @name event_channel_op commands */
/**@{*/
#define EVTCHNOP_bind_interdomain 0  /**< connect to a remote unbound port */
#define EVTCHNOP_bind_virq        1  /**< a virtual IRQ (timer, debug ...) */
#define EVTCHNOP_bind_pirq        2  /**< a physical IRQ (dom0, not here) */
#define EVTCHNOP_close            3  /**< close a port */
#define EVTCHNOP_send             4  /**< signal the other end */
#define EVTCHNOP_status           5  /**< what a port is */
#define EVTCHNOP_alloc_unbound    6  /**< a port another domain may bind */
#define EVTCHNOP_bind_ipi         7  /**< a port to signal a vCPU of self */
#define EVTCHNOP_bind_vcpu        8  /**< deliver to another vCPU */
#define EVTCHNOP_unmask           9  /**< unmask, delivering if pending */
#define EVTCHNOP_reset            10 /**< close every port of a domain */
#define EVTCHNOP_init_control     11 /**< FIFO ABI: not in Hospes */
/**@}*/

/** @name Virtual IRQs (EVTCHNOP_bind_virq) */
/**@{*/
#define VIRQ_TIMER   0  /**< per vCPU: its timer fired */
#define VIRQ_DEBUG   1  /**< per vCPU: debug key (dom0) */
#define VIRQ_CONSOLE 2  /**< global: console input (dom0) */
#define VIRQ_DOM_EXC 3  /**< global: a domain shut down (dom0) */
#define NR_VIRQS     24 /**< numbers below this are Xen's */
/**@}*/

/** EVTCHNOP_alloc_unbound: a port @p remote_dom may bind later. */
struct evtchn_alloc_unbound {
    domid_t dom;        /**< IN: DOMID_SELF (or a domain, from dom0) */
    domid_t remote_dom; /**< IN: who may bind it */
    evtchn_port_t port; /**< OUT: the new port */
};
_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "alloc_unbound");
_Static_assert(offsetof(struct evtchn_alloc_unbound, port) == 4, "port");

/** EVTCHNOP_bind_interdomain: connect to another domain's unbound port. */
struct evtchn_bind_interdomain {
    domid_t remote_dom;        /**< IN: its domain */
    evtchn_port_t remote_port; /**< IN: its port, unbound, for us */
    evtchn_port_t local_port;  /**< OUT: our end */
};
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12,
               "bind_interdomain");
_Static_assert(offsetof(struct evtchn_bind_interdomain, remote_port) == 4,
               "remote_port");

/** EVTCHNOP_bind_virq: a port for virtual IRQ @p virq on vCPU @p vcpu. */
struct evtchn_bind_virq {
    uint32_t virq;      /**< IN: VIRQ_* */
    uint32_t vcpu;      /**< IN: the vCPU it is delivered to */
    evtchn_port_t port; /**< OUT: the port */
};
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "bind_virq");

/** EVTCHNOP_bind_ipi: a port that signals vCPU @p vcpu of this domain. */
struct evtchn_bind_ipi {
    uint32_t vcpu;      /**< IN: the vCPU it is delivered to */
    evtchn_port_t port; /**< OUT: the port */
};
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "bind_ipi");

/** EVTCHNOP_close, EVTCHNOP_send, EVTCHNOP_unmask: just a port. */
struct evtchn_port_op {
    evtchn_port_t port; /**< IN: the port */
};
_Static_assert(sizeof(struct evtchn_port_op) == 4, "port op");

/** @name evtchn_status.status */
/**@{*/
#define EVTCHNSTAT_closed      0 /**< free */
#define EVTCHNSTAT_unbound     1 /**< waiting for a remote domain */
#define EVTCHNSTAT_interdomain 2 /**< connected to a remote port */
#define EVTCHNSTAT_pirq        3 /**< a physical IRQ */
#define EVTCHNSTAT_virq        4 /**< a virtual IRQ */
#define EVTCHNSTAT_ipi         5 /**< an IPI within the domain */
/**@}*/

/** EVTCHNOP_status: what port @p port of domain @p dom is. */
struct evtchn_status {
    domid_t dom;        /**< IN: DOMID_SELF (or any, from dom0) */
    evtchn_port_t port; /**< IN: the port */
    uint32_t status;    /**< OUT: EVTCHNSTAT_* */
    uint32_t vcpu;      /**< OUT: the vCPU it is delivered to */
    /** OUT: by status. */
    union {
        struct {
            domid_t dom; /**< who may bind it */
        } unbound;       /**< EVTCHNSTAT_unbound */
        struct {
            domid_t dom;        /**< the remote domain */
            evtchn_port_t port; /**< its port */
        } interdomain;          /**< EVTCHNSTAT_interdomain */
        uint32_t pirq;          /**< EVTCHNSTAT_pirq */
        uint32_t virq;          /**< EVTCHNSTAT_virq */
    } u;
};
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status");
_Static_assert(offsetof(struct evtchn_status, status) == 8, "status");
_Static_assert(offsetof(struct evtchn_status, u.interdomain.port) == 20,
               "interdomain.port");

/** EVTCHNOP_bind_vcpu: deliver port @p port to vCPU @p vcpu from now on. */
struct evtchn_bind_vcpu {
    evtchn_port_t port; /**< IN: the port */
    uint32_t vcpu;      /**< IN: the vCPU */
};
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "bind_vcpu");

/** EVTCHNOP_reset: close every port of domain @p dom. */
struct evtchn_reset {
    domid_t dom; /**< IN: DOMID_SELF (or any, from dom0) */
};
_Static_assert(sizeof(struct evtchn_reset) == 2, "evtchn_reset");

#endif /* XEN_PUBLIC_EVENT_CHANNEL_H */
