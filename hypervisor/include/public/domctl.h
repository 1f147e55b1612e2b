/**
 * @file
 * @brief HYPERVISOR_domctl(op): the control interface of the privileged
 *        domain, Hospes's own.
 *
 * Xen's domctl is the toolstack's, not the guests': its layouts change
 * between releases, and every call carries an interface version that
 * must match the hypervisor's exactly. Hospes keeps that rule and Xen's
 * hypercall number (36), and defines its own operations, fewer and
 * smaller, for its own toolstack (lab 9) and lab 7's scheduling control.
 * Only dom0 may call it (-EPERM for anyone else).
 */
#ifndef XEN_PUBLIC_DOMCTL_H
#define XEN_PUBLIC_DOMCTL_H

#include <stddef.h>
#include <stdint.h>

#include <public/xen.h>

/** The version of this interface; a call with another gets -EACCES. */
#define HOSPES_DOMCTL_INTERFACE_VERSION 1

/** @name Operations (hospes_domctl.cmd) */
/**@{*/
#define HOSPES_DOMCTL_sched_get         1 /**< read a domain's scheduling parameters */
#define HOSPES_DOMCTL_sched_set         2 /**< change them */
#define HOSPES_DOMCTL_get_vcpu_affinity 3 /**< where a vCPU may run */
#define HOSPES_DOMCTL_set_vcpu_affinity 4 /**< change it (it may move) */
/**@}*/

/**
 * A domain's scheduling parameters. Each policy uses its own: credit the
 * weight and the cap, rtds the period and the budget; a field another
 * policy uses is ignored on set and 0 on get. Set what you read, changed:
 * a set gives the policy every one of its fields.
 */
struct hospes_domctl_sched {
    uint32_t weight;    /**< credit: relative share, 1-65535 (256 by default) */
    uint32_t cap;       /**< credit: at most this % of one CPU; 0: no cap */
    uint64_t period_ns; /**< rtds: each vCPU gets budget_ns every period_ns */
    uint64_t budget_ns; /**< rtds: (10 ms and 4 ms by default) */
};

/**
 * A vCPU's hard affinity: the CPUs it may run on, bit n for CPU n. A set
 * must leave it at least one online CPU of its domain's pool (-EINVAL);
 * the vCPU moves if it is on a CPU it may no longer use.
 */
struct hospes_domctl_vcpu_affinity {
    uint32_t vcpu;   /**< which vCPU of the domain */
    uint32_t pad;    /**< zero */
    uint64_t cpumap; /**< the CPUs (out: as the hypervisor keeps them) */
};
_Static_assert(sizeof(struct hospes_domctl_vcpu_affinity) == 16,
               "hospes_domctl_vcpu_affinity");

/** The argument of HYPERVISOR_domctl. */
struct hospes_domctl {
    uint32_t cmd;               /**< HOSPES_DOMCTL_* */
    uint32_t interface_version; /**< HOSPES_DOMCTL_INTERFACE_VERSION */
    domid_t domain;             /**< the domain it acts on */
    uint16_t pad[3];            /**< zero */
    /** By cmd. */
    union {
        struct hospes_domctl_sched sched; /**< sched_get, sched_set */
        /** get_vcpu_affinity, set_vcpu_affinity */
        struct hospes_domctl_vcpu_affinity vcpu_affinity;
        uint8_t space[64]; /**< room to grow */
    } u;
};
_Static_assert(sizeof(struct hospes_domctl) == 80, "hospes_domctl");
_Static_assert(offsetof(struct hospes_domctl, u) == 16, "hospes_domctl.u");

#endif /* XEN_PUBLIC_DOMCTL_H */
