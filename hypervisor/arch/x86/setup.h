/**
 * @file
 * @brief Boot-time functions shared by the files of arch/x86 (internal).
 */
#ifndef ARCH_X86_SETUP_H
#define ARCH_X86_SETUP_H

#include <hospes/mm.h>
#include <hospes/types.h>

/**
 * @brief The C entry point, called by head.asm on the boot stack.
 * @param mbi_pa  physical address of the Multiboot information.
 */
void __noreturn start_hospes(paddr_t mbi_pa);

/** @brief Copy the command line (minus the image name) into boot_info. */
void multiboot_cmdline(paddr_t mbi_pa);

/** @brief Fill boot_info's memory map, modules and reserved ranges. */
void multiboot_init(paddr_t mbi_pa);

/** @brief Identify the CPU and print its vendor, model and features. */
void cpu_print_info(void);

/**
 * @brief Build the hypervisor's page tables and the frame table, and
 *        switch to them. Needs the boot allocator.
 * @return 0, or -errno if they could not be built: the boot page tables
 *         then stay, and there can be no heap.
 */
int arch_init_memory(void);

/** The IST slot of the double fault's own stack. */
#define IST_DOUBLE_FAULT 1

/**
 * @brief Load CPU @p cpu's GDT (with its TSS) and the IDT: from here on
 *        every exception on it is reported (desc.c, traps.c).
 */
void load_descriptor_tables(unsigned int cpu);

/**
 * @brief Make entries [0, @p entries) of this CPU's GDT a PV guest's, read
 *        from its descriptor frames @p frames (512 each), and clear the
 *        ones another guest left above them (desc.c).
 */
void load_guest_gdt(const mfn_t *frames, unsigned int entries);

/**
 * @brief Map @p nr frames from @p mfn at @p va in the hypervisor's page
 *        tables with rights @p flags (arch/x86/mm.c, lab 2 exercise 3).
 * @return 0, or -EBUSY if a large page is in the way.
 */
int map_pages_to_xen(unsigned long va, mfn_t mfn, unsigned long nr,
                     uint64_t flags);

/** @brief The machine address of the hypervisor's own page tables. */
paddr_t idle_pg_table_maddr(void);

/**
 * @brief Copy the hypervisor's top-level entries (PML4 slots 256-271)
 *        into a guest's top-level table @p l4, so that the hypervisor is
 *        mapped in every address space.
 */
void init_guest_l4_slots(uint64_t *l4);

/** @brief The mnemonic of exception @p vec ("#PF"), or "#??". */
const char *exception_mnemonic(unsigned int vec);

/** @brief Turn on the FPU and SSE for guests on this CPU (cpu.c). */
void cpu_init_fpu(void);

/** @brief Is the CPU running on the page tables arch_init_memory() built? */
bool page_tables_live(void);

/**
 * @brief Find the usable CPUs' local APIC ids in the ACPI MADT. Call
 *        while the boot page tables map the first 4 GiB.
 */
void acpi_init(void);

/**
 * @brief The APIC ids acpi_init() found at boot.
 * @return how many were copied to @p apic_ids (at most @p max)
 */
unsigned int acpi_cpus(uint8_t *apic_ids, unsigned int max);

/** @brief Turn on global pages on this CPU if it has them (mm.c). */
void cpu_enable_global_pages(void);

/** @brief A started CPU's C entry, from ap_start64 (start64.asm). */
void __noreturn start_secondary(unsigned int cpu);

/**
 * @brief Send interrupt @p vector to every online CPU in @p mask (bit n =
 *        CPU n), this one too if it is in the mask.
 */
void send_IPI_mask(unsigned long mask, unsigned int vector);

/** @brief The call-function IPI: run on_selected_cpus()'s function. */
void call_function_interrupt(void);

/** The foot of the boot CPU's stack (in .bss, start64.asm). */
extern const char boot_stack[];

/** Order of a CPU stack's heap block: STACK_SIZE bytes. */
#define STACK_ORDER 3

/** @brief The local APIC timer fired: acknowledge, raise TIMER_SOFTIRQ. */
void apic_timer_interrupt(void);

struct cpu_user_regs;

/**
 * @brief Handle an exception or interrupt; entry.asm calls it with the
 *        saved registers. An exception in a guest goes to the guest
 *        (pv/traps.c); one in the hypervisor is reported and panics.
 */
void do_trap(struct cpu_user_regs *regs);

#endif /* ARCH_X86_SETUP_H */
