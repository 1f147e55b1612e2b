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
 *  - `dom0_weight=W`, `dom0_cap=C`: dom0's scheduling parameters.
 *  - `domu=MODULE[,mem=SIZE][,name=NAME][,weight=W][,cap=C]`, as often as
 *    needed: a domain built from Multiboot module number MODULE (counted
 *    from 0 in `-initrd` order; module 0 is dom0's kernel), with SIZE of
 *    memory (default 16M), a name (default "domU" and its id), and
 *    scheduling parameters. Domains get ids 1, 2, ... in the order of
 *    their options.
 *
 * The scheduling parameters are the credit scheduler's (lab 7): weight W
 * (its share relative to the others', 1 to 65535, default 256) and cap C
 * (the most it may run, in percent of one CPU; 0, the default, is none).
 * They are given to the scheduler with sched_adjust() once the domain has
 * its vCPU. A value the scheduler refuses is reported and the domain is
 * built with its defaults; under another policy (`sched=rr`, `sched=rtds`)
 * they are ignored, with a warning.
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

/** Most `domu=` options. */
#define MAX_BOOT_DOMUS 8
/** Default memory of a boot-time domU. */
#define DOMU_MEM_DEFAULT (16UL << 20)

/** `dom0_mem=`: dom0's memory in bytes. */
static uint64_t opt_dom0_mem = 64UL << 20;
size_param("dom0_mem", opt_dom0_mem);

/** The scheduling parameters a boot-time domain's options ask for. */
struct boot_sched {
    struct sched_params p; /**< the values given */
    bool has_weight;       /**< p.weight was given */
    bool has_cap;          /**< p.cap was given */
};

/** `dom0_weight=` and `dom0_cap=`. */
static struct boot_sched dom0_sched;

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
    struct boot_sched sched;     /**< its weight and cap, if given */
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
    return -EINVAL;
}

/** Parse `domu=MODULE[,mem=SIZE][,name=NAME][,weight=W][,cap=C]`. */
static int parse_domu(const char *s)
{
    struct domu_spec spec = { .mem = DOMU_MEM_DEFAULT };
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

/**
 * Give domain @p d, which has its vCPU, the weight and cap @p s asks for
 * (the scheduler's defaults for what it does not ask), and log what it
 * then has. A value the scheduler refuses leaves its defaults.
 */
static void boot_domain_sched(struct domain *d, const struct boot_sched *s)
{
    struct sched_params p;
    int rc = sched_adjust(d, &p, false);

    /* Only credit has weights, never 0: rr has no parameters (-ENOSYS),
     * rtds others (its weight reads 0). */
    if (rc == -ENOSYS || (!rc && !p.weight)) {
        if (s->has_weight || s->has_cap)
            printk(LOG_WARNING "d%u (%s): weight and cap need sched=credit: "
                               "ignored\n",
                   d->domain_id, d->name);
        return;
    }
    if (!rc && (s->has_weight || s->has_cap)) {
        if (s->has_weight)
            p.weight = s->p.weight;
        if (s->has_cap)
            p.cap = s->p.cap;
        rc = sched_adjust(d, &p, true);
        if (rc == -EINVAL)
            printk(LOG_WARNING "d%u (%s): the scheduler refuses weight %u, "
                               "cap %u (weight 1 to 65535, cap 0 to 100 "
                               "per vCPU): keeping the defaults\n",
                   d->domain_id, d->name, p.weight, p.cap);
        rc = sched_adjust(d, &p, false);
    }
    if (rc)
        printk(LOG_WARNING "d%u (%s): sched_adjust failed: %d\n", d->domain_id,
               d->name, rc);
    else
        printk(LOG_INFO "d%u (%s): weight %u, cap %u%s\n", d->domain_id,
               d->name, p.weight, p.cap, p.cap ? "%" : " (none)");
}

/**
 * Create domain @p id from module @p mod with @p mem bytes, build it,
 * give it the scheduling parameters @p sched asks for, and leave it
 * paused. A boot-time domain that cannot be built is fatal, as
 * in Xen: the machine was booted to run it.
 */
static struct domain *boot_domain(domid_t id, const char *name,
                                  unsigned long mod, uint64_t mem,
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
    if (!vcpu_create(d, 0, sched_pick_cpu()) ||
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
    built[n++] = boot_domain(0, "Domain-0", 0, opt_dom0_mem, &dom0_sched);
    for (i = 0; i < nr_domus; i++) {
        char name[DOMAIN_NAME_SIZE];

        snprintf(name, sizeof(name), "domU%u", i + 1);
        built[n++] =
            boot_domain(i + 1, domus[i].name[0] ? domus[i].name : name,
                        domus[i].module, domus[i].mem, &domus[i].sched);
    }
    for (i = 0; i < n; i++) /* all built: now they may run */
        domain_unpause(built[i]);
}
