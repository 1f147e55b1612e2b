/**
 * @file
 * @brief What the memory files of common/ share with each other and with
 *        the architecture's memory set-up (internal).
 */
#ifndef COMMON_MM_INTERNAL_H
#define COMMON_MM_INTERNAL_H

/** Where the usable frames of the memory map went, in frames. */
struct mem_accounting {
    unsigned long usable;         /**< whole frames of usable RAM */
    unsigned long low;            /**< of those, below 1 MiB: kept */
    unsigned long reserved;       /**< the image and the modules */
    unsigned long boot_allocated; /**< frame table, page tables */
    unsigned long heap;           /**< given to the heap */
};

/** Filled in by the boot allocator and heap_init(). */
extern struct mem_accounting mem_accounting;

/**
 * @brief Hand each remaining boot-allocator range [start, end) of frames
 *        to @p take, and close the boot allocator.
 */
void boot_ranges_take(void (*take)(unsigned long start, unsigned long end));

#endif /* COMMON_MM_INTERNAL_H */
