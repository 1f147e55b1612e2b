/**
 * @file
 * @brief A guest's view of time: its vCPUs' clocks (vcpu_time_info), the
 *        wall clock, its timers, and where its vCPUs' time went.
 *
 * Lab 6 (labs/06-events-and-time/README.md). Design page: docs/events.md
 * (section "Time"). The ABI is Xen's (public/xen.h, public/vcpu.h).
 */
#ifndef HOSPES_VTIME_H
#define HOSPES_VTIME_H

#include <hospes/domain.h>

/** @brief Set @p v's timers up (on its CPU), all stopped. */
void vcpu_timers_init(struct vcpu *v);

/** @brief Make @p v's timers fire on its CPU (v->processor): it moved. */
void vcpu_timers_migrate(struct vcpu *v);

/** @brief Kill @p v's timers: it is going away. */
void vcpu_timers_destroy(struct vcpu *v);

/** @brief Write the wall clock at system time 0 into @p d's shared_info. */
void update_domain_wallclock_time(struct domain *d);

/**
 * @brief Bring @p v's vcpu_time_info up to date (version odd while it
 *        changes, as the guest's reader expects).
 */
void update_vcpu_system_time(struct vcpu *v);

/**
 * @brief @p v enters runstate @p state (RUNSTATE_*) at @p now: the time
 *        in the old one is added up.
 */
void vcpu_runstate_change(struct vcpu *v, int state, s_time_t now);

/**
 * @brief Copy @p v's runstate to the guest's area, if it registered one.
 *        @p v's page tables must be the current ones.
 */
void vcpu_publish_runstate(struct vcpu *v);

/** @name What the architecture provides (arch/x86/time.c) */
/**@{*/
/**
 * @brief Fill @p t's tsc_timestamp, system_time, tsc_to_system_mul and
 *        tsc_shift so that the guest computes system time as NOW() does.
 */
void arch_vcpu_time_scale(struct vcpu_time_info *t);

/** @brief The wall clock when system time was 0: seconds since 1970. */
uint64_t arch_boot_wallclock_sec(void);

/**
 * @brief VCPUOP_register_vcpu_info for @p v, the argument at @p arg: move
 *        its vcpu_info into a frame of the guest (arch/x86/domain.c).
 * @return 0, -EFAULT, or -EINVAL (done already, a bad frame or offset)
 */
long arch_register_vcpu_info(struct vcpu *v, guest_va_t arg);
/**@}*/

#endif /* HOSPES_VTIME_H */
