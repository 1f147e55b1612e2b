/**
 * @file
 * @brief The boot allocator: frames for the frame table and the page
 *        tables, before the heap exists.
 *
 * It starts from the usable RAM of the memory map and cuts out what must
 * never be handed out: the first MiB (real-mode data and, from lab 3, the
 * trampoline that starts the other CPUs), the hypervisor image and the
 * modules (boot_info.reserved). Allocations come from the top of the
 * highest range below a limit the caller gives (the early page tables only
 * map the first 4 GiB). heap_init() then takes whatever is left.
 * Lab 2 (labs/02-memory/README.md); design page docs/memory.md.
 */
#include <hospes/bootinfo.h>
#include <hospes/lib.h>
#include <hospes/mm.h>
#include <hospes/printk.h>

#include "mm-internal.h"

/** Memory below this stays with the firmware and the AP trampoline. */
#define LOW_MEMORY_END 0x100000UL

/** Room for the usable regions, each possibly split by a cut. */
#define MAX_BOOT_RANGES (2 * (BOOT_MAX_REGIONS + BOOT_MAX_RESERVED))

/** The free ranges, in frames [start, end), sorted, not overlapping. */
static struct {
    unsigned long start;
    unsigned long end;
} ranges[MAX_BOOT_RANGES];
/** Entries of ranges[] in use. */
static unsigned int nr_ranges;

/** Where the usable frames went; heap_init() completes it. */
struct mem_accounting mem_accounting;

/** Insert range [start, end) at index @p at, shifting the rest up. */
static void insert_range(unsigned int at, unsigned long start,
                         unsigned long end)
{
    BUG_ON(nr_ranges == MAX_BOOT_RANGES);
    memmove(&ranges[at + 1], &ranges[at], (nr_ranges - at) * sizeof(ranges[0]));
    ranges[at].start = start;
    ranges[at].end = end;
    nr_ranges++;
}

/** Remove frames [start, end) from every range. @return frames removed */
static unsigned long cut(unsigned long start, unsigned long end)
{
    unsigned long removed = 0;
    unsigned int i;

    for (i = 0; i < nr_ranges; i++) {
        unsigned long s = max(start, ranges[i].start);
        unsigned long e = min(end, ranges[i].end);

        if (s >= e)
            continue;
        removed += e - s;
        if (s > ranges[i].start && e < ranges[i].end) {
            insert_range(i + 1, e, ranges[i].end); /* split in two */
            ranges[i].end = s;
        } else if (s > ranges[i].start) {
            ranges[i].end = s;
        } else {
            ranges[i].start = e; /* may leave it empty: harmless */
        }
    }
    return removed;
}

unsigned long boot_allocator_init(const struct boot_info *bi)
{
    unsigned int i;

    for (i = 0; i < bi->nr_map; i++) {
        /* Only whole frames are usable. */
        unsigned long s = ROUNDUP(bi->map[i].start, PAGE_SIZE) >> PAGE_SHIFT;
        unsigned long e = bi->map[i].end >> PAGE_SHIFT;

        if (bi->map[i].type != MEM_USABLE || s >= e)
            continue;
        insert_range(nr_ranges, s, e);
        mem_accounting.usable += e - s;
        max_page = max(max_page, e);
    }
    mem_accounting.low = cut(0, LOW_MEMORY_END >> PAGE_SHIFT);
    for (i = 0; i < bi->nr_reserved; i++)
        mem_accounting.reserved +=
            cut(bi->reserved[i].start >> PAGE_SHIFT,
                ROUNDUP(bi->reserved[i].end, PAGE_SIZE) >> PAGE_SHIFT);
    return mem_accounting.usable - mem_accounting.low - mem_accounting.reserved;
}

mfn_t alloc_boot_pages(unsigned long nr, unsigned long align, paddr_t limit)
{
    unsigned long top = limit >> PAGE_SHIFT;
    unsigned int i = nr_ranges;

    while (i--) {
        unsigned long end = min(ranges[i].end, top), start;

        if (end < nr || end - nr < ranges[i].start)
            continue;
        start = (end - nr) & ~(align - 1);
        if (start < ranges[i].start)
            continue;
        if (start + nr < ranges[i].end) /* keep what lies above */
            insert_range(i + 1, start + nr, ranges[i].end);
        ranges[i].end = start;
        mem_accounting.boot_allocated += nr;
        return _mfn(start);
    }
    panic("alloc_boot_pages: no room for %lu frames below 0x%lx", nr,
          (unsigned long)limit);
}

void boot_ranges_take(void (*take)(unsigned long start, unsigned long end))
{
    unsigned int i;

    for (i = 0; i < nr_ranges; i++)
        if (ranges[i].start < ranges[i].end)
            take(ranges[i].start, ranges[i].end);
    nr_ranges = 0; /* the boot allocator is closed */
}
