/**
 * @file
 * @brief The local APIC: mapping its registers, enabling it.
 *
 * Lab 3 (labs/03-traps-time-cpus/README.md). Design page:
 * docs/cpus-and-time.md.
 *
 * The registers are device memory at 0xfee00000, which the direct map
 * leaves out on purpose (lab 2): they get a mapping of their own, not
 * cacheable, in the last page of the image's 1 GiB window.
 */
#include <asm/apic.h>
#include <asm/io.h>
#include <asm/layout.h>
#include <asm/x86-defs.h>
#include <hospes/mm.h>
#include <hospes/printk.h>

#include "setup.h"

/** The virtual address of the APIC's registers. */
#define APIC_VIRT (HV_VIRT_START + (1UL << 30) - PAGE_SIZE)

/** Where the registers are mapped. */
static volatile uint8_t *apic_regs;

uint32_t apic_read(unsigned int reg)
{
    return *(volatile uint32_t *)(apic_regs + reg);
}

void apic_write(unsigned int reg, uint32_t v)
{
    *(volatile uint32_t *)(apic_regs + reg) = v;
}

/** @name The legacy 8259 interrupt controllers */
/**@{*/
#define PIC1_CMD        0x20 /**< master: command */
#define PIC1_DATA       0x21 /**< master: data (mask) */
#define PIC2_CMD        0xa0 /**< slave: command */
#define PIC2_DATA       0xa1 /**< slave: data (mask) */
#define PIC_ICW1        0x11 /**< initialise, edge-triggered, ICW4 follows */
#define PIC_ICW4        0x01 /**< 8086 mode */
#define PIC_VECTOR_BASE 0x20 /**< their 16 vectors, above the exceptions */
/**@}*/

/**
 * Silence the 8259s. The BIOS left them delivering the PIT's interrupt
 * on vector 8, which is also the double fault's: the first `sti` would
 * report a double fault that never happened. Move their vectors above the
 * exceptions (where a stray spurious interrupt can do no harm), then mask
 * every line: Hospes uses the local APIC only.
 */
static void pic_disable(void)
{
    outb(PIC1_CMD, PIC_ICW1);
    outb(PIC2_CMD, PIC_ICW1);
    outb(PIC1_DATA, PIC_VECTOR_BASE); /* ICW2: vector base */
    outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
    outb(PIC1_DATA, 1 << 2); /* ICW3: slave on line 2 */
    outb(PIC2_DATA, 2);      /* ICW3: slave's identity */
    outb(PIC1_DATA, PIC_ICW4);
    outb(PIC2_DATA, PIC_ICW4);
    outb(PIC1_DATA, 0xff); /* mask everything */
    outb(PIC2_DATA, 0xff);
}

void apic_init(void)
{
    pic_disable();
    if (!page_tables_live() ||
        map_pages_to_xen(APIC_VIRT, maddr_to_mfn(APIC_DEFAULT_BASE), 1,
                         _PAGE_PRESENT | _PAGE_RW | _PAGE_PCD)) {
        /* Without lab 2's page tables, the boot tables' direct map of
         * the first 4 GiB still reaches it. */
        printk(LOG_WARNING "APIC: no mapping of its own; using the boot "
                           "page tables' direct map\n");
        apic_regs = __va(APIC_DEFAULT_BASE);
    } else {
        apic_regs = (volatile uint8_t *)APIC_VIRT;
    }
    apic_enable_local();
    printk("APIC: local APIC %u enabled\n", apic_read(APIC_ID) >> 24);
}

void apic_enable_local(void)
{
    apic_write(APIC_SVR, APIC_SVR_ENABLE | SPURIOUS_VECTOR);
    apic_write(APIC_LVT_TMR, APIC_LVT_MASKED | TIMER_VECTOR);
    apic_write(APIC_TDCR, APIC_TDCR_DIV_1);
}

void apic_send_ipi(uint32_t apic_id, uint32_t icr)
{
    apic_write(APIC_ICR_HI, apic_id << 24);
    apic_write(APIC_ICR_LOW, icr);
    while (apic_read(APIC_ICR_LOW) & APIC_ICR_BUSY)
        __asm__ volatile("pause");
}
