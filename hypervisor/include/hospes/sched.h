/**
 * @file
 * @brief The scheduler: the interface every policy implements, and what
 *        the rest of the hypervisor asks of it.
 *
 * Lab 4 uses a plain round-robin policy (common/sched/rr.c); lab 7
 * (labs/07-scheduling/README.md) adds credit (common/sched/credit.c) and
 * EDF behind the same interface; `sched=` chooses one at boot. Design
 * page: docs/pv-guests.md (section "Scheduling").
 *
 * The shape is Xen's: per-CPU run queues owned by the policy; the core
 * (common/sched/core.c) takes the CPU's lock, asks the policy for the
 * next vCPU and its time slice, and switches. The vCPU that is running
 * is never on its CPU's run queue; the policy puts it back in
 * do_schedule() if it may run on.
 *
 * CPUs are grouped in CPU pools (common/sched/cpupool.c), each with an
 * instance of a policy; a domain's vCPUs run on its pool's CPUs only.
 * Pool 0 has every CPU at boot.
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

/**
 * A domain's scheduling parameters, as struct scheduler's adjust hook
 * reads and sets them. Each policy uses its own (credit: weight and cap;
 * rtds: period and budget).
 */
struct sched_params {
    /** credit: its share of the CPUs, relative to the other domains'
     *  (1 to 65535; 256 by default) */
    unsigned int weight;
    /** credit: the most it may run, in percent of one CPU, over all its
     *  vCPUs (0: no cap; at most 100 per vCPU) */
    unsigned int cap;
    /** rtds: each of its vCPUs gets budget ns of CPU time every period ns
     *  (10 ms by default; at least 10 us) */
    s_time_t period;
    /** rtds: see period (4 ms by default; 10 us to period) */
    s_time_t budget;
};

/**
 * A scheduling policy, and one instance of it: each CPU pool has its own
 * copy of its policy's struct scheduler, whose sched_data is that
 * instance's state (Xen's way), so two pools may run the same policy
 * apart. Every hook gets that copy as @p ops. Each hook runs with the
 * CPU's schedule lock held, except init, deinit, insert_vcpu (the vCPU is
 * not known to anyone yet) and adjust. Optional hooks may be NULL.
 */
struct scheduler {
    const char *name;      /**< for the boot log */
    const char *opt_name;  /**< its name for `sched=` */
    unsigned int sched_id; /**< its id in sysctl (XEN_SCHEDULER_*) */
    void *sched_data;      /**< the instance's state (init sets it) */
    /** A new instance, in @p ops: set sched_data up. @return 0 or -ENOMEM */
    int (*init)(struct scheduler *ops);
    /** Free the instance, which has no CPU and no vCPU left. */
    void (*deinit)(struct scheduler *ops);
    /** CPU @p cpu joins the instance's pool, its queue empty: set up its
     *  state. @return 0 or -ENOMEM */
    int (*init_cpu)(const struct scheduler *ops, unsigned int cpu);
    /**
     * Optional: CPU @p cpu is leaving the pool. It may still run and
     * queue the vCPUs on it until they have moved, but must take no more
     * (no stealing for it) and count no more in the pool's capacity.
     */
    void (*deinit_cpu)(const struct scheduler *ops, unsigned int cpu);
    /** A new vCPU: set up its sched_priv. @return 0 or -ENOMEM */
    int (*insert_vcpu)(const struct scheduler *ops, struct vcpu *v);
    /** A vCPU going away: free its sched_priv. */
    void (*remove_vcpu)(const struct scheduler *ops, struct vcpu *v);
    /** @p v became runnable and is not running: queue it. */
    void (*wake)(const struct scheduler *ops, struct vcpu *v);
    /** @p v may no longer run: take it off its run queue if it is on. */
    void (*sleep)(const struct scheduler *ops, struct vcpu *v);
    /**
     * Optional: @p v, running, gives its CPU up (SCHEDOP_yield); the next
     * do_schedule() should run another vCPU if there is one. Without it,
     * that do_schedule() is all a yield does.
     */
    void (*yield)(const struct scheduler *ops, struct vcpu *v);
    /**
     * Pick what CPU @p cpu runs next. @p prev has been running;
     * @p prev_runnable says whether it may go on.
     */
    struct sched_decision (*do_schedule)(const struct scheduler *ops,
                                         unsigned int cpu, struct vcpu *prev,
                                         bool prev_runnable, s_time_t now);
    /**
     * Optional: if @p set, give domain @p d the parameters in @p p; then
     * read them back into @p p. Called without a CPU's lock: the policy
     * takes what it needs.
     * @return 0; -EINVAL for a parameter out of range (nothing changes);
     *         -ESRCH if the policy does not know @p d (no vCPU yet)
     */
    int (*adjust)(const struct scheduler *ops, struct domain *d,
                  struct sched_params *p, bool set);
    /** Print CPU @p cpu's run queue (debug key 'r'). */
    void (*dump_cpu)(const struct scheduler *ops, unsigned int cpu);
};

/** The round-robin policy (common/sched/rr.c). */
extern const struct scheduler sched_rr_def;

/** The credit policy (common/sched/credit.c). */
extern const struct scheduler sched_credit_def;

/** The real-time (EDF) policy, after Xen's RTDS (common/sched/rtds.c). */
extern const struct scheduler sched_rtds_def;

/** A CPU pool: CPUs and the policy that shares them among its domains. */
struct cpupool {
    unsigned int id;         /**< its number; pool 0 exists from boot */
    struct scheduler *sched; /**< its instance of its policy */
    unsigned long cpus;      /**< its CPUs, bit n for CPU n */
    unsigned int n_dom;      /**< domains in it */
    struct cpupool *next;    /**< the next pool, by id */
};

/** @brief Set the scheduler up on every online CPU, with its idle vCPUs. */
void scheduler_init(void);

/**
 * @brief Create pool 0 with policy @p sched and the CPUs @p cpus
 *        (scheduler_init() calls it).
 */
void cpupool0_init(struct scheduler *sched, unsigned long cpus);

/**
 * @brief Let vCPU @p v run on the CPUs @p cpus only (its hard affinity,
 *        bit n for CPU n); it moves if its CPU is not one of them.
 * @return 0; -EINVAL if no CPU of its pool is in @p cpus; -EBUSY if @p v
 *         is the caller and would have to move; -EAGAIN if a pool
 *         operation is under way
 */
int cpupool_set_affinity(struct vcpu *v, unsigned long cpus);

/** @brief Put new domain @p d in pool 0. */
void cpupool_add_domain(struct domain *d);

/** @brief Domain @p d is going: its pool has one domain less. */
void cpupool_rm_domain(struct domain *d);

/** @brief The policy with sysctl id @p sched_id, or NULL. */
const struct scheduler *sched_by_id(unsigned int sched_id);

/**
 * @brief A new instance of policy @p policy (a copy of it, set up by its
 *        init hook). @return it, or NULL if out of memory
 */
struct scheduler *sched_alloc(const struct scheduler *policy);

/** @brief Free instance @p ops, which has no CPU and no vCPU left. */
void sched_free(struct scheduler *ops);

/**
 * @brief Give free CPU @p cpu to pool @p c: its policy sets it up.
 * @return 0 or -ENOMEM
 */
int sched_assign_cpu(unsigned int cpu, struct cpupool *c);

/** @brief CPU @p cpu is leaving its pool: its policy stops counting it. */
void sched_deinit_cpu(unsigned int cpu);

/** @brief CPU @p cpu, which no vCPU is on any more, becomes free. */
void sched_free_cpu(unsigned int cpu);

/**
 * @brief Move domain @p d, whose vCPUs are paused and not running, to
 *        pool @p c: the new policy takes its vCPUs, on CPUs of @p c.
 * @return 0, or -ENOMEM (nothing changed)
 */
int sched_move_domain(struct domain *d, struct cpupool *c);

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

/**
 * @brief Read domain @p d's scheduling parameters into @p p, after
 *        setting them from @p p if @p set (see struct scheduler's adjust).
 * @return 0, -EINVAL, -ESRCH, or -ENOSYS if the policy has no parameters
 */
int sched_adjust(struct domain *d, struct sched_params *p, bool set);

/** @brief Block the current vCPU until an event is pending (lab 6). */
void vcpu_block(void);

/**
 * @brief After a switch (context_switch() calls it): @p prev's state is
 *        saved, so it may run again (on a wake-up that came while it was
 *        still running) or, if its domain is dying, go away.
 */
void sched_context_saved(struct vcpu *prev);

/**
 * @brief Pick a CPU for vCPU @p v, new or moving: round robin over the
 *        CPUs of its domain's pool that its affinity allows.
 */
unsigned int sched_pick_cpu(struct vcpu *v);

/**
 * @brief Stop @p v (not the caller; the caller holds a reference to its
 *        domain) and wait until no CPU runs it; it stays stopped until
 *        vcpu_unpause(), and its domain is not destroyed meanwhile.
 * @return true; false if its domain is destroyed already (nothing done)
 */
bool vcpu_pause_sync(struct vcpu *v);

/** @brief Undo one vcpu_pause_sync() of @p v. */
void vcpu_unpause(struct vcpu *v);

/** @brief Move paused vCPU @p v to CPU @p cpu. */
void sched_move_vcpu(struct vcpu *v, unsigned int cpu);

/** @name For a policy's load balancer */
/**@{*/
/** @brief Make CPU @p cpu run schedule() soon, wherever it is. */
void sched_poke_cpu(unsigned int cpu);
/** @brief Take CPU @p cpu's lock if it is free (never waits). */
bool sched_trylock_cpu(unsigned int cpu);
/** @brief Release what sched_trylock_cpu() took. */
void sched_unlock_cpu(unsigned int cpu);
/**
 * @brief Put @p v, neither running nor queued, on CPU @p cpu; its timers
 *        follow. The caller holds the lock of the CPU @p v was on.
 */
void sched_set_processor(struct vcpu *v, unsigned int cpu);
/**@}*/

/**
 * @brief Port @p port of @p d became pending: wake its vCPUs that poll it
 *        (SCHEDOP_poll).
 */
void sched_check_pollers(struct domain *d, evtchn_port_t port);

/** @brief @p v's SCHEDOP_poll timed out: wake it if it still polls. */
void sched_poll_timeout(struct vcpu *v);

#endif /* HOSPES_SCHED_H */
