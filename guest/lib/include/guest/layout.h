/**
 * @file
 * @brief Where a guest program lives: the page size and the bounds of the
 *        image, as guest/lib/guest.lds lays it out.
 *
 * The image is linked at 0x400000 (XEN_ELFNOTE_VIRT_BASE). Nothing is mapped
 * below it, so NULL and small addresses fault. Above the image the domain
 * builder maps start_info, the initial page tables, the P2M list and a boot
 * stack, contiguously (docs/pv-guests.md, "The start-of-day layout").
 */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

#include <stdint.h>

/** Size of a page: the unit of every mapping (XENVER_pagesize says so). */
#define PAGE_SIZE 4096UL

/** Is the address @p x the start of a page? */
#define PAGE_ALIGNED(x) (((uintptr_t)(x) & (PAGE_SIZE - 1)) == 0)

/** @name Bounds of the image (guest.lds) */
/**@{*/
extern char _image_start[]; /**< first byte: the virtual base */
extern char _image_end[];   /**< first byte after .bss, page-aligned */
/**@}*/

#endif /* GUEST_LAYOUT_H */
