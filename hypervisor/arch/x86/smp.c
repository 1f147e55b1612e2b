/**
 * @file
 * @brief The other CPUs: finding them, starting them (INIT-SIPI-SIPI),
 *        which one is running, and making them run a function.
 *
 * Lab 3, exercise 4 (labs/03-traps-time-cpus/README.md): wake_cpu().
 * Design page: docs/cpus-and-time.md (section "Starting the other CPUs").
 *
 * Each CPU's GS base points at its struct cpu_info, so smp_processor_id()
 * is one load. CPUs are started one at a time: the boot CPU fills in
 * ap_boot (page tables, stack, number), wakes the CPU, and waits for it to
 * say it is online before the next.
 */
#include <asm/apic.h>
#include <asm/current.h>
#include <asm/io.h>
#include <asm/layout.h>
#include <asm/x86-defs.h>
#include <hospes/irq.h>
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/mm.h>
#include <hospes/param.h>
#include <hospes/printk.h>
#include <hospes/smp.h>
#include <hospes/shutdown.h>
#include <hospes/softirq.h>
#include <hospes/spinlock.h>
#include <hospes/time.h>

#include "setup.h"

/** `maxcpus=n`: start at most n CPUs (the boot CPU included). */
static unsigned long opt_maxcpus = NR_CPUS;
integer_param("maxcpus", opt_maxcpus);

/** `nosmp`: start no other CPU. */
static bool opt_nosmp;
boolean_param("nosmp", opt_nosmp);

_Static_assert(PAGE_SIZE << STACK_ORDER == STACK_SIZE, "STACK_ORDER");

/** Each CPU's cpu_info. */
static struct cpu_info cpu_info[NR_CPUS];

/** Bit n set: CPU n is online. */
static volatile unsigned long online_mask;

/** What the next CPU reads in ap_start64 (start64.asm), in this order. */
struct ap_boot {
    uint64_t cr3;       /**< the hypervisor's page tables */
    uint64_t efer_bits; /**< EFER_NXE if the boot CPU uses it */
    uint64_t stack_top; /**< its stack */
    uint64_t cpu;       /**< its number */
};
/** The values for the CPU being started. */
struct ap_boot ap_boot;

/** The trampoline's first byte (trampoline.asm). */
extern const char trampoline_start[];
/** One past the trampoline's last byte. */
extern const char trampoline_end[];

/** The function on_selected_cpus() has the other CPUs run. */
static struct {
    spinlock_t lock;                /**< one caller at a time */
    void (*fn)(void *);             /**< what to run */
    void *data;                     /**< its argument */
    volatile unsigned long pending; /**< CPUs that have not finished */
} call = { .lock = SPIN_LOCK_UNLOCKED("call") };

unsigned int smp_processor_id(void)
{
    unsigned int id;

    __asm__ volatile("mov %%gs:0, %0" : "=r"(id));
    return id;
}

unsigned int num_online_cpus(void)
{
    unsigned long mask = online_mask;
    unsigned int n = 0;

    for (; mask; mask &= mask - 1) /* clears the lowest set bit */
        n++;
    return n;
}

unsigned long cpu_online_mask(void)
{
    return online_mask;
}

/** Make this CPU number @p cpu, on the stack that ends at @p stack_top:
 *  its cpu_info and its GS base. */
static void set_cpu(unsigned int cpu, uint32_t apic_id, uint64_t stack_top)
{
    cpu_info[cpu] = (struct cpu_info){ .cpu_id = cpu,
                                       .apic_id = apic_id,
                                       .stack_top = stack_top,
                                       .self = &cpu_info[cpu] };
    wrmsr(MSR_GS_BASE, (uint64_t)&cpu_info[cpu]);
}

void smp_prepare_boot_cpu(void)
{
    /* Its APIC id is read once the APIC is up. */
    set_cpu(0, 0, (uint64_t)boot_stack + STACK_SIZE);
    online_mask = 1;
}

/** Spin for @p ns nanoseconds of system time. */
static void spin_for(s_time_t ns)
{
    s_time_t end = NOW() + ns;

    while (NOW() < end)
        cpu_relax();
}

/**
 * Start the CPU whose local APIC is @p apic_id, the way the MP
 * specification (B.4) says: an INIT IPI, a 10 ms pause, then two
 * start-up IPIs 200 us apart. A start-up IPI's vector is the page number
 * of the code to run in real mode: TRAMPOLINE_PHYS >> 12. Use
 * apic_send_ipi() with APIC_ICR_INIT | APIC_ICR_ASSERT, then
 * APIC_ICR_STARTUP | the vector, and spin_for() to wait.
 */
static void wake_cpu(uint32_t apic_id)
{
    // LAB 3 BEGIN exercise 4: wake_cpu()
    unsigned int i;

    apic_send_ipi(apic_id, APIC_ICR_INIT | APIC_ICR_ASSERT);
    spin_for(MILLISECS(10));
    for (i = 0; i < 2; i++) {
        apic_send_ipi(apic_id, APIC_ICR_STARTUP | TRAMPOLINE_PHYS >> 12);
        spin_for(MICROSECS(200));
    }
    // LAB 3 STUB
    // lab_todo(3, 4, "wake_cpu()");
    // (void)apic_id;
    // (void)spin_for;
    // LAB 3 END
}

/**
 * Where a CPU being started is: the boot CPU and the new CPU both move
 * it on from AP_WAITING, with a compare-and-swap, so exactly one of
 * "online" and "given up" happens even if the CPU is late.
 */
enum ap_state { AP_WAITING, AP_ONLINE, AP_ABANDONED };
/** The state of the CPU being started (one at a time). */
static enum ap_state ap_state;

/** Move ap_state from AP_WAITING to @p to. @return whether it was waiting */
static bool ap_state_from_waiting(enum ap_state to)
{
    enum ap_state waiting = AP_WAITING;

    return __atomic_compare_exchange_n(&ap_state, &waiting, to, false,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/**
 * Start CPU @p cpu (APIC @p apic_id). Under a loaded host, TCG may run a
 * CPU very late; one that arrives after we gave up halts for good (its
 * stack stays allocated: it may still be on it).
 * @return true once it is online
 */
static bool start_cpu(unsigned int cpu, uint32_t apic_id)
{
    void *stack = alloc_xenheap_pages(STACK_ORDER, 0);
    s_time_t give_up;

    if (!stack) {
        printk(LOG_ERR "SMP: no memory for CPU %u's stack\n", cpu);
        return false;
    }
    cpu_info[cpu].apic_id = apic_id;
    ap_boot.cpu = cpu;
    ap_boot.stack_top = (uint64_t)stack + STACK_SIZE;
    ap_state = AP_WAITING;
    wake_cpu(apic_id);
    for (give_up = NOW() + SECONDS(5); NOW() < give_up;)
        if (online_mask & (1UL << cpu))
            return true;
    if (!ap_state_from_waiting(AP_ABANDONED)) { /* it made it just now */
        while (!(online_mask & (1UL << cpu)))
            cpu_relax();
        return true;
    }
    printk(LOG_ERR "SMP: CPU %u (APIC %u) did not come up\n", cpu, apic_id);
    return false;
}

void idle_loop(void)
{
    for (;;) {
        /* Look with interrupts off: a softirq raised between the look
         * and hlt would otherwise wait for some later interrupt. */
        local_irq_disable();
        if (!softirq_pending())
            wait_for_interrupt();
        local_irq_enable();
        do_softirq();
    }
}

/** A started CPU's first C code: set up, say so, then idle. */
void __noreturn start_secondary(unsigned int cpu)
{
    if (!ap_state_from_waiting(AP_ONLINE))
        machine_halt(); /* too late: the boot CPU gave up on us */
    set_cpu(cpu, cpu_info[cpu].apic_id, ap_boot.stack_top);
    load_descriptor_tables(cpu);
    cpu_enable_global_pages();
    cpu_init_fpu();
    apic_enable_local();
    printk("CPU %u (APIC %u) online at %ld ns\n", cpu, cpu_info[cpu].apic_id,
           NOW());
    __atomic_fetch_or(&online_mask, 1UL << cpu, __ATOMIC_SEQ_CST);
    idle_loop();
}

void smp_boot_cpus(void)
{
    uint8_t apic_ids[NR_CPUS];
    unsigned int n = acpi_cpus(apic_ids, NR_CPUS), i, next = 1;
    uint32_t me = apic_read(APIC_ID) >> 24;

    cpu_info[0].apic_id = me;
    if (opt_nosmp || !page_tables_live() || !heap_ready()) {
        printk("SMP: %s; only the boot CPU runs\n",
               opt_nosmp ? "nosmp" : "no page tables or heap");
        return;
    }
    memcpy(__va(TRAMPOLINE_PHYS), trampoline_start,
           trampoline_end - trampoline_start);
    ap_boot.cr3 = read_cr3();
    ap_boot.efer_bits = rdmsr(MSR_EFER) & EFER_NXE;
    for (i = 0; i < n && next < opt_maxcpus; i++)
        if (apic_ids[i] != me && start_cpu(next, apic_ids[i]))
            next++;
    printk("SMP: %u CPUs online\n", num_online_cpus());
}

void send_IPI_mask(unsigned long mask, unsigned int vector)
{
    unsigned int cpu;

    for (cpu = 0; cpu < NR_CPUS; cpu++)
        if (mask & online_mask & (1UL << cpu))
            apic_send_ipi(cpu_info[cpu].apic_id, APIC_ICR_FIXED | vector);
}

void smp_send_event_check(unsigned int cpu)
{
    send_IPI_mask(1UL << cpu, EVENT_CHECK_VECTOR);
}

void on_selected_cpus(unsigned long mask, void (*fn)(void *), void *data)
{
    unsigned long me = 1UL << smp_processor_id(), flags;

    mask &= online_mask;
    spin_lock(&call.lock);
    call.fn = fn;
    call.data = data;
    __atomic_store_n(&call.pending, mask & ~me, __ATOMIC_SEQ_CST);
    send_IPI_mask(mask & ~me, CALL_FUNCTION_VECTOR);
    if (mask & me) { /* everywhere, fn runs with interrupts off */
        flags = local_irq_save();
        fn(data);
        local_irq_restore(flags);
    }
    while (__atomic_load_n(&call.pending, __ATOMIC_SEQ_CST))
        cpu_relax();
    spin_unlock(&call.lock);
}

void call_function_interrupt(void)
{
    apic_write(APIC_EOI, 0);
    call.fn(call.data);
    __atomic_fetch_and(&call.pending, ~(1UL << smp_processor_id()),
                       __ATOMIC_SEQ_CST);
}
