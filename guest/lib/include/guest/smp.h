/**
 * @file
 * @brief A guest's secondary vCPUs: which vCPU am I, how many are there,
 *        and starting one on a function (guest/lib/smp.c).
 *
 * Lab 7 (multi-vCPU domains). A domain booted with `vcpus=N` has vCPUs 0
 * to N-1; vCPU 0 runs from the start, the others are down and have no
 * state until the guest gives them one with HYPERVISOR_vcpu_op
 * (public/vcpu.h): VCPUOP_initialise with a struct vcpu_guest_context
 * (registers, trap table, callbacks, page tables), then VCPUOP_up. This
 * is how Linux brings up a PV guest's CPUs (cpu_initialize_context()).
 *
 * Which vCPU runs the code: every vCPU's kernel GS base points at its own
 * struct guest_cpu, as Linux keeps its per-CPU area behind GS. A PV
 * kernel cannot write the base itself (ring 3), so vCPU 0's is set with
 * HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL) before any C runs
 * (head.asm calls smp_init()), a secondary vCPU's comes in its context
 * (gs_base_kernel). The hypervisor keeps the base per vCPU and loads it
 * whenever the vCPU runs, so `%gs:0` is always the running vCPU's id.
 *
 * Several vCPUs share the runtime: the event channels (guest/events.h)
 * are per vCPU, but printf()'s line buffer and the test counters are not,
 * so programs print from one vCPU and let the others report in memory.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <stdbool.h>
#include <stddef.h>

#include <public/xen.h>

/** vCPUs the runtime can run: vCPU 0 and up to 7 secondaries. */
#define SMP_MAX_VCPUS 8

/** Bytes of the stack of each secondary vCPU (4 pages). */
#define SMP_STACK_SIZE 16384

/** A function a secondary vCPU runs (smp_start_vcpu()). */
typedef void (*smp_fn_t)(void *arg);

/**
 * One vCPU's own data, at its kernel GS base. Only its vCPU writes it,
 * but for `done`, which the others read.
 */
struct guest_cpu {
    unsigned int id;    /**< the vCPU's number: first, at %gs:0 */
    smp_fn_t fn;        /**< secondaries: what it runs... */
    void *arg;          /**< ...with this argument */
    volatile bool done; /**< secondaries: fn has returned */
};
_Static_assert(offsetof(struct guest_cpu, id) == 0, "smp_processor_id()");

/**
 * @brief Point vCPU 0's kernel GS base at its struct guest_cpu. head.asm
 *        calls it before guest_start(): smp_processor_id() works from
 *        the first line of C on. Ends the test with ERROR if refused.
 */
void smp_init(void);

/** @brief The number of the vCPU that runs this code. */
static inline unsigned int smp_processor_id(void)
{
    unsigned int id;

    /* Not volatile: on one stack, code always runs on the same vCPU. */
    asm("movl %%gs:%c1, %0" : "=r"(id) : "i"(offsetof(struct guest_cpu, id)));
    return id;
}

/**
 * @brief How many vCPUs the domain has: VCPUOP_is_up answers for vCPUs 0
 *        to N-1, up or down, and -ENOENT from N on.
 */
unsigned int smp_nr_vcpus(void);

/**
 * @brief VCPUOP_is_up of vCPU @p id.
 * @return 1 if it runs, 0 if it is down, or a negated XEN_E* (-ENOENT:
 *         the domain has no such vCPU).
 */
long smp_vcpu_is_up(unsigned int id);

/**
 * @brief The context smp_start_vcpu() gives vCPU @p id: vCPU 0's state
 *        (the runtime's trap table, event callback and current page
 *        tables), @p id's stack and struct guest_cpu, events masked.
 *        For tests that change one field and see the hypervisor refuse.
 * @param id   1 to SMP_MAX_VCPUS - 1.
 * @param ctx  filled in completely (5168 bytes: better not on a stack).
 */
void smp_vcpu_context(unsigned int id, struct vcpu_guest_context *ctx);

/**
 * @brief Start vCPU @p id on @p fn(@p arg): VCPUOP_initialise with
 *        smp_vcpu_context(), then VCPUOP_up. The vCPU runs fn on its own
 *        stack (SMP_STACK_SIZE) with events masked, as vCPU 0 starts
 *        test_main(); when fn returns it is done and downs itself. Call it
 *        from one vCPU at a time, after events_init(), once per vCPU (the
 *        hypervisor refuses a second VCPUOP_initialise).
 * @return 0; -XEN_EINVAL if @p id is 0 or not below SMP_MAX_VCPUS,
 *         -XEN_EEXIST if this function started it before; else the first
 *         negated XEN_E* of the two hypercalls (-ENOENT: no such vCPU,
 *         -EEXIST: initialised already).
 */
long smp_start_vcpu(unsigned int id, smp_fn_t fn, void *arg);

/** @brief Has secondary vCPU @p id returned from its function? */
bool smp_vcpu_done(unsigned int id);

/**
 * @brief Yield the CPU until secondary vCPU @p id has returned from its
 *        function and is down.
 */
void smp_wait_vcpu(unsigned int id);

#endif /* GUEST_SMP_H */
