/*
 * sched_vcpus.c: the letter-named vCPUs of the scheduling policies' unit
 * tests (see sched_vcpus.h).
 */
#include "unit.h"

#include "fake_domain.h"
#include "sched_vcpus.h"

/** The policy under test (sched_vcpus_reset()). */
static const struct scheduler *ops;

/** The vCPUs, their domains, and which the policy knows. */
static struct vcpu vcpus[NR_TEST_VCPUS];
static struct domain doms[NR_TEST_VCPUS];
static bool present[NR_TEST_VCPUS];

void sched_vcpus_reset(const struct scheduler *policy)
{
    unsigned int i;

    ops = policy;
    for (i = 0; i < NR_TEST_VCPUS; i++) {
        doms[i] = (struct domain){ .domain_id = i + 1 };
        fake_vcpu_init(&vcpus[i], &doms[i], 0, 0);
        present[i] = false;
    }
}

struct vcpu *vcpu(char name)
{
    unsigned int i = name - 'a';

    ck_assert_uint_lt(i, NR_TEST_VCPUS);
    return &vcpus[i];
}

int sched_vcpu_index(const struct vcpu *v)
{
    if (v->domain->domain_id == DOMID_IDLE)
        return -1;
    ck_assert(v >= vcpus && v < vcpus + NR_TEST_VCPUS);
    return v - vcpus;
}

char name_of(const struct vcpu *v)
{
    int i = sched_vcpu_index(v);

    return i < 0 ? '-' : 'a' + i;
}

bool sched_vcpu_present(unsigned int i)
{
    ck_assert_uint_lt(i, NR_TEST_VCPUS);
    return present[i];
}

void insert(const char *names)
{
    for (; *names; names++) {
        ck_assert_int_eq(ops->insert_vcpu(ops, vcpu(*names)), 0);
        present[*names - 'a'] = true;
    }
}

void insert_into(char name, char owner, unsigned int id)
{
    fake_vcpu_init(vcpu(name), vcpu(owner)->domain, id, 0);
    insert((char[]){ name, '\0' });
}

void forget(char name)
{
    ops->remove_vcpu(ops, vcpu(name));
    present[name - 'a'] = false;
}

void forget_all(void)
{
    unsigned int i;

    for (i = 0; i < NR_TEST_VCPUS; i++)
        if (present[i]) {
            ops->sleep(ops, &vcpus[i]);
            forget('a' + i);
        }
}
