/**
 * @file
 * @brief HYPERVISOR_sysctl(op): the privileged domain's control of the
 *        machine, Hospes's own (lab 7: CPU pools).
 *
 * Like domctl (public/domctl.h), Xen's sysctl belongs to the toolstack:
 * its layouts change between releases and every call carries a version
 * that must match exactly. Hospes keeps that rule, Xen's hypercall number
 * (35), Xen's CPU-pool operation numbers and scheduler ids, and its own,
 * smaller layout. Only dom0 may call it (-EPERM for anyone else).
 *
 * A CPU pool is a set of CPUs with a scheduling policy of its own; a
 * domain belongs to one pool, and its vCPUs run only on that pool's CPUs.
 * Pool 0 exists from boot with every CPU and the `sched=` policy. A CPU
 * taken out of a pool is free (it runs nothing) until it is added to one.
 */
#ifndef XEN_PUBLIC_SYSCTL_H
#define XEN_PUBLIC_SYSCTL_H

#include <stddef.h>
#include <stdint.h>

#include <public/xen.h>

/** The version of this interface; a call with another gets -EACCES. */
#define HOSPES_SYSCTL_INTERFACE_VERSION 1

/** @name Operations (hospes_sysctl.cmd) */
/**@{*/
#define HOSPES_SYSCTL_cpupool_op 1 /**< create, change, list CPU pools */
/**@}*/

/** @name Scheduler ids (Xen's numbers; rr is Hospes's own) */
/**@{*/
#define XEN_SCHEDULER_CREDIT 5   /**< common/sched/credit.c */
#define XEN_SCHEDULER_RTDS   8   /**< common/sched/rtds.c */
#define HOSPES_SCHEDULER_RR  100 /**< common/sched/rr.c (not in Xen) */
/**@}*/

/** @name CPU-pool operations (hospes_sysctl_cpupool_op.op, Xen's numbers) */
/**@{*/
/** New empty pool with policy sched_id; cpupool_id: its id, or
 *  HOSPES_CPUPOOL_PAR_ANY for the first free one (out: the id). */
#define HOSPES_SYSCTL_CPUPOOL_OP_CREATE 1
/** Destroy pool cpupool_id, which must have no CPU and no domain. */
#define HOSPES_SYSCTL_CPUPOOL_OP_DESTROY 2
/** The first pool whose id is cpupool_id or more (out: its id, sched_id,
 *  n_dom and cpumap); -ENOENT past the last. */
#define HOSPES_SYSCTL_CPUPOOL_OP_INFO 3
/** Add free CPU cpu (or HOSPES_CPUPOOL_PAR_ANY: any free one; out: which)
 *  to pool cpupool_id. */
#define HOSPES_SYSCTL_CPUPOOL_OP_ADDCPU 4
/** Take CPU cpu out of pool cpupool_id: its vCPUs move to the pool's
 *  other CPUs, and it is free. */
#define HOSPES_SYSCTL_CPUPOOL_OP_RMCPU 5
/** Move domain domid, with its vCPUs, to pool cpupool_id. */
#define HOSPES_SYSCTL_CPUPOOL_OP_MOVEDOMAIN 6
/** The free CPUs (out: cpumap). */
#define HOSPES_SYSCTL_CPUPOOL_OP_FREEINFO 7
/** "Any": a pool id or a CPU for the caller to choose. */
#define HOSPES_CPUPOOL_PAR_ANY 0xFFFFFFFFU
/**@}*/

/** HOSPES_SYSCTL_cpupool_op: what it acts on, and what it reports. */
struct hospes_sysctl_cpupool_op {
    uint32_t op;         /**< HOSPES_SYSCTL_CPUPOOL_OP_* */
    uint32_t cpupool_id; /**< the pool (in; out for CREATE and INFO) */
    uint32_t sched_id;   /**< CREATE: its policy; INFO: out */
    uint32_t domid;      /**< MOVEDOMAIN: the domain */
    uint32_t cpu;        /**< ADDCPU, RMCPU: the CPU (out for ADDCPU) */
    uint32_t n_dom;      /**< INFO: out, its domains */
    uint64_t cpumap;     /**< INFO, FREEINFO: out, bit n for CPU n */
};

/** The argument of HYPERVISOR_sysctl. */
struct hospes_sysctl {
    uint32_t cmd;               /**< HOSPES_SYSCTL_* */
    uint32_t interface_version; /**< HOSPES_SYSCTL_INTERFACE_VERSION */
    /** By cmd. */
    union {
        struct hospes_sysctl_cpupool_op cpupool_op; /**< cpupool_op */
        uint8_t space[64];                          /**< room to grow */
    } u;
};
_Static_assert(sizeof(struct hospes_sysctl_cpupool_op) == 32, "cpupool_op");
_Static_assert(sizeof(struct hospes_sysctl) == 72, "hospes_sysctl");
_Static_assert(offsetof(struct hospes_sysctl, u) == 8, "hospes_sysctl.u");

#endif /* XEN_PUBLIC_SYSCTL_H */
