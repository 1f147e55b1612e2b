/**
 * @file
 * @brief Descriptor tables: the GDT with a TSS, and the IDT.
 *
 * Lab 3 (labs/03-traps-time-cpus/README.md). Design page: docs/traps.md.
 *
 * Long mode hardly uses segments, but it still needs a GDT for the code
 * and data selectors and for the TSS. The TSS matters for one reason here:
 * its interrupt stack table (IST) gives the double fault handler a stack
 * of its own. A stack overflow faults on the guard page below the stack;
 * the CPU then cannot push the page fault's frame on that same stack,
 * which makes a double fault, and only a separate stack lets us report it.
 * Each CPU has its own GDT and TSS (a TSS is busy while loaded, so it
 * cannot be shared), and one IDT serves all. Lab 4 adds the guest
 * selectors.
 */
#include <asm/layout.h>
#include <asm/x86-defs.h>
#include <hospes/lib.h>
#include <hospes/smp.h>

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

/** GDT slots: null, code, data, then the TSS, which takes two. */
enum { GDT_NULL, GDT_CS64, GDT_DS, GDT_TSS, GDT_ENTRIES = GDT_TSS + 2 };
_Static_assert(GDT_CS64 * 8 == BOOT_CS64 && GDT_DS * 8 == BOOT_DS,
               "the boot selectors stay valid");

#define TSS_SELECTOR   (GDT_TSS * 8) /**< the TSS's selector, for ltr */
#define GATE_INTERRUPT 0x8e      /**< present, DPL 0, 64-bit interrupt gate */
#define DF_STACK_SIZE  PAGE_SIZE /**< the double fault's stack */

/** One CPU's GDT, TSS and double-fault stack. */
struct cpu_tables {
    /** Its GDT. Accessed bits are preset, so the CPU never writes them. */
    uint64_t gdt[GDT_ENTRIES] __aligned(16);
    /** Its task-state segment: only the IST is used. */
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

/** Write the two GDT slots of a 64-bit available TSS at @p base. */
static void set_tss_descriptor(uint64_t *gdt, uint64_t base, uint32_t limit)
{
    gdt[GDT_TSS] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
                   (0x89UL << 40) /* present, type: available TSS */ |
                   ((uint64_t)(limit >> 16 & 0xf) << 48) |
                   ((base >> 24 & 0xff) << 56);
    gdt[GDT_TSS + 1] = base >> 32;
}

/** Point gate @p vec at its stub, on IST stack @p ist (0: none). */
static void set_gate(unsigned int vec, unsigned int ist)
{
    uint64_t handler = (uint64_t)(entry_stubs + vec * STUB_SIZE);

    idt[vec] = (struct idt_gate){
        .offset_low = handler & 0xffff,
        .selector = BOOT_CS64,
        .ist = ist,
        .type_attr = GATE_INTERRUPT,
        .offset_mid = handler >> 16 & 0xffff,
        .offset_high = handler >> 32,
    };
}

void load_descriptor_tables(unsigned int cpu)
{
    struct cpu_tables *t = &cpu_tables[cpu];
    struct desc_ptr gdtr = { sizeof(t->gdt) - 1, (uint64_t)t->gdt };
    struct desc_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };
    unsigned int vec;

    t->gdt[GDT_CS64] = DESC_CODE64;
    t->gdt[GDT_DS] = DESC_DATA;
    t->tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(t->df_stack + DF_STACK_SIZE);
    t->tss.iomap_base = sizeof(t->tss);
    set_tss_descriptor(t->gdt, (uint64_t)&t->tss, sizeof(t->tss) - 1);
    if (cpu == 0) /* the IDT is shared: the boot CPU fills it */
        for (vec = 0; vec < ARRAY_SIZE(idt); vec++)
            set_gate(vec, vec == X86_EXC_DF ? IST_DOUBLE_FAULT : 0);

    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    __asm__ volatile("ltr %w0" : : "r"(TSS_SELECTOR));
    __asm__ volatile("lidt %0" : : "m"(idtr));
}
