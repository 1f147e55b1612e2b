/**
 * @file
 * @brief Domains: creation, pausing, shutdown, destruction, the domain
 *        list and debug key 'q'.
 *
 * Lab 4 (labs/04-pv-domains/README.md). Design page: docs/pv-guests.md
 * (section "Domains and vCPUs").
 *
 * The list of domains is sorted by id and guarded by domlist_lock. A
 * domain is destroyed from the context switch (domain_destroy_if_idle()),
 * because only once none of its vCPUs runs anywhere are its page tables,
 * vCPU structures and frames free to go.
 */
#include <hospes/domain.h>
#include <hospes/errno.h>
#include <hospes/event.h>
#include <hospes/hypercall.h>
#include <hospes/keyhandler.h>
#include <hospes/lib.h>
#include <hospes/page_list.h>
#include <hospes/printk.h>
#include <hospes/sched.h>
#include <hospes/shutdown.h>
#include <hospes/vtime.h>
#include <hospes/xmalloc.h>
#include <public/sched.h>

/** Every domain, by id. */
static struct domain *domain_list;
/** Guards domain_list. */
static spinlock_t domlist_lock = SPIN_LOCK_UNLOCKED("domlist");
/** Orders destroying a domain with holding one of its vCPUs. */
static spinlock_t destroy_lock = SPIN_LOCK_UNLOCKED("destroy");

/** dom0's shutdown reason, for the machine's when the last domain goes. */
static unsigned int dom0_reason = SHUTDOWN_poweroff;

const char *shutdown_reason_name(unsigned int reason)
{
    static const char *const names[] = {
        [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
        [SHUTDOWN_suspend] = "suspend",   [SHUTDOWN_crash] = "crash",
        [SHUTDOWN_watchdog] = "watchdog",
    };

    return reason < ARRAY_SIZE(names) && names[reason] ? names[reason]
                                                       : "unknown";
}

/** The domain with id @p id, or NULL; domlist_lock held. */
static struct domain *find_domain(domid_t id)
{
    struct domain *d;

    for (d = domain_list; d && d->domain_id != id; d = d->next_in_list)
        ;
    return d;
}

struct domain *domain_by_id(domid_t id)
{
    unsigned long flags = spin_lock_irqsave(&domlist_lock);
    struct domain *d = find_domain(id);

    spin_unlock_irqrestore(&domlist_lock, flags);
    return d;
}

struct domain *get_domain_from(domid_t id)
{
    unsigned long flags = spin_lock_irqsave(&domlist_lock);
    struct domain *d;

    for (d = domain_list; d && d->domain_id < id; d = d->next_in_list)
        ;
    if (d)
        get_domain(d);
    spin_unlock_irqrestore(&domlist_lock, flags);
    return d;
}

struct domain *get_domain_by_id(domid_t id)
{
    unsigned long flags = spin_lock_irqsave(&domlist_lock);
    struct domain *d = find_domain(id);

    if (d)
        get_domain(d);
    spin_unlock_irqrestore(&domlist_lock, flags);
    return d;
}

void get_domain(struct domain *d)
{
    __atomic_add_fetch(&d->refcnt, 1, __ATOMIC_SEQ_CST);
}

void put_domain(struct domain *d)
{
    unsigned int i;

    if (__atomic_sub_fetch(&d->refcnt, 1, __ATOMIC_SEQ_CST))
        return;
    for (i = 0; i < d->max_vcpus; i++) /* their structures outlive it */
        xfree(d->vcpu[i]);
    xfree(d);
}

void for_each_domain(void (*fn)(struct domain *d))
{
    unsigned long flags = spin_lock_irqsave(&domlist_lock);
    struct domain *d;

    for (d = domain_list; d; d = d->next_in_list)
        fn(d);
    spin_unlock_irqrestore(&domlist_lock, flags);
}

/** Put @p d in the list in id order. @return 0, or -EEXIST */
static int domlist_insert(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&domlist_lock);
    struct domain **pp;
    int rc = 0;

    for (pp = &domain_list; *pp && (*pp)->domain_id < d->domain_id;
         pp = &(*pp)->next_in_list)
        ;
    if (*pp && (*pp)->domain_id == d->domain_id) {
        rc = -EEXIST;
    } else {
        d->next_in_list = *pp;
        *pp = d;
    }
    spin_unlock_irqrestore(&domlist_lock, flags);
    return rc;
}

long domain_reservation(domid_t id, bool maximum)
{
    unsigned long flags = spin_lock_irqsave(&domlist_lock);
    struct domain *d = find_domain(id);
    long pages = -ESRCH;

    /* Read under the lock: a domain is freed only after it leaves the
     * list, which takes the lock too. */
    if (d)
        pages = maximum ? d->max_pages : d->tot_pages;
    spin_unlock_irqrestore(&domlist_lock, flags);
    return pages;
}

/** Take @p d out of the list. @return whether the list is now empty */
static bool domlist_remove(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&domlist_lock);
    struct domain **pp;
    bool empty;

    for (pp = &domain_list; *pp != d; pp = &(*pp)->next_in_list)
        ;
    *pp = d->next_in_list;
    empty = !domain_list;
    spin_unlock_irqrestore(&domlist_lock, flags);
    return empty;
}

struct domain *domain_create(domid_t id, const char *name, bool is_privileged)
{
    struct domain *d;

    if (id >= DOMID_FIRST_RESERVED) {
        printk(LOG_ERR "Domain id %u is reserved\n", id);
        return NULL;
    }
    d = xzalloc(struct domain);
    if (d) /* first: arch_domain_destroy() walks it on failure */
        d->page_list = (struct page_list_head)PAGE_LIST_HEAD_INIT;
    if (!d || arch_domain_create(d)) {
        printk(LOG_ERR "No memory for domain %u\n", id);
        xfree(d);
        return NULL;
    }
    if (evtchn_init(d)) {
        printk(LOG_ERR "No memory for domain %u's event channels\n", id);
        arch_domain_destroy(d);
        xfree(d);
        return NULL;
    }
    d->refcnt = 1; /* the domain list's */
    update_domain_wallclock_time(d);
    d->domain_id = id;
    strlcpy(d->name, name, sizeof(d->name));
    d->is_privileged = is_privileged;
    d->pause_count = 1; /* created paused, as in Xen */
    d->vcpu_up_lock = (spinlock_t)SPIN_LOCK_UNLOCKED("vcpu_up");
    guest_console_init(d);
    cpupool_add_domain(d);
    if (domlist_insert(d)) {
        printk(LOG_ERR "Domain %u exists already\n", id);
        cpupool_rm_domain(d);
        evtchn_destroy(d);
        arch_domain_destroy(d);
        xfree(d);
        return NULL;
    }
    return d;
}

struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
    struct vcpu *v;

    if (id >= MAX_VIRT_CPUS || d->vcpu[id] || (id && !d->vcpu[id - 1]))
        return NULL;
    v = xzalloc(struct vcpu);
    if (!v)
        return NULL;
    v->vcpu_id = id;
    v->domain = d;
    v->cpu_hard_affinity = ~0UL;
    v->processor = sched_pick_cpu(v);
    /* As in Xen, vCPU 0 starts from the builder's context, the others
     * down until the guest gives them one (VCPUOP_initialise, _up). */
    v->is_initialised = id == 0;
    v->is_down = id != 0;
    if (d->shared_info)
        v->vcpu_info = &d->shared_info->vcpu_info[id];
    if (arch_vcpu_create(v)) {
        xfree(v);
        return NULL;
    }
    if (sched_insert_vcpu(v)) {
        arch_vcpu_destroy(v);
        xfree(v);
        return NULL;
    }
    vcpu_timers_init(v);
    d->vcpu[id] = v;
    d->max_vcpus = id + 1;
    return v;
}

bool vcpu_runnable(const struct vcpu *v)
{
    const struct domain *d = v->domain;

    return !v->pause_count && !v->is_blocked && !v->is_down &&
           !d->pause_count && !d->is_shutting_down;
}

void domain_pause(struct domain *d)
{
    struct vcpu *v;

    __atomic_fetch_add(&d->pause_count, 1, __ATOMIC_SEQ_CST);
    for_each_vcpu (d, v)
        vcpu_sleep_nosync(v);
}

void domain_unpause(struct domain *d)
{
    struct vcpu *v;

    if (__atomic_sub_fetch(&d->pause_count, 1, __ATOMIC_SEQ_CST))
        return;
    for_each_vcpu (d, v)
        vcpu_wake(v);
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    struct vcpu *v;

    if (__atomic_exchange_n(&d->is_shutting_down, true, __ATOMIC_SEQ_CST))
        return; /* the first reason stands */
    d->shutdown_code = reason;
    if (d->domain_id == 0)
        dom0_reason = reason;
    printk("Domain %u (%s) shut down: %s\n", d->domain_id, d->name,
           shutdown_reason_name(reason));
    d->is_dying = true; /* no toolstack yet to collect it (lab 9) */
    for_each_vcpu (d, v)
        vcpu_sleep_nosync(v);
    send_global_virq(VIRQ_DOM_EXC); /* tell dom0, as Xen does */
}

void domain_crash(struct domain *d)
{
    domain_shutdown(d, SHUTDOWN_crash);
}

/** Free @p d's vCPUs, frames and structure, and say so. */
static void domain_destroy(struct domain *d)
{
    unsigned long frames = d->tot_pages;
    struct page_info *pg;
    struct vcpu *v;

    guest_console_flush(d);
    cpupool_rm_domain(d);
    evtchn_destroy(d);     /* from now on nobody can signal it */
    for_each_vcpu (d, v) { /* their structures go with the last
                              reference (put_domain()) */
        vcpu_timers_destroy(v);
        sched_remove_vcpu(v);
        arch_vcpu_destroy(v);
    }
    arch_domain_destroy(d);
    while ((pg = page_list_first(&d->page_list)))
        free_domheap_pages(pg, 0);
    printk("Domain %u (%s) destroyed: %lu frames returned\n", d->domain_id,
           d->name, frames);
    if (domlist_remove(d)) {
        printk("All domains have shut down\n");
        machine_shutdown(dom0_reason == SHUTDOWN_poweroff ? SHUTDOWN_SUCCESS
                                                          : SHUTDOWN_FAILURE);
    }
    put_domain(d); /* the list's reference */
}

/** Is @p d destroyed already? destroy_lock held. */
static bool destroyed(const struct domain *d)
{
    return domain_by_id(d->domain_id) != d;
}

void domain_destroy_if_idle(struct domain *d)
{
    struct vcpu *v;
    bool idle = true;

    if (!d->is_dying)
        return;
    unsigned long flags = spin_lock_irqsave(&destroy_lock); /* two CPUs
                                        leaving its last vCPUs: one wins */
    /* Not while someone holds one of its vCPUs (vcpu_hold()): its
     * vcpu_unpause() calls us again. */
    for_each_vcpu (d, v)
        idle &= !__atomic_load_n(&v->is_running, __ATOMIC_SEQ_CST) &&
                !__atomic_load_n(&v->pause_count, __ATOMIC_SEQ_CST);
    if (idle && !destroyed(d))
        domain_destroy(d);
    spin_unlock_irqrestore(&destroy_lock, flags);
}

bool vcpu_hold(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&destroy_lock);
    bool alive = !destroyed(v->domain);

    if (alive)
        __atomic_add_fetch(&v->pause_count, 1, __ATOMIC_SEQ_CST);
    spin_unlock_irqrestore(&destroy_lock, flags);
    return alive;
}

/** The assists a 64-bit PV guest may turn on (Xen's list). */
#define VM_ASSIST_VALID                                                        \
    (1UL << VMASST_TYPE_writable_pagetables |                                  \
     1UL << VMASST_TYPE_architectural_iopl |                                   \
     1UL << VMASST_TYPE_runstate_update_flag | 1UL << VMASST_TYPE_m2p_strict)

long do_vm_assist(unsigned long cmd, unsigned long type)
{
    struct domain *d = current->domain;

    if (type >= 64 || !(VM_ASSIST_VALID & (1UL << type)))
        return -EINVAL;
    switch ((unsigned int)cmd) {
    case VMASST_CMD_enable:
        __atomic_fetch_or(&d->vm_assist, 1UL << type, __ATOMIC_SEQ_CST);
        return 0;
    case VMASST_CMD_disable:
        __atomic_fetch_and(&d->vm_assist, ~(1UL << type), __ATOMIC_SEQ_CST);
        return 0;
    default:
        return -ENOSYS;
    }
}

/** A domain's state as `xl list` shows it: r b p s c d, one each. */
static void domain_state(const struct domain *d, char state[7])
{
    bool running = false, blocked = d->max_vcpus > 0;
    struct vcpu *v;

    for_each_vcpu (d, v) {
        running |= v->is_running;
        blocked &= v->is_blocked || v->is_down;
    }
    state[0] = running ? 'r' : '-';
    state[1] = !running && blocked ? 'b' : '-';
    state[2] = d->pause_count ? 'p' : '-';
    state[3] = d->is_shutting_down ? 's' : '-';
    state[4] = d->shutdown_code == SHUTDOWN_crash ? 'c' : '-';
    state[5] = d->is_dying ? 'd' : '-';
    state[6] = '\0';
}

/** @p d's line of debug key 'q'. */
static void dump_domain(struct domain *d)
{
    s_time_t ns = 0;
    struct vcpu *v;
    char state[7];

    for_each_vcpu (d, v) /* a running vCPU's slice so far counts */
        ns += v->runtime + (v->is_running ? NOW() - v->run_start : 0);
    domain_state(d, state);
    printk("%-32s %5u %7lu %5u %-6s %5lu.%03lu\n", d->name, d->domain_id,
           d->tot_pages >> (20 - PAGE_SHIFT), d->max_vcpus, state,
           (unsigned long)(ns / 1000000000),
           (unsigned long)(ns / 1000000 % 1000));
}

/** Debug key 'q': the domains, in the format of `xl list`. */
static void dump_domains(unsigned char key)
{
    (void)key;
    printk("%-32s %5s %7s %5s %-6s %9s\n", "Name", "ID", "Mem", "VCPUs",
           "State", "Time(s)");
    for_each_domain(dump_domain);
}
KEYHANDLER('q', dump_domains, "list the domains (like `xl list`)");

/** Walk @p d's page tables for its vCPU 0's RIP. */
static void walk_domain(struct domain *d)
{
    if (d->max_vcpus)
        arch_show_page_walk(d->vcpu[0]);
}

/** Debug key 'w': each domain's page-table walk for its vCPU 0's RIP. */
static void walk_domains(unsigned char key)
{
    (void)key;
    for_each_domain(walk_domain);
}
KEYHANDLER('w', walk_domains, "walk each domain's page tables for its RIP");
