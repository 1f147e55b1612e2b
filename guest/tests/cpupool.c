/**
 * @file
 * @brief Lab 7 test guest: dom0 splits the machine into two CPU pools
 *        with sysctl (public/sysctl.h) and moves a domain into the new
 *        one.
 *
 * Runs as dom0 on two CPUs or more. Command line: `move=D` (the domain
 * to move), `sched=credit|rtds|rr` (the new pool's policy), `until=MS`
 * (when to shut
 * down, ms of system time; default DEFAULT_UNTIL_MS). In order, one line
 * each:
 *  - pool 0's info: "cpupool: pool 0: sched S, cpus 0xM, domains N";
 *  - the refusals it can provoke with pool 0 alone, a line per operation
 *    (see refusals()): unknown command, operation and policy, another
 *    interface version, an argument at NULL, pools and CPUs and domains
 *    that are not there or busy;
 *  - a pool with pool 0's policy (an instance of its own) created and
 *    destroyed;
 *  - pins its own vCPU to CPU 0 (HOSPES_DOMCTL_set_vcpu_affinity): the
 *    hypervisor refuses to take away the CPU its caller runs on;
 *  - creates the pool (any id: pool 1), moving D into it before it has a
 *    CPU is refused (-EINVAL);
 *  - takes CPU 1 out of pool 0 (it is free then), adds it to the new
 *    pool, moves D there;
 *  - lists every pool (INFO from id 0 on, until -ENOENT), and the
 *    refusals that need the new pool: pool 0's last CPU (it has
 *    domains), destroying a pool with a CPU and a domain;
 *  - sleeps until `until=` (set_timer_op and a block) and shuts down.
 * Every answer is checked; a step that fails is a FAIL line, and a step
 * the next ones need ends the test with ERROR.
 */
#include <public/domctl.h>
#include <public/errno.h>
#include <public/sched.h>
#include <public/sysctl.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/test.h>

/** Nanoseconds in a millisecond. */
#define MS 1000000ULL
/** `until=` without the option, in ms. */
#define DEFAULT_UNTIL_MS 1000
/** The CPU that moves to the new pool. */
#define MOVED_CPU 1
/** A pool, a domain and a CPU that are not there. */
#define NO_POOL   42
#define NO_DOMAIN 42 /**< see NO_POOL */
#define NO_CPU    63 /**< see NO_POOL */
/** An interface version, a command, an operation, a policy: all wrong. */
#define BAD_NUMBER 77

/** The policies by name (`sched=`) and id. */
static const struct {
    const char *name;
    uint32_t id;
} policies[] = {
    { "credit", XEN_SCHEDULER_CREDIT },
    { "rtds", XEN_SCHEDULER_RTDS },
    { "rr", HOSPES_SCHEDULER_RR },
};
/** How many there are. */
#define NR_POLICIES (sizeof(policies) / sizeof(policies[0]))

/** The name of policy @p id, or "?". */
static const char *policy_name(uint32_t id)
{
    unsigned int i;

    for (i = 0; i < NR_POLICIES; i++)
        if (policies[i].id == id)
            return policies[i].name;
    return "?";
}

/** HYPERVISOR_sysctl. */
static long sysctl(struct hospes_sysctl *op)
{
    return _hypercall1(__HYPERVISOR_sysctl, op);
}

/**
 * A CPU-pool operation @p op on pool @p pool with @p arg: the domain for
 * MOVEDOMAIN, the CPU for ADDCPU and RMCPU, the policy for CREATE; *@p out
 * (if given) receives what came back.
 */
static long pool_op(uint32_t op, uint32_t pool, uint32_t arg,
                    struct hospes_sysctl_cpupool_op *out)
{
    struct hospes_sysctl s = {
        .cmd = HOSPES_SYSCTL_cpupool_op,
        .interface_version = HOSPES_SYSCTL_INTERFACE_VERSION,
        .u.cpupool_op = { .op = op,
                          .cpupool_id = pool,
                          .sched_id = arg,
                          .domid = arg,
                          .cpu = arg },
    };
    long rc = sysctl(&s);

    if (out)
        *out = s.u.cpupool_op;
    return rc;
}

/** The whole sysctl @p cmd with interface version @p version. */
static long raw_sysctl(uint32_t cmd, uint32_t version)
{
    struct hospes_sysctl s = { .cmd = cmd, .interface_version = version };

    s.u.cpupool_op.op = HOSPES_SYSCTL_CPUPOOL_OP_INFO;
    return sysctl(&s);
}

/**
 * Print every pool: INFO gives the first pool whose id is the one asked
 * or more, so ask from 0, then from one past the last answer.
 * @return how many there are.
 */
static unsigned int list_pools(void)
{
    struct hospes_sysctl_cpupool_op info;
    uint32_t next = 0;
    unsigned int n = 0;
    long rc;

    while (!(rc = pool_op(HOSPES_SYSCTL_CPUPOOL_OP_INFO, next, 0, &info))) {
        printf("cpupool: pool %u: sched %s, cpus 0x%lx, domains %u\n",
               info.cpupool_id, policy_name(info.sched_id),
               (unsigned long)info.cpumap, info.n_dom);
        next = info.cpupool_id + 1;
        n++;
    }
    CHECK_EQ(rc, -XEN_ENOENT);
    return n;
}

/** One refusal: what is tried, and the error it must get. */
struct refusal {
    const char *what; /**< printed */
    long rc;          /**< what came */
    long want;        /**< what must come */
};

/** Print the refusals @p r[@p n] in one line after @p title; check each. */
static void report(const char *title, const struct refusal *r, unsigned int n)
{
    unsigned int i;

    printf("cpupool: %s:", title);
    for (i = 0; i < n; i++)
        printf("%s %s %ld", i ? "," : "", r[i].what, r[i].rc);
    printf("\n");
    for (i = 0; i < n; i++)
        CHECK(r[i].rc == r[i].want, "%s: got %ld, expected %ld", r[i].what,
              r[i].rc, r[i].want);
}

/** The refusals of one operation, printed on one line. */
#define REPORT(title, ...)                                                     \
    do {                                                                       \
        const struct refusal r[] = { __VA_ARGS__ };                            \
        report(title, r, sizeof(r) / sizeof(r[0]));                            \
    } while (0)

/**
 * What the hypervisor must refuse while pool 0 is the only pool, a line
 * per operation (a guest's line holds 128 characters at most).
 * @param new_sched  the policy of the pool to come.
 * @param move       the domain to move.
 */
static void refusals(uint32_t new_sched, domid_t move)
{
    REPORT("refused",
           { "version 77", raw_sysctl(HOSPES_SYSCTL_cpupool_op, BAD_NUMBER),
             -XEN_EACCES },
           { "command 77",
             raw_sysctl(BAD_NUMBER, HOSPES_SYSCTL_INTERFACE_VERSION),
             -XEN_ENOSYS },
           { "operation 77", pool_op(BAD_NUMBER, 0, 0, NULL), -XEN_ENOSYS },
           { "argument at NULL", sysctl(NULL), -XEN_EFAULT });
    REPORT("refused create",
           { "policy 77",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_CREATE, HOSPES_CPUPOOL_PAR_ANY,
                     BAD_NUMBER, NULL),
             -XEN_EINVAL },
           { "as pool 0",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_CREATE, 0, new_sched, NULL),
             -XEN_EEXIST });
    REPORT("refused destroy and info",
           { "destroy pool 0",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_DESTROY, 0, 0, NULL),
             -XEN_EBUSY },
           { "destroy pool 42",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_DESTROY, NO_POOL, 0, NULL),
             -XEN_ENOENT },
           { "info past the last",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_INFO, 1, 0, NULL), -XEN_ENOENT });
    REPORT("refused addcpu",
           { "to pool 42",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_ADDCPU, NO_POOL, MOVED_CPU, NULL),
             -XEN_ENOENT },
           { "cpu 63",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_ADDCPU, 0, NO_CPU, NULL),
             -XEN_EINVAL },
           { "cpu 0 (not free)",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_ADDCPU, 0, 0, NULL), -XEN_EBUSY },
           { "any (none free)",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_ADDCPU, 0, HOSPES_CPUPOOL_PAR_ANY,
                     NULL),
             -XEN_ENODEV });
    REPORT("refused rmcpu",
           { "from pool 42",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_RMCPU, NO_POOL, MOVED_CPU, NULL),
             -XEN_ENOENT },
           { "cpu 63", pool_op(HOSPES_SYSCTL_CPUPOOL_OP_RMCPU, 0, NO_CPU, NULL),
             -XEN_EINVAL });
    REPORT("refused movedomain",
           { "to pool 42",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, NO_POOL, move, NULL),
             -XEN_ENOENT },
           { "d42",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 0, NO_DOMAIN, NULL),
             -XEN_ESRCH },
           { "d0 (the caller's)",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 0, 0, NULL),
             -XEN_EBUSY });
}

/**
 * What the hypervisor must refuse once pool 0 has one CPU and new pool
 * @p pool has the other and a domain.
 */
static void refusals_now(uint32_t pool)
{
    REPORT("refused now",
           { "rmcpu of pool 0's last cpu",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_RMCPU, 0, 0, NULL), -XEN_EBUSY },
           { "destroy the new pool",
             pool_op(HOSPES_SYSCTL_CPUPOOL_OP_DESTROY, pool, 0, NULL),
             -XEN_EBUSY });
}

/**
 * Create a pool with pool 0's policy @p sched, which gets an instance of
 * its own, check that INFO shows it, and destroy it again.
 */
static void same_policy_pool(uint32_t sched)
{
    struct hospes_sysctl_cpupool_op made, info;
    long created, listed, destroyed;

    created = pool_op(HOSPES_SYSCTL_CPUPOOL_OP_CREATE, HOSPES_CPUPOOL_PAR_ANY,
                      sched, &made);
    listed = pool_op(HOSPES_SYSCTL_CPUPOOL_OP_INFO, made.cpupool_id, 0, &info);
    destroyed =
        pool_op(HOSPES_SYSCTL_CPUPOOL_OP_DESTROY, made.cpupool_id, 0, NULL);
    printf("cpupool: a second %s pool: create %ld (pool %u, sched %s), "
           "destroy %ld\n",
           policy_name(sched), created, made.cpupool_id,
           policy_name(info.sched_id), destroyed);
    CHECK_EQ(created, 0);
    CHECK_EQ(listed, 0);
    CHECK_EQ(info.sched_id, sched);
    CHECK_EQ(destroyed, 0);
}

/**
 * HOSPES_DOMCTL_set_vcpu_affinity (@p set) or _get of vCPU @p vcpu of
 * domain @p dom; *@p cpumap in, and out as the hypervisor keeps it.
 */
static long affinity(domid_t dom, uint32_t vcpu, bool set, uint64_t *cpumap)
{
    struct hospes_domctl op = {
        .cmd = set ? HOSPES_DOMCTL_set_vcpu_affinity
                   : HOSPES_DOMCTL_get_vcpu_affinity,
        .interface_version = HOSPES_DOMCTL_INTERFACE_VERSION,
        .domain = dom,
        .u.vcpu_affinity = { .vcpu = vcpu, .cpumap = *cpumap },
    };
    long rc = _hypercall1(__HYPERVISOR_domctl, &op);

    *cpumap = op.u.vcpu_affinity.cpumap;
    return rc;
}

/**
 * Pin vCPU 0 of this domain (dom0, on CPU 0 from boot) to CPU 0, so that
 * CPU 1 can leave pool 0; read domain @p other's vCPU 0 affinity (every
 * CPU); and the refusals.
 */
static void pin_to_cpu0(domid_t other)
{
    uint64_t map = 1, all = 0, none = 0, offline = 1UL << 15, any = ~0UL;
    long rc = affinity(0, 0, true, &map);

    printf("cpupool: d0v0 pinned to cpu 0: %ld, affinity 0x%lx\n", rc,
           (unsigned long)map);
    CHECK_EQ(rc, 0);
    CHECK_EQ(map, 1);
    rc = affinity(other, 0, false, &all);
    printf("cpupool: d%u v0's affinity: %ld, 0x%lx\n", other, rc,
           (unsigned long)all);
    CHECK_EQ(rc, 0);
    REPORT("refused affinity",
           { "no cpu", affinity(other, 0, true, &none), -XEN_EINVAL },
           { "cpu 15 only (offline)", affinity(other, 0, true, &offline),
             -XEN_EINVAL },
           { "vcpu 7", affinity(other, 7, true, &any), -XEN_ENOENT },
           { "d42", affinity(42, 0, true, &any), -XEN_ESRCH });
}

/** Timer ticks (VIRQ_TIMER events) handled. */
static volatile unsigned long ticks;

/** Sleep until system time @p until (ns). */
static void sleep_until(uint64_t until)
{
    long port = evtchn_bind_virq(VIRQ_TIMER);

    if (port < 0)
        test_error("cpupool: bind_virq VIRQ_TIMER: %ld", port);
    evtchn_set_handler(port, evtchn_count_event, (void *)&ticks);
    CHECK_EQ(HYPERVISOR_set_timer_op(until), 0);
    events_wait(&ticks, 1);
}

void test_main(const struct start_info *si)
{
    struct hospes_sysctl_cpupool_op info, created, freeinfo;
    unsigned long move, until = DEFAULT_UNTIL_MS;
    uint32_t sched = 0, pool;
    unsigned int i;
    long rc;

    events_init(si);
    if (!cmdline_get_ulong(si->cmd_line, "move", &move))
        test_error("cpupool: move=D is missing");
    cmdline_get_ulong(si->cmd_line, "until", &until);
    for (i = 0; i < NR_POLICIES; i++)
        if (cmdline_is(si->cmd_line, "sched", policies[i].name))
            sched = policies[i].id;
    if (!sched)
        test_error("cpupool: sched= is credit, rtds or rr");

    rc = pool_op(HOSPES_SYSCTL_CPUPOOL_OP_INFO, 0, 0, &info);
    if (rc || info.cpupool_id != 0)
        test_error("cpupool: info of pool 0: %ld (pool %u)", rc,
                   info.cpupool_id);
    printf("cpupool: pool 0: sched %s, cpus 0x%lx, domains %u\n",
           policy_name(info.sched_id), (unsigned long)info.cpumap, info.n_dom);
    refusals(sched, (domid_t)move);
    same_policy_pool(info.sched_id);
    pin_to_cpu0(move);

    rc = pool_op(HOSPES_SYSCTL_CPUPOOL_OP_CREATE, HOSPES_CPUPOOL_PAR_ANY, sched,
                 &created);
    pool = created.cpupool_id;
    printf("cpupool: create a pool, sched %s: %ld, pool %u\n",
           policy_name(sched), rc, pool);
    if (rc)
        test_error("cpupool: no pool to go on with");
    rc = pool_op(HOSPES_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, pool, move, NULL);
    printf("cpupool: move d%lu to pool %u, which has no cpu: %ld\n", move, pool,
           rc);
    CHECK_EQ(rc, -XEN_EINVAL);

    rc = pool_op(HOSPES_SYSCTL_CPUPOOL_OP_RMCPU, 0, MOVED_CPU, NULL);
    CHECK_EQ(pool_op(HOSPES_SYSCTL_CPUPOOL_OP_FREEINFO, 0, 0, &freeinfo), 0);
    printf("cpupool: rmcpu %u from pool 0: %ld; free cpus 0x%lx\n", MOVED_CPU,
           rc, (unsigned long)freeinfo.cpumap);
    CHECK_EQ(rc, 0);
    CHECK_EQ(freeinfo.cpumap, 1UL << MOVED_CPU);
    rc = pool_op(HOSPES_SYSCTL_CPUPOOL_OP_ADDCPU, pool, MOVED_CPU, NULL);
    printf("cpupool: addcpu %u to pool %u: %ld\n", MOVED_CPU, pool, rc);
    CHECK_EQ(rc, 0);
    rc = pool_op(HOSPES_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, pool, move, NULL);
    printf("cpupool: move d%lu to pool %u: %ld, done at %lu ms\n", move, pool,
           rc, (unsigned long)(guest_now() / MS));
    CHECK_EQ(rc, 0);

    CHECK_EQ(list_pools(), 2);
    refusals_now(pool);

    sleep_until(until * MS);
    printf("cpupool: %lu ms: done\n", until);
}
