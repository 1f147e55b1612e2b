/**
 * @file
 * @brief Domains and vCPUs: struct domain, struct vcpu, and their life
 *        cycle (create, pause, shut down, destroy).
 *
 * Lab 4 (labs/04-pv-domains/README.md). Design page: docs/pv-guests.md.
 *
 * A domain is a virtual machine: its memory (the frames on page_list), its
 * vCPUs, its shared_info page and its state. A vCPU is what the scheduler
 * runs. The x86 parts (saved registers, trap table, page-table base) are
 * in struct arch_vcpu and struct arch_domain, which only arch/x86 sees:
 * common code holds them by pointer.
 *
 * Life cycle, as in Xen: a domain is created paused; the builder fills
 * it; unpausing lets its vCPUs run. Shutting down (the guest asks, or it
 * crashes) stops its vCPUs and records the reason. Without a toolstack to
 * collect it (until lab 9), a shut-down domain is destroyed at once: once
 * no CPU runs any of its vCPUs, every frame goes back to the heap.
 */
#ifndef HOSPES_DOMAIN_H
#define HOSPES_DOMAIN_H

#include <hospes/guest_access.h>
#include <hospes/mm.h>
#include <hospes/spinlock.h>
#include <hospes/time.h>
#include <hospes/timer.h>
#include <public/event_channel.h>
#include <public/vcpu.h>
#include <public/xen.h>

/** Most vCPUs a domain may have (one vcpu_info each in shared_info). */
#define MAX_VIRT_CPUS XEN_LEGACY_MAX_VCPUS

struct arch_vcpu;
struct arch_domain;
struct cpupool;
struct evtchn;

/** Ports a domain is given at a time, as it needs them (hospes/event.h). */
#define EVTCHNS_PER_BUCKET 64
/** Buckets of ports a domain may have. */
#define NR_EVTCHN_BUCKETS (EVTCHN_2L_NR_CHANNELS / EVTCHNS_PER_BUCKET)

/** A virtual CPU. */
struct vcpu {
    unsigned int vcpu_id;        /**< its number in its domain */
    unsigned int processor;      /**< the CPU it runs on */
    struct domain *domain;       /**< its domain */
    struct vcpu_info *vcpu_info; /**< its slot in shared_info */
    bool is_running;             /**< a CPU is running it right now */
    bool is_blocked;             /**< waiting for an event (SCHEDOP_block) */
    bool is_initialised;      /**< has a context to run (VCPUOP_initialise) */
    bool is_down;             /**< brought down, or never up (VCPUOP_down) */
    unsigned int pause_count; /**< paused while non-zero */
    /** The CPUs it may run on (hard affinity), bit n for CPU n. */
    unsigned long cpu_hard_affinity;
    s_time_t runtime;   /**< CPU time used, ns */
    s_time_t run_start; /**< when it last started running */
    void *sched_priv;   /**< the scheduling policy's data */
    /** Its ports for per-vCPU VIRQs, and vCPU 0's for global ones (0:
     *  none). */
    evtchn_port_t virq_to_evtchn[NR_VIRQS];
    bool is_polling;               /**< blocked in SCHEDOP_poll... */
    evtchn_port_t poll_port;       /**< ...for this port (0: any) */
    struct timer poll_timer;       /**< SCHEDOP_poll's timeout */
    struct timer singleshot_timer; /**< set_timer_op, VCPUOP_*singleshot */
    struct timer periodic_timer;   /**< VCPUOP_set_periodic_timer */
    s_time_t periodic_period;      /**< its period, 0 when stopped */
    /** Where its time went (VCPUOP_get_runstate_info). */
    struct vcpu_runstate_info runstate;
    /** The guest's copy of runstate, kept current, or 0 for none. */
    guest_va_t runstate_guest;
    struct arch_vcpu *arch; /**< registers, trap table, ... (x86) */
};

/** Size of a domain's name, with the NUL. */
#define DOMAIN_NAME_SIZE 32

/** Console output of a domain: line buffer and rate limit (console_io). */
struct guest_console {
    spinlock_t lock;       /**< its vCPUs may write at once: guards it all */
    char line[128];        /**< the line being assembled */
    unsigned int len;      /**< bytes in line */
    s_time_t refill_at;    /**< when the byte budget was last refilled */
    unsigned long budget;  /**< bytes it may still print now */
    unsigned long dropped; /**< bytes dropped since the last report */
    s_time_t reported_at;  /**< when dropped output was last reported */
};

/** A virtual machine. */
struct domain {
    domid_t domain_id; /**< its number: 0 is dom0 */
    /** References to the structure: the domain list's, and
     *  get_domain_by_id()'s. */
    unsigned int refcnt;
    char name[DOMAIN_NAME_SIZE];      /**< its name, as `xl list` shows it */
    unsigned long tot_pages;          /**< frames it owns now */
    unsigned long max_pages;          /**< frames it may own at most */
    struct page_list_head page_list;  /**< the frames it owns */
    bool is_privileged;               /**< dom0: may use control hypercalls */
    unsigned int pause_count;         /**< all vCPUs paused while non-zero */
    spinlock_t vcpu_up_lock;          /**< orders VCPUOP_up and _down */
    bool is_shutting_down;            /**< has been told to stop */
    bool is_dying;                    /**< being destroyed */
    uint8_t shutdown_code;            /**< SHUTDOWN_* once shutting down */
    struct shared_info *shared_info;  /**< the page it shares with us */
    unsigned int max_vcpus;           /**< entries of vcpu[] in use */
    struct vcpu *vcpu[MAX_VIRT_CPUS]; /**< its vCPUs */
    unsigned long vm_assist;          /**< VMASST_TYPE_* bits enabled */
    struct guest_console console;     /**< its console output */
    spinlock_t event_lock;            /**< orders changes to its ports */
    struct evtchn *evtchn[NR_EVTCHN_BUCKETS]; /**< its ports, by bucket */
    unsigned int valid_evtchns;               /**< ports with a bucket */
    struct domain *next_in_list;              /**< the domain list, by id */
    struct cpupool *cpupool;  /**< its vCPUs run on this pool's CPUs */
    struct arch_domain *arch; /**< page-table base, ... (x86) */
};

/** Every vCPU @p v of domain @p d. */
#define for_each_vcpu(d, v)                                                    \
    for (unsigned int vcpu_i_ = 0;                                             \
         vcpu_i_ < (d)->max_vcpus && ((v) = (d)->vcpu[vcpu_i_], 1); vcpu_i_++)

/** @brief The vCPU running on this CPU (the idle vCPU when none). */
struct vcpu *get_current(void);
/** The vCPU running on this CPU, as Xen names it. */
#define current get_current()

/**
 * @brief Create a domain, paused, with no memory and no vCPU yet.
 * @return it, or NULL (with the reason logged) on a bad id or no memory
 */
struct domain *domain_create(domid_t id, const char *name, bool is_privileged);

/**
 * @brief Give @p d vCPU @p id, on a CPU of its pool: vCPU 0 ready to run
 *        from the builder's context, the others down and uninitialised.
 * @return it, or NULL if out of memory or @p id is taken or too large
 */
struct vcpu *vcpu_create(struct domain *d, unsigned int id);

/** @brief Let @p d's vCPUs run once its pause count drops to zero. */
void domain_unpause(struct domain *d);

/** @brief Stop @p d's vCPUs from running until domain_unpause(). */
void domain_pause(struct domain *d);

/**
 * @brief Shut @p d down for @p reason (SHUTDOWN_*): its vCPUs stop and,
 *        with no toolstack to collect it, it is destroyed.
 */
void domain_shutdown(struct domain *d, unsigned int reason);

/** @brief Shut @p d down as crashed (it did something fatal). */
void domain_crash(struct domain *d);

/**
 * @brief Destroy a dying domain once none of its vCPUs runs anywhere;
 *        the context switch calls it when one stops running.
 */
void domain_destroy_if_idle(struct domain *d);

/**
 * @brief Frames domain @p id has (@p maximum: may have), read safely
 *        even if it is being destroyed.
 * @return the count, or -ESRCH if there is no such domain
 */
long domain_reservation(domid_t id, bool maximum);

/**
 * @brief The domain with id @p id, or NULL. The caller must know it cannot
 *        be destroyed meanwhile (its own domain, or boot time).
 */
struct domain *domain_by_id(domid_t id);

/**
 * @brief The domain with id @p id, or NULL, with a reference that keeps
 *        its structure (and its locks) until put_domain(). Its vCPUs,
 *        memory and ports may still go: check is_dying under the lock
 *        that guards what you use.
 */
struct domain *get_domain_by_id(domid_t id);

/**
 * @brief The first domain whose id is @p id or more, or NULL, with a
 *        reference as get_domain_by_id() gives: to visit every domain
 *        where for_each_domain()'s lock cannot be held.
 */
struct domain *get_domain_from(domid_t id);

/**
 * @brief Pause vCPU @p v (of a domain the caller holds a reference to)
 *        unless its domain is destroyed already; while paused, it will
 *        not be (vcpu_unpause() undoes it). Its structure stays until
 *        the last put_domain() in any case.
 * @return whether it is paused
 */
bool vcpu_hold(struct vcpu *v);

/** @brief Take another reference to @p d (the caller holds one). */
void get_domain(struct domain *d);

/** @brief Drop a reference; the last one frees the structure. */
void put_domain(struct domain *d);

/** @brief Call @p fn for every domain, under the domain list's lock. */
void for_each_domain(void (*fn)(struct domain *d));

/** @brief The name of shutdown reason @p reason ("poweroff", ...). */
const char *shutdown_reason_name(unsigned int reason);

/** @brief Is @p v allowed to run (not paused, blocked or stopped)? */
bool vcpu_runnable(const struct vcpu *v);

/** @brief Is @p v the idle vCPU of some CPU? */
bool is_idle_vcpu(const struct vcpu *v);

/** @brief Is @p d the idle domain (the owner of the idle vCPUs)? */
bool is_idle_domain(const struct domain *d);

/** @brief Give new domain @p d a full console budget (console_io.c). */
void guest_console_init(struct domain *d);

/**
 * @brief Print what is left of @p d's console output: a last line
 *        without a newline, and how much the rate limit dropped
 *        (common/console_io.c).
 */
void guest_console_flush(struct domain *d);

/** @name Provided by the architecture (arch/x86/domain.c) */
/**@{*/
/** @brief Set up @p d's x86 parts. @return 0 or -ENOMEM */
int arch_domain_create(struct domain *d);
/** @brief Free @p d's x86 parts. */
void arch_domain_destroy(struct domain *d);
/** @brief Set up @p v's x86 parts. @return 0 or -ENOMEM */
int arch_vcpu_create(struct vcpu *v);
/** @brief Free @p v's x86 parts. */
void arch_vcpu_destroy(struct vcpu *v);
/**
 * @brief VCPUOP_initialise: give uninitialised @p v the context at guest
 *        address @p arg (public/arch-x86.h, vcpu_guest_context).
 * @return 0, -EEXIST (it has one), -EFAULT, -EINVAL (a bad context), or
 *         -ENOMEM
 */
long arch_initialise_vcpu(struct vcpu *v, guest_va_t arg);
/**
 * @brief Print the walk of @p v's page tables for the address it will
 *        run next: each level's entry and who owns its frame.
 */
void arch_show_page_walk(const struct vcpu *v);
/**
 * @brief Leave @p prev and run @p next on this CPU (never returns: the
 *        CPU continues in @p next's context).
 */
void __noreturn context_switch(struct vcpu *prev, struct vcpu *next);
/**@}*/

#endif /* HOSPES_DOMAIN_H */
