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

/** @cond INTERNAL */
/* A constant's C type suffix (UL), which NASM and ld do not know. */
#ifdef __ASSEMBLER__
#define _AC(x, suffix) x
#else
#define _AC(x, suffix) x##suffix
#endif
/** @endcond */

#define PAGE_SHIFT    12                         /**< log2 of PAGE_SIZE */
#define PAGE_SIZE     (_AC(1, UL) << PAGE_SHIFT) /**< 4 KiB */
#define L2_PAGE_SHIFT 21                         /**< 2 MiB pages */

/** Where the boot loader puts the image: the first byte above 1 MiB. */
#define HV_PHYS_START _AC(0x100000, UL)

/**
 * The image's virtual base: virtual = physical + HV_VIRT_START. PML4 slot
 * 261, like Xen's image.
 */
#define HV_VIRT_START _AC(0xffff82d080000000, UL)

/** All of machine memory is mapped here (PML4 slot 262), as in Xen. */
#define DIRECTMAP_VIRT_START _AC(0xffff830000000000, UL)

/**
 * Size of a CPU stack. Stacks are aligned to their size, so the stack a
 * pointer belongs to is found by rounding it down.
 */
#define STACK_SIZE (_AC(8, UL) * PAGE_SIZE)

/** @name Boot GDT selectors (head.asm). */
/**@{*/
#define BOOT_CS64 0x08 /**< ring 0, 64-bit code */
#define BOOT_DS   0x10 /**< ring 0, data */
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
