/**
 * @file
 * @brief Guest runtime: the per-vCPU data behind GS and starting the
 *        secondary vCPUs. Design: guest/smp.h.
 *
 * Lab 7. A secondary vCPU starts where its context says, like a CPU out
 * of reset with the registers already loaded: in secondary_start() on
 * its own stack, with RDI = its struct guest_cpu (the first argument of
 * the C calling convention), so no assembly is needed to enter C.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/layout.h>
#include <guest/smp.h>
#include <guest/string.h>
#include <guest/test.h>
#include <guest/traps.h>

/** RFLAGS.IF: a PV vCPU runs with it set (the hypervisor forces it). */
#define RFLAGS_IF (1UL << 9)

/** Every vCPU's own data; cpus[n] is vCPU n's, at its GS base. */
static struct guest_cpu cpus[SMP_MAX_VCPUS];

/** The secondaries' stacks: vCPU n runs on stacks[n - 1]. */
static uint8_t stacks[SMP_MAX_VCPUS - 1][SMP_STACK_SIZE]
    __attribute__((aligned(PAGE_SIZE)));

void smp_init(void)
{
    long rc;

    cpus[0].id = 0;
    rc = HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, (uintptr_t)&cpus[0]);
    if (rc)
        test_error("smp: set_segment_base(GS_KERNEL): %ld", rc);
}

long smp_vcpu_is_up(unsigned int id)
{
    return HYPERVISOR_vcpu_op(VCPUOP_is_up, id, NULL);
}

unsigned int smp_nr_vcpus(void)
{
    unsigned int n = 0;

    while (smp_vcpu_is_up(n) >= 0)
        n++;
    return n;
}

/**
 * The machine address of the L4 this vCPU runs on. `mov %cr3` is
 * privileged: the ring-3 kernel takes a \#GP and the hypervisor emulates
 * it, answering with the real base (PV guests deal in machine frames).
 */
static uint64_t read_cr3(void)
{
    uint64_t cr3;

    asm volatile("mov %%cr3, %0" : "=r"(cr3));
    return cr3;
}

/**
 * Where a secondary vCPU starts (its context's RIP), on its own stack:
 * events masked, as vCPU 0 enters test_main(); run the function; then be
 * done and go down. Should someone up it again, it goes down again; it
 * would be the domain's last vCPU only if vCPU 0 had downed itself, and
 * then it sleeps instead.
 */
static __noreturn void secondary_start(struct guest_cpu *self)
{
    events_disable();
    self->fn(self->arg);
    __atomic_store_n(&self->done, true, __ATOMIC_SEQ_CST);
    while (!HYPERVISOR_vcpu_op(VCPUOP_down, self->id, NULL))
        ;
    guest_block_forever();
}

void smp_vcpu_context(unsigned int id, struct vcpu_guest_context *ctx)
{
    const struct trap_info *trap = traps_table();
    uintptr_t stack_top = (uintptr_t)stacks[id - 1] + SMP_STACK_SIZE;
    unsigned int n;

    memset(ctx, 0, sizeof(*ctx));
    ctx->flags = VGCF_in_kernel;
    ctx->user_regs.rip = (uintptr_t)secondary_start;
    /* As if secondary_start() had been called: the C ABI wants RSP + 8
     * 16-byte aligned at a function's entry. The return address it
     * would have is 0 (the stack is zero): backtraces end there. */
    ctx->user_regs.rsp = stack_top - sizeof(uint64_t);
    ctx->user_regs.rdi = (uintptr_t)&cpus[id];
    ctx->user_regs.cs = FLAT_KERNEL_CS;
    ctx->user_regs.ss = FLAT_KERNEL_SS;
    ctx->user_regs.rflags = RFLAGS_IF;
    /* Traps and callbacks are per vCPU: give it vCPU 0's. The context's
     * table is by vector (Xen's), not a list like set_trap_table's. */
    for (n = 0; trap[n].address; n++)
        ctx->trap_ctxt[trap[n].vector] = trap[n];
    ctx->event_callback_eip = (uintptr_t)event_entry;
    ctx->kernel_ss = FLAT_KERNEL_SS;
    ctx->kernel_sp = stack_top;
    ctx->ctrlreg[3] = read_cr3();
    ctx->gs_base_kernel = (uintptr_t)&cpus[id];
}

long smp_start_vcpu(unsigned int id, smp_fn_t fn, void *arg)
{
    /* Big, and used by one vCPU at a time: not on its stack. */
    static struct vcpu_guest_context ctx;
    struct guest_cpu *c = &cpus[id];
    long rc;

    if (id == 0 || id >= SMP_MAX_VCPUS)
        return -XEN_EINVAL;
    if (c->fn) /* it may be running: leave its data alone */
        return -XEN_EEXIST;
    if (!shared_info)
        test_error("smp: smp_start_vcpu(%u) before events_init()", id);
    *c = (struct guest_cpu){ .id = id, .fn = fn, .arg = arg };
    smp_vcpu_context(id, &ctx);
    rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, id, &ctx);
    return rc ? rc : HYPERVISOR_vcpu_op(VCPUOP_up, id, NULL);
}

bool smp_vcpu_done(unsigned int id)
{
    return __atomic_load_n(&cpus[id].done, __ATOMIC_SEQ_CST);
}

void smp_wait_vcpu(unsigned int id)
{
    while (!smp_vcpu_done(id) || smp_vcpu_is_up(id) > 0)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}
