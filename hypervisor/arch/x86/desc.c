/**
 * @file
 * @brief Descriptor tables: the GDT with a TSS, the IDT, and the MSRs of
 *        the `syscall` instruction.
 *
 * Lab 3 (labs/03-traps-time-cpus/README.md) and lab 4
 * (labs/04-pv-domains/README.md). Design pages: docs/traps.md,
 * docs/pv-guests.md.
 *
 * Long mode hardly uses segments, but it still needs a GDT for the code
 * and data selectors and for the TSS. The TSS matters for two reasons:
 * its RSP0 is the stack the CPU switches to when an interrupt or
 * exception arrives from a guest in ring 3, and its interrupt stack table
 * (IST) gives the double fault handler a stack of its own (a stack
 * overflow faults on the guard page below the stack; the CPU cannot push
 * the page fault's frame on that same stack, so only a separate stack
 * lets us report it). Each CPU has its own GDT and TSS (a TSS is busy
 * while loaded, so it cannot be shared); one IDT serves all.
 *
 * The GDT is Xen's shape: 8192 entries, of which the first 7168 belong to
 * a PV guest (they stay empty until guests may load their own, lab 5) and
 * the last 1024 to the hypervisor, whose selectors (0xe008 ...) every PV
 * guest knows.
 */
#include <asm/current.h>
#include <asm/io.h>
#include <asm/layout.h>
#include <asm/x86-defs.h>
#include <hospes/lib.h>
#include <hospes/smp.h>
#include <public/xen.h>

#include "setup.h"

/** The 64-bit task-state segment (AMD64 manual vol. 2, 12.2.5). */
struct __packed tss64 {
    uint32_t reserved0;  /**< zero */
    uint64_t rsp[3];     /**< stacks for ring 0-2 on a privilege change */
    uint64_t reserved1;  /**< zero */
    uint64_t ist[7];     /**< interrupt stack table: IST1-IST7 */
    uint64_t reserved2;  /**< zero */
    uint16_t reserved3;  /**< zero */
    uint16_t iomap_base; /**< offset of the I/O bitmap: none */
};

/** An IDT gate (16 bytes). */
struct __packed idt_gate {
    uint16_t offset_low;  /**< handler bits 0-15 */
    uint16_t selector;    /**< its code segment */
    uint8_t ist;          /**< IST index, 0 for none */
    uint8_t type_attr;    /**< present, DPL, gate type */
    uint16_t offset_mid;  /**< handler bits 16-31 */
    uint32_t offset_high; /**< handler bits 32-63 */
    uint32_t reserved;    /**< zero */
};

/** The operand of lgdt and lidt. */
struct __packed desc_ptr {
    uint16_t limit; /**< size - 1 */
    uint64_t base;  /**< linear address */
};

/** Entries in a GDT: the most a 16-bit limit allows. */
#define GDT_ENTRIES 8192

#define GATE_INTERRUPT 0x8e      /**< present, DPL 0, 64-bit interrupt gate */
#define GATE_DPL3      0x60      /**< OR into the type: `int n` from ring 3 */
#define DF_STACK_SIZE  PAGE_SIZE /**< the double fault's stack */

/**
 * RFLAGS bits `syscall` clears on entry: interrupts stay off until the
 * entry code has its stack, and the guest's direction, trap, nested-task
 * and alignment-check flags must not leak into hypervisor code.
 */
#define SYSCALL_MASK                                                           \
    (X86_EFLAGS_IF | X86_EFLAGS_DF | X86_EFLAGS_TF | X86_EFLAGS_NT |           \
     X86_EFLAGS_AC | X86_EFLAGS_IOPL)

/** One CPU's GDT, TSS and double-fault stack. */
struct cpu_tables {
    /** Its GDT. Accessed bits are preset, so the CPU never writes them. */
    uint64_t gdt[GDT_ENTRIES] __aligned(PAGE_SIZE);
    /** Entries [0, guest_entries) hold a guest's descriptors. */
    unsigned int guest_entries;
    /** Its task-state segment: RSP0 and the IST are used. */
    struct tss64 tss __aligned(16);
    /** Its double fault's own stack. */
    char df_stack[DF_STACK_SIZE] __aligned(16);
};

/** Every CPU's tables. */
static struct cpu_tables cpu_tables[NR_CPUS];

/** The interrupt descriptor table, the same for every CPU. */
static struct idt_gate idt[256] __aligned(16);

/** The 256 stubs of entry.asm, STUB_SIZE bytes apart. */
extern const char entry_stubs[];
#define STUB_SIZE 16 /**< bytes per stub (entry.asm's STUB_SIZE) */

/** `syscall` lands here (entry.asm). */
extern const char syscall_entry[];

/** The GDT slot of @p selector. */
static uint64_t *gdt_slot(uint64_t *gdt, unsigned int selector)
{
    return &gdt[selector >> 3];
}

/** Write the two GDT slots of a 64-bit available TSS at @p base. */
static void set_tss_descriptor(uint64_t *gdt, uint64_t base, uint32_t limit)
{
    uint64_t *slot = gdt_slot(gdt, TSS_SELECTOR);

    slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
              (0x89UL << 40) /* present, type: available TSS */ |
              ((uint64_t)(limit >> 16 & 0xf) << 48) |
              ((base >> 24 & 0xff) << 56);
    slot[1] = base >> 32;
}

/** Fill the hypervisor's and the PV guests' flat descriptors. */
static void set_flat_descriptors(uint64_t *gdt)
{
    *gdt_slot(gdt, HYPERVISOR_CS) = DESC_CODE64;
    *gdt_slot(gdt, HYPERVISOR_DS) = DESC_DATA;
    *gdt_slot(gdt, FLAT_RING3_CS32) = DESC_CODE32 | SEG_DPL3;
    *gdt_slot(gdt, FLAT_RING3_DS32) = DESC_DATA | SEG_DPL3;
    *gdt_slot(gdt, FLAT_RING3_CS64) = DESC_CODE64 | SEG_DPL3;
}

/**
 * Point gate @p vec at its stub, on IST stack @p ist (0: none). The
 * breakpoint and overflow exceptions may be raised by `int3` and `into`
 * in a guest, so their gates allow ring 3; any other `int n` from ring 3
 * is a general-protection fault.
 */
static void set_gate(unsigned int vec, unsigned int ist)
{
    uint64_t handler = (uint64_t)(entry_stubs + vec * STUB_SIZE);
    bool user = vec == X86_EXC_BP || vec == X86_EXC_OF;

    idt[vec] = (struct idt_gate){
        .offset_low = handler & 0xffff,
        .selector = HYPERVISOR_CS,
        .ist = ist,
        .type_attr = GATE_INTERRUPT | (user ? GATE_DPL3 : 0),
        .offset_mid = handler >> 16 & 0xffff,
        .offset_high = handler >> 32,
    };
}

/**
 * Set this CPU's `syscall` up: enter at syscall_entry on HYPERVISOR_CS
 * with SYSCALL_MASK cleared. STAR's upper half is the base sysret would
 * use (FLAT_RING3_CS32: sysret to 64-bit code adds 16, giving
 * FLAT_RING3_CS64); we return with iretq, but keep it Xen's.
 */
static void enable_syscall(void)
{
    wrmsr(MSR_STAR,
          (uint64_t)FLAT_RING3_CS32 << 48 | (uint64_t)HYPERVISOR_CS << 32);
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_SFMASK, SYSCALL_MASK);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

/**
 * Load CS and SS from the new GDT (a far return is the way to load CS in
 * long mode), and the null selector into DS and ES, which long mode does
 * not use: the boot GDT's selectors mean nothing in this one. FS and GS
 * stay: loading a selector would reset their bases, and GS's is ours.
 */
static void reload_segments(void)
{
    __asm__ volatile("push %0\n\t"
                     "lea 1f(%%rip), %%rax\n\t"
                     "push %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "mov %1, %%ss\n\t"
                     "mov %2, %%ds\n\t"
                     "mov %2, %%es"
                     :
                     : "i"(HYPERVISOR_CS), "r"(HYPERVISOR_DS), "r"(0)
                     : "rax", "memory");
}

void load_guest_gdt(const mfn_t *frames, unsigned int entries)
{
    struct cpu_tables *t = &cpu_tables[smp_processor_id()];
    unsigned int i, n, per_page = PAGE_SIZE / sizeof(t->gdt[0]);

    for (i = 0; i < entries; i += n) {
        n = min(entries - i, per_page);
        memcpy(&t->gdt[i], maddr_to_virt(mfn_to_maddr(frames[i / per_page])),
               n * sizeof(t->gdt[0]));
    }
    if (t->guest_entries > entries)
        memset(&t->gdt[entries], 0,
               (t->guest_entries - entries) * sizeof(t->gdt[0]));
    t->guest_entries = entries;
}

void load_descriptor_tables(unsigned int cpu)
{
    struct cpu_tables *t = &cpu_tables[cpu];
    struct desc_ptr gdtr = { sizeof(t->gdt) - 1, (uint64_t)t->gdt };
    struct desc_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };
    unsigned int vec;

    set_flat_descriptors(t->gdt);
    t->tss.rsp[0] = get_cpu_info()->stack_top;
    t->tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(t->df_stack + DF_STACK_SIZE);
    t->tss.iomap_base = sizeof(t->tss);
    set_tss_descriptor(t->gdt, (uint64_t)&t->tss, sizeof(t->tss) - 1);
    if (cpu == 0) /* the IDT is shared: the boot CPU fills it */
        for (vec = 0; vec < ARRAY_SIZE(idt); vec++)
            set_gate(vec, vec == X86_EXC_DF ? IST_DOUBLE_FAULT : 0);

    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    reload_segments();
    __asm__ volatile("ltr %w0" : : "r"(TSS_SELECTOR));
    __asm__ volatile("lidt %0" : : "m"(idtr));
    enable_syscall();
}
