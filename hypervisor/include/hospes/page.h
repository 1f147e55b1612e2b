/**
 * @file
 * @brief The page size, and a helper for constants shared with NASM and
 *        the linker script.
 */
#ifndef HOSPES_PAGE_H
#define HOSPES_PAGE_H

/** @cond INTERNAL */
/* A constant's C type suffix (UL), which NASM and ld do not know. */
#ifdef __ASSEMBLER__
#define _AC(x, suffix) x
#else
#define _AC(x, suffix) x##suffix
#endif
/** @endcond */

#define PAGE_SHIFT 12                         /**< log2 of PAGE_SIZE */
#define PAGE_SIZE  (_AC(1, UL) << PAGE_SHIFT) /**< 4 KiB */
#define PAGE_MASK  (~(PAGE_SIZE - 1)) /**< the page part of an address */

#endif /* HOSPES_PAGE_H */
