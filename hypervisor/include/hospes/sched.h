/**
 * @file
 * @brief The scheduler: the interface every policy implements, and what
 *        the rest of the hypervisor asks of it.
 *
 * Lab 4 uses a plain round-robin policy (common/sched/rr.c); lab 7
 * (labs/07-scheduling/README.md) adds credit and EDF behind the same
 * interface. Design page: docs/pv-guests.md (section "Scheduling").
 *
 * The shape is Xen's: per-CPU run queues owned by the policy; the core
 * (common/sched/core.c) takes the CPU's lock, asks the policy for the
 * next vCPU and its time slice, and switches. The vCPU that is running
 * is never on its CPU's run queue; the policy puts it back in
 * do_schedule() if it may run on.
 */
#ifndef HOSPES_SCHED_H
#define HOSPES_SCHED_H

#include <hospes/domain.h>
#include <hospes/time.h>

/** What a policy's do_schedule() decides. */
struct sched_decision {
    struct vcpu *next; /**< run this (the idle vCPU if nothing else) */
    s_time_t slice;    /**< for this long at most; < 0: until woken */
};

/** A scheduling policy. Each hook runs with the CPU's schedule lock held. */
struct scheduler {
    const char *name;     /**< for the boot log */
    const char *opt_name; /**< its name for `sched=` */
    /** Set up per-CPU state for CPU @p cpu. @return 0 or -ENOMEM */
    int (*init_cpu)(unsigned int cpu);
    /** A new vCPU: set up its sched_priv. @return 0 or -ENOMEM */
    int (*insert_vcpu)(struct vcpu *v);
    /** A vCPU going away: free its sched_priv. */
    void (*remove_vcpu)(struct vcpu *v);
    /** @p v became runnable and is not running: queue it. */
    void (*wake)(struct vcpu *v);
    /** @p v may no longer run: take it off its run queue if it is on. */
    void (*sleep)(struct vcpu *v);
    /**
     * Pick what CPU @p cpu runs next. @p prev has been running;
     * @p prev_runnable says whether it may go on.
     */
    struct sched_decision (*do_schedule)(unsigned int cpu, struct vcpu *prev,
                                         bool prev_runnable, s_time_t now);
    /** Print CPU @p cpu's run queue (debug key 'r'). */
    void (*dump_cpu)(unsigned int cpu);
};

/** The round-robin policy (common/sched/rr.c). */
extern const struct scheduler sched_rr_def;

/** @brief Set the scheduler up on every online CPU, with its idle vCPUs. */
void scheduler_init(void);

/** @brief The idle vCPU of CPU @p cpu. */
struct vcpu *idle_vcpu(unsigned int cpu);

/** @brief Tell the policy about new vCPU @p v. @return 0 or -ENOMEM */
int sched_insert_vcpu(struct vcpu *v);

/** @brief Forget vCPU @p v (it must not be running). */
void sched_remove_vcpu(struct vcpu *v);

/** @brief @p v may run again: queue it and poke its CPU. */
void vcpu_wake(struct vcpu *v);

/**
 * @brief @p v may no longer run: dequeue it, and if it is running, make
 *        its CPU switch away soon (it does not wait for that).
 */
void vcpu_sleep_nosync(struct vcpu *v);

/** @brief Give the CPU up: run the next vCPU in line (SCHEDOP_yield). */
void vcpu_yield(void);

/** @brief Block the current vCPU until an event is pending (lab 6). */
void vcpu_block(void);

/**
 * @brief After a switch (context_switch() calls it): @p prev's state is
 *        saved, so it may run again (on a wake-up that came while it was
 *        still running) or, if its domain is dying, go away.
 */
void sched_context_saved(struct vcpu *prev);

/** @brief Pick a CPU for a new vCPU: round robin over the online CPUs. */
unsigned int sched_pick_cpu(void);

/**
 * @brief Port @p port of @p d became pending: wake its vCPUs that poll it
 *        (SCHEDOP_poll).
 */
void sched_check_pollers(struct domain *d, evtchn_port_t port);

/** @brief @p v's SCHEDOP_poll timed out: wake it if it still polls. */
void sched_poll_timeout(struct vcpu *v);

#endif /* HOSPES_SCHED_H */
