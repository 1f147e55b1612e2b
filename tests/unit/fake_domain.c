/*
 * fake_domain.c: the current vCPU and the idle vCPUs, which the scheduler
 * core keeps in the hypervisor (see fake_domain.h).
 */
#include "unit.h"

#include <hospes/sched.h>
#include <hospes/smp.h>

#include "fake_domain.h"

/** The idle domain and its vCPUs, one per CPU. */
static struct domain idle_domain = { .domain_id = DOMID_IDLE };
static struct vcpu idle_vcpus[NR_CPUS];

/** What get_current() returns: one CPU runs the test. */
static struct vcpu *current_vcpu;

/** sched_poke_cpu() calls, per CPU. */
static unsigned int pokes[NR_CPUS];

void fake_vcpu_init(struct vcpu *v, struct domain *d, unsigned int id,
                    unsigned int cpu)
{
    *v = (struct vcpu){
        .vcpu_id = id, .processor = cpu, .domain = d, .cpu_hard_affinity = ~0UL
    };
}

struct vcpu *idle_vcpu(unsigned int cpu)
{
    struct vcpu *v;

    ck_assert_uint_lt(cpu, NR_CPUS);
    v = &idle_vcpus[cpu];
    if (!v->domain) /* first asked for */
        fake_vcpu_init(v, &idle_domain, cpu, cpu);
    return v;
}

struct vcpu *get_current(void)
{
    return current_vcpu;
}

void set_current(struct vcpu *v)
{
    current_vcpu = v;
}

void sched_poke_cpu(unsigned int cpu)
{
    ck_assert_uint_lt(cpu, NR_CPUS);
    pokes[cpu]++;
}

unsigned int fake_pokes(unsigned int cpu)
{
    return pokes[cpu];
}

bool sched_trylock_cpu(unsigned int cpu)
{
    ck_assert_uint_lt(cpu, NR_CPUS);
    return true;
}

void sched_unlock_cpu(unsigned int cpu)
{
    ck_assert_uint_lt(cpu, NR_CPUS);
}

void sched_set_processor(struct vcpu *v, unsigned int cpu)
{
    ck_assert(!v->is_running);
    v->processor = cpu;
}
