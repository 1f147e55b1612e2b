/*
 * fake_domain.h: who runs where, for tests of the code of lab 4 and later
 * that asks (hypercall handlers, scheduling policies).
 *
 * In the hypervisor the scheduler core (common/sched/core.c) keeps each
 * CPU's current vCPU and its idle vCPU. Here current is whatever vCPU the
 * test set with set_current() (NULL at first), and each CPU has an idle
 * vCPU of an idle domain (DOMID_IDLE) that no test needs to build.
 *
 * Domains and vCPUs the test needs it declares itself, zeroed, and fills
 * in what the code under test reads (domain_id, is_privileged, ...).
 *
 * What the core offers a policy's load balancer is here too: every CPU's
 * lock is free (sched_trylock_cpu() succeeds), moving a vCPU sets its
 * processor, and the CPUs a policy pokes are counted (fake_pokes()).
 */
#ifndef UNIT_FAKE_DOMAIN_H
#define UNIT_FAKE_DOMAIN_H

#include <hospes/domain.h>

/** Make @p v the vCPU get_current() returns (NULL at first). */
void set_current(struct vcpu *v);

/** Make @p v vCPU @p id of @p d on CPU @p cpu, with nothing else set. */
void fake_vcpu_init(struct vcpu *v, struct domain *d, unsigned int id,
                    unsigned int cpu);

/** How many times the policy poked CPU @p cpu (sched_poke_cpu()). */
unsigned int fake_pokes(unsigned int cpu);

#endif /* UNIT_FAKE_DOMAIN_H */
