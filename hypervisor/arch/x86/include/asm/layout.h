/**
 * @file
 * @brief Where the hypervisor lives in physical and virtual memory (x86-64).
 *
 * Xen's x86-64 layout, so PV guests (lab 4 onwards) find the hypervisor
 * where they expect it: it owns PML4 slots 256-271, guests the rest.
 * Used from C, from the linker script and (through asm-offsets.inc) from
 * NASM. Design page: docs/boot.md (section "Memory layout").
 */
#ifndef ASM_LAYOUT_H
#define ASM_LAYOUT_H

#include <hospes/page.h>

#define L2_PAGE_SHIFT 21 /**< 2 MiB pages */

/** Where the boot loader puts the image: the first byte above 1 MiB. */
#define HV_PHYS_START _AC(0x100000, UL)

/**
 * The image's virtual base: virtual = physical + HV_VIRT_START. PML4 slot
 * 261, like Xen's image.
 */
#define HV_VIRT_START _AC(0xffff82d080000000, UL)

/**
 * The frame table, one struct page_info per machine frame (Xen's address:
 * in PML4 slot 261, the last FRAMETABLE_SIZE bytes before the direct map).
 */
#define FRAMETABLE_VIRT_START _AC(0xffff82e000000000, UL)
/** Room for the frame table: enough for 16 TiB of RAM. */
#define FRAMETABLE_SIZE _AC(0x2000000000, UL)

/** All of machine memory is mapped here (PML4 slots 262-271), as in Xen. */
#define DIRECTMAP_VIRT_START _AC(0xffff830000000000, UL)
/** End of the direct map (5 TiB, as in Xen): RAM above this is not used. */
#define DIRECTMAP_VIRT_END _AC(0xffff880000000000, UL)

/**
 * Size of a CPU stack. Stacks are aligned to their size, so the stack a
 * pointer belongs to is found by rounding it down.
 */
#define STACK_SIZE (_AC(8, UL) * PAGE_SIZE)

/**
 * Where the other CPUs start, in real mode: a page below 1 MiB that the
 * boot allocator never hands out. The start-up IPI names it by its page
 * number (0x08).
 */
#define TRAMPOLINE_PHYS 0x8000

/** @name Boot GDT selectors (head.asm, trampoline.asm). */
/**@{*/
#define BOOT_CS64 0x08 /**< ring 0, 64-bit code */
#define BOOT_DS   0x10 /**< ring 0, data */
/**@}*/

/**
 * @name The hypervisor's selectors once its own GDT is loaded (desc.c)
 *
 * Xen's numbers: in the GDT's last two pages (entries 7168 on), which a
 * PV guest cannot fill with descriptors of its own. The guest's flat
 * ring-3 selectors (public/arch-x86.h) sit between them.
 */
/**@{*/
#define HYPERVISOR_CS 0xe008 /**< ring 0, 64-bit code */
#define HYPERVISOR_DS 0xe010 /**< ring 0, data (and syscall's SS) */
#define TSS_SELECTOR  0xe040 /**< this CPU's TSS (two entries) */
/**@}*/

#ifndef __ASSEMBLER__
#include <hospes/types.h>

/** The direct-map virtual address of machine address @p pa. */
static inline void *__va(paddr_t pa)
{
    return (void *)(pa + DIRECTMAP_VIRT_START);
}

/** The machine address of an address in the hypervisor image. */
static inline paddr_t __pa_image(const void *va)
{
    return (unsigned long)va - HV_VIRT_START;
}
#endif

#endif /* ASM_LAYOUT_H */
