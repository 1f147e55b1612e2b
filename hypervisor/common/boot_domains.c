/**
 * @file
 * @brief The domains built at boot: dom0 from the first Multiboot module,
 *        and further domains (Xen calls them dom0less) from `domu=`.
 *
 * Lab 4 (labs/04-pv-domains/README.md). Design page: docs/pv-guests.md
 * (section "Boot-time domains").
 *
 * Options:
 *  - `dom0_mem=<size>`: dom0's memory (default 64M).
 *  - `dom0_max_vcpus=N`: dom0's vCPUs (default 1, at most 32).
 *  - `dom0_weight=W`, `dom0_cap=C`: dom0's scheduling parameters.
 *  - `domu=MODULE[,mem=SIZE][,name=NAME][,vcpus=N][,weight=W][,cap=C]
 *    [,period=P][,budget=B]`, as often as needed: a domain built from
 *    Multiboot module number MODULE (counted from 0 in `-initrd` order;
 *    module 0 is dom0's kernel), with SIZE of memory (default 16M), a name
 *    (default "domU" and its id), N vCPUs (default 1, at most 32), and
 *    scheduling parameters. Domains get ids 1, 2, ... in the order of
 *    their options.
 *
 * vCPU 0 starts at the kernel's entry; the others are down until the
 * guest starts them (VCPUOP_initialise and VCPUOP_up), as in Xen.
 *
 * The scheduling parameters are lab 7's: under `sched=credit`, weight W
 * (its share relative to the others', 1 to 65535, default 256) and cap C
 * (the most it may run, in percent of one CPU; 0, the default, is none);
 * under `sched=rtds`, each vCPU's period P and budget B, in microseconds
 * as `xl sched-rtds` takes them (10000 and 4000 by default). They are
 * given to the scheduler with sched_adjust() once the domain has its
 * vCPUs. A value the scheduler refuses is reported and the domain is
 * built with its defaults; parameters of another policy than the one in
 * use are ignored, with a warning.
 *
 * A module's string is its file name and then the command line its
 * kernel gets in start_info.
 *
 * Until the toolstack (lab 9) there is no one to reap a domain that shuts
 * down, so each is destroyed at once, and when the last one is gone the
 * machine stops (common/domain.c).
 */
#include <hospes/bootinfo.h>
#include <hospes/domain_build.h>
#include <hospes/errno.h>
#include <hospes/lib.h>
#include <hospes/param.h>
#include <hospes/printk.h>
#include <hospes/sched.h>
#include <public/sysctl.h>

/** Most `domu=` options. */
#define MAX_BOOT_DOMUS 8
/** Default memory of a boot-time domU. */
#define DOMU_MEM_DEFAULT (16UL << 20)

/** `dom0_mem=`: dom0's memory in bytes. */
static uint64_t opt_dom0_mem = 64UL << 20;
size_param("dom0_mem", opt_dom0_mem);

/** Most vCPUs of a boot-time domain. */
#define MAX_BOOT_VCPUS MAX_VIRT_CPUS

/** The scheduling parameters a boot-time domain's options ask for. */
struct boot_sched {
    struct sched_params p; /**< the values given (period, budget: us) */
    bool has_weight;       /**< p.weight was given */
    bool has_cap;          /**< p.cap was given */
    bool has_period;       /**< p.period was given */
    bool has_budget;       /**< p.budget was given */
};

/** `dom0_weight=` and `dom0_cap=`. */
static struct boot_sched dom0_sched;

/** `dom0_max_vcpus=`: dom0's vCPUs. */
static unsigned int opt_dom0_vcpus = 1;

/**
 * Parse the @p len characters at @p s, a whole decimal number that fits an
 * unsigned int, into *@p out, and set *@p given.
 * @return 0, or -EINVAL (nothing changes)
 */
static int parse_uint(const char *s, size_t len, unsigned int *out, bool *given)
{
    const char *end;
    unsigned long v = simple_strtoul(s, &end);

    if (end == s || end != s + len || v != (unsigned int)v)
        return -EINVAL;
    *out = v;
    *given = true;
    return 0;
}

/** Parse @p len characters at @p s, a vCPU count, into *@p out. */
static int parse_vcpus(const char *s, size_t len, unsigned int *out)
{
    unsigned int n;
    bool given;

    if (parse_uint(s, len, &n, &given) || !n || n > MAX_BOOT_VCPUS)
        return -EINVAL;
    *out = n;
    return 0;
}

/** Parse @p len characters at @p s, microseconds, into *@p ns (in ns). */
static int parse_us(const char *s, size_t len, s_time_t *ns, bool *given)
{
    unsigned int us;

    if (parse_uint(s, len, &us, given))
        return -EINVAL;
    *ns = MICROSECS(us);
    return 0;
}

/** `dom0_max_vcpus=N`. */
static int parse_dom0_vcpus(const char *s)
{
    return parse_vcpus(s, strlen(s), &opt_dom0_vcpus);
}
custom_param("dom0_max_vcpus", parse_dom0_vcpus);

/** `dom0_weight=W`. */
static int parse_dom0_weight(const char *s)
{
    return parse_uint(s, strlen(s), &dom0_sched.p.weight,
                      &dom0_sched.has_weight);
}
custom_param("dom0_weight", parse_dom0_weight);

/** `dom0_cap=C`. */
static int parse_dom0_cap(const char *s)
{
    return parse_uint(s, strlen(s), &dom0_sched.p.cap, &dom0_sched.has_cap);
}
custom_param("dom0_cap", parse_dom0_cap);

/** One `domu=` option. */
struct domu_spec {
    unsigned long module;        /**< its kernel's module number */
    uint64_t mem;                /**< its memory in bytes */
    char name[DOMAIN_NAME_SIZE]; /**< its name, or "" for the default */
    unsigned int vcpus;          /**< its vCPUs */
    struct boot_sched sched;     /**< its scheduling parameters, if given */
};

/** The `domu=` options, in order. */
static struct domu_spec domus[MAX_BOOT_DOMUS];
/** How many there are. */
static unsigned int nr_domus;

/** Parse one `key=value` field of a `domu=` option into @p spec. */
static int parse_domu_field(struct domu_spec *spec, const char *f, size_t len)
{
    const char *end;

    if (len > 4 && !strncmp(f, "mem=", 4)) {
        spec->mem = parse_size_and_unit(f + 4, &end);
        return end == f + len && spec->mem ? 0 : -EINVAL;
    }
    if (len > 5 && len - 5 < sizeof(spec->name) && !strncmp(f, "name=", 5)) {
        memcpy(spec->name, f + 5, len - 5);
        spec->name[len - 5] = '\0';
        return 0;
    }
    if (!strncmp(f, "weight=", 7))
        return parse_uint(f + 7, len - 7, &spec->sched.p.weight,
                          &spec->sched.has_weight);
    if (!strncmp(f, "cap=", 4))
        return parse_uint(f + 4, len - 4, &spec->sched.p.cap,
                          &spec->sched.has_cap);
    if (!strncmp(f, "vcpus=", 6))
        return parse_vcpus(f + 6, len - 6, &spec->vcpus);
    if (!strncmp(f, "period=", 7))
        return parse_us(f + 7, len - 7, &spec->sched.p.period,
                        &spec->sched.has_period);
    if (!strncmp(f, "budget=", 7))
        return parse_us(f + 7, len - 7, &spec->sched.p.budget,
                        &spec->sched.has_budget);
    return -EINVAL;
}

/** Parse one `domu=` option (see the file's comment). */
static int parse_domu(const char *s)
{
    struct domu_spec spec = { .mem = DOMU_MEM_DEFAULT, .vcpus = 1 };
    const char *end;

    if (nr_domus == MAX_BOOT_DOMUS)
        return -ENOSPC;
    spec.module = simple_strtoul(s, &end);
    if (end == s || spec.module == 0)
        return -EINVAL; /* module 0 is dom0's */
    while (*end == ',') {
        const char *f = end + 1, *comma = strchr(f, ',');
        size_t len = comma ? (size_t)(comma - f) : strlen(f);

        if (parse_domu_field(&spec, f, len))
            return -EINVAL;
        end = f + len;
    }
    if (*end)
        return -EINVAL;
    domus[nr_domus++] = spec;
    return 0;
}
custom_param("domu", parse_domu);

/** The command line in a module's string: what follows the file name. */
static const char *module_cmdline(const struct boot_module *m)
{
    const char *space = strchr(m->string, ' ');

    return space ? space + 1 : "";
}

/** Warn that domain @p d's parameters @p what mean nothing to its policy. */
static void warn_ignored(const struct domain *d, const char *what)
{
    printk(LOG_WARNING "d%u (%s): %s need another policy than %s: ignored\n",
           d->domain_id, d->name, what, d->cpupool->sched->opt_name);
}

/** Copy into @p p what @p s gives of the parameters. @return whether it
 *  gives any */
static bool apply_given(struct sched_params *p, const struct boot_sched *s)
{
    if (s->has_weight)
        p->weight = s->p.weight;
    if (s->has_cap)
        p->cap = s->p.cap;
    if (s->has_period)
        p->period = s->p.period;
    if (s->has_budget)
        p->budget = s->p.budget;
    return s->has_weight || s->has_cap || s->has_period || s->has_budget;
}

/**
 * Give domain @p d, which has its vCPUs, the parameters @p s asks for that
 * its policy has (the policy's defaults for the others), and log what it
 * then has. A value the policy refuses leaves its defaults.
 */
static void boot_domain_sched(struct domain *d, const struct boot_sched *s)
{
    unsigned int id = d->cpupool->sched->sched_id;
    bool credit = id == XEN_SCHEDULER_CREDIT, rtds = id == XEN_SCHEDULER_RTDS;
    struct sched_params p;
    int rc;

    if ((s->has_weight || s->has_cap) && !credit)
        warn_ignored(d, "weight and cap");
    if ((s->has_period || s->has_budget) && !rtds)
        warn_ignored(d, "period and budget");
    if (!credit && !rtds)
        return;
    rc = sched_adjust(d, &p, false);
    if (!rc && apply_given(&p, s) && sched_adjust(d, &p, true) == -EINVAL)
        printk(LOG_WARNING "d%u (%s): the scheduler refuses its parameters "
                           "(weight 1 to 65535, cap 0 to 100 per vCPU; "
                           "budget 10 us to period): keeping the defaults\n",
               d->domain_id, d->name);
    rc = rc ?: sched_adjust(d, &p, false);
    if (rc)
        printk(LOG_WARNING "d%u (%s): sched_adjust failed: %d\n", d->domain_id,
               d->name, rc);
    else if (credit)
        printk(LOG_INFO "d%u (%s): weight %u, cap %u%s\n", d->domain_id,
               d->name, p.weight, p.cap, p.cap ? "%" : " (none)");
    else
        printk(LOG_INFO "d%u (%s): period %ld us, budget %ld us\n",
               d->domain_id, d->name, p.period / MICROSECS(1),
               p.budget / MICROSECS(1));
}

/** Give @p d vCPUs 0 to @p n - 1. @return 0, or -ENOMEM */
static int create_vcpus(struct domain *d, unsigned int n)
{
    unsigned int i;

    for (i = 0; i < n; i++)
        if (!vcpu_create(d, i))
            return -ENOMEM;
    return 0;
}

/**
 * Create domain @p id from module @p mod with @p mem bytes and @p vcpus
 * vCPUs, build it, give it the scheduling parameters @p sched asks for,
 * and leave it paused. A boot-time domain that cannot be built is fatal,
 * as in Xen: the machine was booted to run it.
 */
static struct domain *boot_domain(domid_t id, const char *name,
                                  unsigned long mod, uint64_t mem,
                                  unsigned int vcpus,
                                  const struct boot_sched *sched)
{
    const struct boot_module *m = &boot_info.modules[mod];
    bool is_dom0 = id == 0;
    struct domain *d;

    if (mod >= boot_info.nr_modules)
        panic("d%u (%s): there is no module %lu", id, name, mod);
    d = domain_create(id, name, is_dom0);
    if (!d)
        panic("d%u (%s) could not be created", id, name);
    d->max_pages = mem >> PAGE_SHIFT;
    printk("Building d%u (%s) from module %lu: %s\n", id, name, mod, m->string);
    if (create_vcpus(d, vcpus) ||
        pv_build_domain(d, maddr_to_virt(m->start), m->end - m->start,
                        module_cmdline(m),
                        is_dom0 ? SIF_INITDOMAIN | SIF_PRIVILEGED : 0))
        panic("d%u (%s) could not be built", id, name);
    boot_domain_sched(d, sched);
    return d;
}

void create_boot_domains(void)
{
    struct domain *built[1 + MAX_BOOT_DOMUS];
    unsigned int i, n = 0;

    if (!boot_info.nr_modules) {
        printk("No dom0 kernel (no Multiboot module): no domains to run\n");
        return;
    }
    built[n++] = boot_domain(0, "Domain-0", 0, opt_dom0_mem, opt_dom0_vcpus,
                             &dom0_sched);
    for (i = 0; i < nr_domus; i++) {
        char name[DOMAIN_NAME_SIZE];

        snprintf(name, sizeof(name), "domU%u", i + 1);
        built[n++] = boot_domain(i + 1, domus[i].name[0] ? domus[i].name : name,
                                 domus[i].module, domus[i].mem, domus[i].vcpus,
                                 &domus[i].sched);
    }
    for (i = 0; i < n; i++) /* all built: now they may run */
        domain_unpause(built[i]);
}
