/**
 * @file
 * @brief The heap: a buddy allocator over all usable RAM, and the xenheap
 *        and domheap interfaces on top of it.
 *
 * Lab 2, exercises 1 and 2 (labs/02-memory/README.md): alloc_heap_pages()
 * splits blocks, free_heap_pages() merges them. Design page:
 * docs/memory.md (section "The buddy allocator").
 *
 * Free memory is kept in blocks of 2^order frames, each aligned to its own
 * size, one free list per order. A block's "buddy" is the other half of
 * the block of the next order up; its frame number differs in exactly bit
 * `order`. Allocating splits a larger block until the order fits; freeing
 * merges a block with its buddy for as long as the buddy is free too.
 * The head frame of a free block records its order in u.free.order; every
 * frame of the block is in state PGC_state_free.
 */
#include <hospes/domain.h>
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/mm.h>
#include <hospes/page_list.h>
#include <hospes/printk.h>
#include <hospes/spinlock.h>

#include "mm-internal.h"

struct page_info *frame_table;
unsigned long max_page;

/** Set at the end of heap_init(). */
static bool heap_up;

/** The free blocks of each order, and how many there are. */
static struct {
    struct page_list_head list[MAX_ORDER + 1]; /**< blocks of 2^order */
    unsigned long blocks[MAX_ORDER + 1];       /**< entries in list */
    unsigned long free_pages;                  /**< frames in all lists */
} heap;

/** Mark the 2^@p order frames from @p pg with @p state. */
static void set_state(struct page_info *pg, unsigned int order,
                      unsigned long state)
{
    unsigned long i;

    for (i = 0; i < (1UL << order); i++)
        pg[i].count_info = (pg[i].count_info & ~PGC_state_mask) | state;
}

/** Put the free block of 2^@p order frames at @p pg on its list. */
static void add_free_block(struct page_info *pg, unsigned int order)
{
    pg->u.free.order = order;
    page_list_add(pg, &heap.list[order]);
    heap.blocks[order]++;
    heap.free_pages += 1UL << order;
}

/** Take the free block at @p pg off its list. */
static void remove_free_block(struct page_info *pg, unsigned int order)
{
    page_list_del(pg, &heap.list[order]);
    heap.blocks[order]--;
    heap.free_pages -= 1UL << order;
}

/**
 * Find the smallest free block of at least 2^@p order frames, take it,
 * and split it down to 2^order: each split puts the upper half back on the
 * free list one order down, and keeps the lower half.
 */
struct page_info *alloc_heap_pages(unsigned int order)
{
    // LAB 2 BEGIN exercise 1: alloc_heap_pages()
    struct page_info *pg;
    unsigned int j;

    for (j = order; j <= MAX_ORDER; j++)
        if (!page_list_empty(&heap.list[j]))
            break;
    if (j > MAX_ORDER) {
        printk(LOG_WARNING "heap: no free block of order %u (%lu frames "
                           "free)\n",
               order, heap.free_pages);
        return NULL;
    }
    pg = page_list_first(&heap.list[j]);
    remove_free_block(pg, j);
    while (j > order) {
        j--;
        add_free_block(pg + (1UL << j), j);
    }
    set_state(pg, order, PGC_state_inuse);
    return pg;
    // LAB 2 STUB
    // lab_todo(2, 1, "alloc_heap_pages()");
    // (void)order;
    // return NULL;
    // LAB 2 END
}

/**
 * Free the 2^@p order frames at @p pg, then merge: while the buddy
 * (frame number with bit `order` flipped) is a valid frame heading a free
 * block of the same order, take the buddy off its list and continue with
 * the block of twice the size, which starts at the lower of the two.
 */
void free_heap_pages(struct page_info *pg, unsigned int order)
{
    // LAB 2 BEGIN exercise 2: free_heap_pages()
    unsigned long mfn = mfn_x(page_to_mfn(pg));

    set_state(pg, order, PGC_state_free);
    while (order < MAX_ORDER) {
        mfn_t buddy_mfn = _mfn(mfn ^ (1UL << order));
        struct page_info *buddy;

        if (!mfn_valid(buddy_mfn))
            break;
        buddy = mfn_to_page(buddy_mfn);
        if (page_state(buddy) != PGC_state_free || buddy->u.free.order != order)
            break;
        remove_free_block(buddy, order);
        mfn &= ~(1UL << order);
        order++;
    }
    add_free_block(mfn_to_page(_mfn(mfn)), order);
    // LAB 2 STUB
    // lab_todo(2, 2, "free_heap_pages()");
    // (void)pg;
    // (void)order;
    // (void)set_state;
    // (void)add_free_block;
    // (void)remove_free_block;
    // LAB 2 END
}

/**
 * Check a block about to be freed was allocated, whole and inside the
 * frame table: a double free here would corrupt the free lists for
 * everyone.
 */
static void check_inuse(const struct page_info *pg, unsigned int order)
{
    unsigned long first = mfn_x(page_to_mfn(pg)), i;

    if (!mfn_valid(_mfn(first)) || !mfn_valid(_mfn(first + (1UL << order) - 1)))
        panic("heap: freeing frames 0x%lx+%lu, outside the frame table", first,
              1UL << order);
    for (i = 0; i < (1UL << order); i++)
        if (page_state(&pg[i]) != PGC_state_inuse)
            panic("heap: freeing frame 0x%lx, which is not allocated",
                  first + i);
}

/** Give frames [start, end) to the heap in the largest aligned blocks. */
static void heap_take(unsigned long start, unsigned long end)
{
    while (start < end) {
        unsigned int order = 0;

        while (order < MAX_ORDER && !(start & (1UL << order)) &&
               start + (2UL << order) <= end)
            order++;
        set_state(mfn_to_page(_mfn(start)), order, PGC_state_inuse);
        free_heap_pages(mfn_to_page(_mfn(start)), order);
        mem_accounting.heap += 1UL << order;
        start += 1UL << order;
    }
}

void heap_init(void)
{
    unsigned int i;

    for (i = 0; i <= MAX_ORDER; i++)
        heap.list[i] = (struct page_list_head)PAGE_LIST_HEAD_INIT;
    boot_ranges_take(heap_take);
    heap_up = true;
}

bool heap_ready(void)
{
    return heap_up;
}

unsigned long heap_free_pages(void)
{
    return heap.free_pages;
}

unsigned long heap_free_blocks(unsigned int order)
{
    return order <= MAX_ORDER ? heap.blocks[order] : 0;
}

int heap_largest_free_order(void)
{
    int order;

    for (order = MAX_ORDER; order >= 0; order--)
        if (heap.blocks[order])
            break;
    return order;
}

void heap_dump(void)
{
    unsigned int i;

    printk("Heap: %lu frames free; free blocks per order:\n", heap.free_pages);
    for (i = 0; i <= MAX_ORDER; i++)
        if (heap.blocks[i])
            printk("  order %2u: %lu\n", i, heap.blocks[i]);
}

void mem_report(void)
{
    const struct mem_accounting *a = &mem_accounting;
    const unsigned int kib = PAGE_SHIFT - 10;
    /* Left in the boot allocator: all of it when there is no heap. */
    unsigned long unused =
        a->usable - a->heap - a->boot_allocated - a->reserved - a->low;

    printk("Memory: usable %lu KiB = heap %lu + boot allocations %lu + "
           "reserved %lu + first MiB %lu + unused %lu KiB\n",
           a->usable << kib, a->heap << kib, a->boot_allocated << kib,
           a->reserved << kib, a->low << kib, unused << kib);
    printk("Memory: %lu KiB free in the heap\n", heap.free_pages << kib);
}

/**
 * Guards the free lists. alloc_heap_pages() and free_heap_pages() do not
 * take it (lab 2 exercises, and the self-tests call them at boot, on one
 * CPU); the domheap and xenheap functions below, which every CPU may
 * call (a domain is destroyed on the CPU that last ran it), do.
 */
static spinlock_t heap_lock = SPIN_LOCK_UNLOCKED("heap");

/** alloc_heap_pages() under the heap lock. */
static struct page_info *alloc_locked(unsigned int order)
{
    unsigned long flags = spin_lock_irqsave(&heap_lock);
    struct page_info *pg = alloc_heap_pages(order);

    spin_unlock_irqrestore(&heap_lock, flags);
    return pg;
}

/** free_heap_pages() under the heap lock. */
static void free_locked(struct page_info *pg, unsigned int order)
{
    unsigned long flags = spin_lock_irqsave(&heap_lock);

    free_heap_pages(pg, order);
    spin_unlock_irqrestore(&heap_lock, flags);
}

void *alloc_xenheap_pages(unsigned int order, unsigned int memflags)
{
    struct page_info *pg = alloc_locked(order);
    unsigned long i;

    if (!pg)
        return NULL;
    for (i = 0; i < (1UL << order); i++)
        pg[i].count_info |= PGC_xen_heap;
    if (memflags & MEMF_zero)
        memset(page_to_virt(pg), 0, PAGE_SIZE << order);
    return page_to_virt(pg);
}

void free_xenheap_pages(void *va, unsigned int order)
{
    struct page_info *pg = virt_to_page(va);
    unsigned long i;

    check_inuse(pg, order);
    for (i = 0; i < (1UL << order); i++) {
        BUG_ON(!(pg[i].count_info & PGC_xen_heap));
        pg[i].count_info &= ~PGC_xen_heap;
    }
    free_locked(pg, order);
}

struct page_info *alloc_domheap_pages(struct domain *d, unsigned int order,
                                      unsigned int memflags)
{
    unsigned long i, nr = 1UL << order;
    struct page_info *pg;

    if (d && d->tot_pages + nr > d->max_pages) {
        printk(LOG_WARNING "d%u: allocating %lu frames would exceed its "
                           "limit of %lu\n",
               d->domain_id, nr, d->max_pages);
        return NULL;
    }
    pg = alloc_locked(order);
    if (!pg)
        return NULL;
    for (i = 0; i < nr; i++) {
        pg[i].owner = d;
        pg[i].u.inuse.type_info = 0;
        if (d) { /* the allocation holds the first reference (lab 5) */
            pg[i].count_info |= PGC_allocated | 1;
            page_list_add(&pg[i], &d->page_list);
        }
    }
    if (d)
        d->tot_pages += nr;
    if (memflags & MEMF_zero)
        memset(page_to_virt(pg), 0, PAGE_SIZE << order);
    return pg;
}

void free_domheap_pages(struct page_info *pg, unsigned int order)
{
    struct domain *d = pg->owner;
    unsigned long i, nr = 1UL << order;

    check_inuse(pg, order);
    for (i = 0; i < nr; i++) {
        BUG_ON(pg[i].owner != d || (pg[i].count_info & PGC_xen_heap));
        if (d) { /* a frame still referenced elsewhere must not go */
            BUG_ON((pg[i].count_info & PGC_count_mask) != 1);
            page_list_del(&pg[i], &d->page_list);
            pg[i].count_info &= ~(PGC_allocated | PGC_count_mask);
        }
        pg[i].owner = NULL;
    }
    if (d)
        d->tot_pages -= nr;
    free_locked(pg, order);
}
