/**
 * @file
 * @brief Xen guest ABI: HYPERVISOR_sched_op(cmd, arg).
 *
 * Numbers and layouts are Xen's (its xen/include/public/); the text is ours.
 */
#ifndef XEN_PUBLIC_SCHED_H
#define XEN_PUBLIC_SCHED_H

/** @name sched_op commands */
/**@{*/
#define SCHEDOP_yield    0 /**< give the CPU up; arg unused */
#define SCHEDOP_block    1 /**< sleep until an event is pending */
#define SCHEDOP_shutdown 2 /**< stop the domain: arg is sched_shutdown */
#define SCHEDOP_poll     3 /**< wait on event channels (lab 6) */
/**@}*/

/** @name Shutdown reasons */
/**@{*/
#define SHUTDOWN_poweroff 0 /**< halt and clean up */
#define SHUTDOWN_reboot   1 /**< restart */
#define SHUTDOWN_suspend  2 /**< save for later (lab 11) */
#define SHUTDOWN_crash    3 /**< the guest crashed */
#define SHUTDOWN_watchdog 4 /**< a watchdog fired */
/**@}*/

#ifndef __ASSEMBLER__
#include <stdint.h>

/** The argument of SCHEDOP_shutdown. */
struct sched_shutdown {
    uint32_t reason; /**< SHUTDOWN_* */
};
_Static_assert(sizeof(struct sched_shutdown) == 4, "sched_shutdown");

/** The argument of SCHEDOP_poll. */
struct sched_poll {
    uint32_t *ports;       /**< the ports (evtchn_port_t) to wait for */
    unsigned int nr_ports; /**< how many: at most SCHED_POLL_MAX_PORTS */
    uint64_t timeout;      /**< system time to give up at; 0: never */
};
_Static_assert(sizeof(struct sched_poll) == 24, "sched_poll");

/** The most ports one SCHEDOP_poll may name (Xen's limit). */
#define SCHED_POLL_MAX_PORTS 128
#endif

#endif /* XEN_PUBLIC_SCHED_H */
