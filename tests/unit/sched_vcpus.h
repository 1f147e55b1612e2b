/*
 * sched_vcpus.h: the vCPUs that the scheduling policies' unit tests play
 * with, named by a letter, 'a' to 'd' (test_sched_credit.c,
 * test_sched_rtds.c).
 *
 * After sched_vcpus_reset(), each is vCPU 0 of a domain of its own (ids 1
 * to 4) on CPU 0, and unknown to the policy under test until insert()
 * gives it to the policy. The tests keep what they measure of each in an
 * array of their own, indexed by sched_vcpu_index().
 */
#ifndef UNIT_SCHED_VCPUS_H
#define UNIT_SCHED_VCPUS_H

#include <hospes/sched.h>

/** The test's vCPUs: a to d. */
#define NR_TEST_VCPUS 4

/** @brief Make every vCPU new (see the file's comment), for policy @p ops. */
void sched_vcpus_reset(const struct scheduler *ops);

/** @brief The vCPU named @p name ('a' to 'd'). */
struct vcpu *vcpu(char name);

/** @brief The index (0 to 3) of vCPU @p v; -1 for an idle vCPU. */
int sched_vcpu_index(const struct vcpu *v);

/** @brief The letter of @p v; '-' for an idle vCPU. */
char name_of(const struct vcpu *v);

/** @brief Has the policy been given the vCPU of index @p i (insert())? */
bool sched_vcpu_present(unsigned int i);

/** @brief Give vCPUs @p names to the policy, each in its own domain. */
void insert(const char *names);

/** @brief Make vCPU @p name, a new one, vCPU @p id of @p owner's domain. */
void insert_into(char name, char owner, unsigned int id);

/** @brief Take vCPU @p name from the policy (it must not be queued). */
void forget(char name);

/** @brief Take every vCPU given from the policy, as the core does:
 *         dequeue it, then remove it. */
void forget_all(void);

#endif /* UNIT_SCHED_VCPUS_H */
