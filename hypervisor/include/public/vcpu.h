/**
 * @file
 * @brief Xen guest ABI: HYPERVISOR_vcpu_op(cmd, vcpuid, arg), a vCPU's
 *        timers, its vcpu_info's place and its runstate.
 *
 * Numbers and layouts are Xen's (its xen/include/public/); the text is
 * ours. Lab 6 has the timers, register_vcpu_info and the runstate area;
 * bringing vCPUs up and down is lab 7.
 */
#ifndef XEN_PUBLIC_VCPU_H
#define XEN_PUBLIC_VCPU_H

#include <stddef.h>
#include <stdint.h>

/** @name vcpu_op commands */
/**@{*/
#define VCPUOP_initialise                    0 /**< set a vCPU's context */
#define VCPUOP_up                            1 /**< start it */
#define VCPUOP_down                          2 /**< stop it */
#define VCPUOP_is_up                         3 /**< is it running? */
#define VCPUOP_get_runstate_info             4 /**< its runstate, now */
#define VCPUOP_register_runstate_memory_area 5 /**< keep it in guest memory */
#define VCPUOP_set_periodic_timer            6 /**< a VIRQ_TIMER every period */
#define VCPUOP_stop_periodic_timer           7 /**< no more */
#define VCPUOP_set_singleshot_timer          8 /**< one VIRQ_TIMER, at a time */
#define VCPUOP_stop_singleshot_timer         9 /**< cancel it */
#define VCPUOP_register_vcpu_info            10 /**< move vcpu_info */
/**@}*/

/** @name vcpu_runstate_info.state */
/**@{*/
#define RUNSTATE_running  0 /**< on a CPU */
#define RUNSTATE_runnable 1 /**< could run, waits for a CPU */
#define RUNSTATE_blocked  2 /**< waits for an event */
#define RUNSTATE_offline  3 /**< paused or down */
/**@}*/

/** Where a vCPU's time went, in ns of system time. */
struct vcpu_runstate_info {
    int state;                 /**< RUNSTATE_* now */
    uint64_t state_entry_time; /**< when it entered it */
    uint64_t time[4];          /**< time spent in each RUNSTATE_* */
};
_Static_assert(sizeof(struct vcpu_runstate_info) == 48, "runstate_info");
_Static_assert(offsetof(struct vcpu_runstate_info, time) == 16, "time");

/** VCPUOP_register_runstate_memory_area: where to keep it up to date. */
struct vcpu_register_runstate_memory_area {
    uint64_t addr; /**< a guest virtual address, or 0 for none */
};
_Static_assert(sizeof(struct vcpu_register_runstate_memory_area) == 8,
               "runstate area");

/** VCPUOP_set_periodic_timer. */
struct vcpu_set_periodic_timer {
    uint64_t period_ns; /**< at least 1 ms (Xen's minimum) */
};
_Static_assert(sizeof(struct vcpu_set_periodic_timer) == 8, "periodic");

/** VCPUOP_set_singleshot_timer. */
struct vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns; /**< system time at which it fires */
    uint32_t flags;          /**< VCPU_SSHOTTMR_* */
};
_Static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16, "singleshot");

/** Refuse (-ETIME) a singleshot timeout already in the past. */
#define VCPU_SSHOTTMR_future (1U << 0)

/** VCPUOP_register_vcpu_info: keep vcpu_info in a frame of the guest. */
struct vcpu_register_vcpu_info {
    uint64_t mfn;    /**< the frame */
    uint32_t offset; /**< where in it: the whole struct must fit */
    uint32_t rsvd;   /**< zero */
};
_Static_assert(sizeof(struct vcpu_register_vcpu_info) == 16, "vcpu_info reg");

#endif /* XEN_PUBLIC_VCPU_H */
