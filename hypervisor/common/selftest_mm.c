/**
 * @file
 * @brief Self-tests of lab 2: the heap, domain memory and xmalloc.
 *        Selected with `selftest=alloc`, `domheap`, `xmalloc` (see
 *        hospes/selftest.h); arch/x86/mm.c has `pagetables`.
 *
 * Each test prints what it found and returns how many checks failed.
 * Design page: docs/memory.md.
 */
#include <hospes/domain.h>
#include <hospes/lib.h>
#include <hospes/mm.h>
#include <hospes/page_list.h>
#include <hospes/printk.h>
#include <hospes/selftest.h>
#include <hospes/time.h>
#include <hospes/xmalloc.h>

#include "mm-internal.h"

/** Print a failed check and count it. */
#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            printk(LOG_ERR "check failed: " __VA_ARGS__);                      \
            bad++;                                                             \
        }                                                                      \
    } while (0)

/**
 * The head of each block the alloc test holds, written into the block
 * itself through the direct map: a chain of all blocks, and a record the
 * test reads back (a block handed out twice would overwrite it).
 */
struct held_block {
    struct held_block *next; /**< the block allocated before this one */
    unsigned long mfn;       /**< this block's first frame */
    unsigned int order;      /**< its order */
};

/** Orders the alloc test asks for in turn: small ones mostly. */
static const unsigned int alloc_orders[] = { 0, 3, 1, 9, 0, 2, 5, 0, 1, 4 };

/** The free blocks per order, to compare before and after. */
static void snapshot(unsigned long blocks[MAX_ORDER + 1])
{
    unsigned int i;

    for (i = 0; i <= MAX_ORDER; i++)
        blocks[i] = heap_free_blocks(i);
}

/** Allocate everything in mixed orders. @return the chain of blocks */
static struct held_block *take_everything(unsigned long *frames,
                                          unsigned long *blocks, int *bad_out)
{
    struct held_block *chain = NULL;
    unsigned int i = 0;
    int largest, bad = 0;

    while ((largest = heap_largest_free_order()) >= 0) {
        unsigned int order = alloc_orders[i++ % ARRAY_SIZE(alloc_orders)];
        struct page_info *pg;
        struct held_block *h;

        order = min(order, (unsigned int)largest);
        pg = alloc_heap_pages(order);

        if (!pg) {
            CHECK(pg, "no block of order %u though one is free\n", order);
            break;
        }
        CHECK(!(mfn_x(page_to_mfn(pg)) & ((1UL << order) - 1)),
              "block at frame 0x%lx is not aligned to its order %u\n",
              mfn_x(page_to_mfn(pg)), order);
        h = page_to_virt(pg);
        *h = (struct held_block){ chain, mfn_x(page_to_mfn(pg)), order };
        chain = h;
        *frames += 1UL << order;
        (*blocks)++;
    }
    *bad_out += bad;
    return chain;
}

/**
 * Lab 2 exercises 1 and 2: allocate all free memory in mixed orders, then
 * free it all, and check that the heap is exactly as before.
 */
static int selftest_alloc(void)
{
    unsigned long before[MAX_ORDER + 1], after[MAX_ORDER + 1];
    unsigned long free = heap_free_pages(), frames = 0, blocks = 0, i;
    uint64_t start = get_cycles();
    struct held_block *h, *next;
    int bad = 0;

    snapshot(before);
    /* A few frames may be in use already (page tables for the APIC). */
    CHECK(free && free <= mem_accounting.heap &&
              free > mem_accounting.heap - mem_accounting.heap / 100,
          "the heap holds %lu free frames, but was given %lu\n", free,
          mem_accounting.heap);
    h = take_everything(&frames, &blocks, &bad);
    CHECK(frames == free, "got %lu frames of the %lu free\n", frames, free);
    CHECK(!alloc_heap_pages(0), "an empty heap still gave a frame\n");

    /* Free the blocks at even places first, then the rest: merges then
     * happen out of order, as in real life. */
    for (i = 0; i < 2; i++) {
        struct held_block **link = &h;
        unsigned long n = 0;

        while (*link) {
            struct held_block *b = *link;

            next = b->next;
            if (i == 0 && n++ % 2 == 0) {
                link = &b->next;
                continue;
            }
            CHECK(b->mfn == mfn_x(page_to_mfn(virt_to_page(b))),
                  "block record at %p overwritten: 0x%lx\n", (void *)b, b->mfn);
            *link = next;
            free_heap_pages(virt_to_page(b), b->order);
        }
    }
    snapshot(after);
    CHECK(heap_free_pages() == free, "%lu frames free after, %lu before\n",
          heap_free_pages(), free);
    CHECK(!memcmp(before, after, sizeof(before)),
          "the free blocks did not merge back as they were\n");
    heap_dump();
    printk("alloc check: %lu frames (%lu MiB) in %lu blocks allocated and "
           "freed in %lu cycles\n",
           frames, frames >> (20 - PAGE_SHIFT), blocks,
           (unsigned long)(get_cycles() - start));
    return bad;
}
SELFTEST("alloc", selftest_alloc);

/** Count the frames on @p d's page list that it owns. */
static unsigned long count_owned(struct domain *d)
{
    struct page_info *pg;
    unsigned long n = 0;

    for (pg = page_list_first(&d->page_list); pg; pg = page_list_next(pg))
        n += pg->owner == d && (pg->count_info & PGC_allocated);
    return n;
}

/** Lab 2: domain memory counts against the domain's limit. */
static int selftest_domheap(void)
{
    struct domain d = { .domain_id = 42,
                        .max_pages = 8,
                        .page_list = PAGE_LIST_HEAD_INIT };
    unsigned long free = heap_free_pages();
    struct page_info *a, *b, *c;
    int bad = 0;

    a = alloc_domheap_pages(&d, 2, 0);
    b = alloc_domheap_pages(&d, 2, MEMF_zero);
    c = alloc_domheap_pages(&d, 0, 0);
    CHECK(a && b, "two blocks of 4 frames within the limit of 8 refused\n");
    CHECK(!c, "a ninth frame was given past the limit of 8\n");
    CHECK(d.tot_pages == 8, "tot_pages is %lu, not 8\n", d.tot_pages);
    CHECK(count_owned(&d) == 8, "%lu frames on the page list, not 8\n",
          count_owned(&d));
    CHECK(b && !memcmp(page_to_virt(b), page_to_virt(b) + 1, PAGE_SIZE - 1),
          "MEMF_zero frames are not zero\n");
    if (a)
        free_domheap_pages(a, 2);
    if (b)
        free_domheap_pages(b, 2);
    CHECK(!d.tot_pages && page_list_empty(&d.page_list),
          "after freeing: tot_pages %lu, list %s\n", d.tot_pages,
          page_list_empty(&d.page_list) ? "empty" : "not empty");
    CHECK(heap_free_pages() == free, "%lu frames free after, %lu before\n",
          heap_free_pages(), free);
    printk("domheap check: d%u held %lu of %lu frames\n", d.domain_id,
           a && b ? 8UL : 0UL, d.max_pages);
    return bad;
}
SELFTEST("domheap", selftest_domheap);

/** Sizes and alignments the xmalloc test asks for. */
static const struct {
    size_t size;
    size_t align;
} xm_cases[] = {
    { 1, 1 },     { 8, 8 },      { 16, 16 },  { 24, 8 },      { 100, 4 },
    { 128, 64 },  { 500, 16 },   { 1024, 8 }, { 2048, 2048 }, { 2049, 8 },
    { 4096, 16 }, { 10000, 64 }, { 3, 512 },  { 40, 8 },      { 1, 1 },
};

/** Lab 2: xmalloc's alignment, zeroing, freeing, and misuse reports. */
static int selftest_xmalloc(void)
{
    void *p[ARRAY_SIZE(xm_cases)];
    unsigned long free = heap_free_pages();
    /* What the hypervisor holds already (the scheduler's, say) stays. */
    unsigned long objects = xmalloc_stats().objects;
    unsigned long pages = xmalloc_stats().pages;
    unsigned int i, j;
    uint8_t *z;
    int bad = 0;

    for (i = 0; i < ARRAY_SIZE(xm_cases); i++) {
        p[i] = _xmalloc(xm_cases[i].size, xm_cases[i].align);
        CHECK(p[i], "xmalloc(%zu) failed\n", xm_cases[i].size);
        CHECK(!((unsigned long)p[i] & (xm_cases[i].align - 1)),
              "xmalloc(%zu, %zu) gave %p\n", xm_cases[i].size,
              xm_cases[i].align, p[i]);
        if (p[i])
            memset(p[i], i + 1, xm_cases[i].size);
    }
    /* Every object still holds its own bytes: none overlaps another. */
    for (i = 0; i < ARRAY_SIZE(xm_cases); i++)
        for (j = 0; p[i] && j < xm_cases[i].size; j++)
            if (((uint8_t *)p[i])[j] != i + 1) {
                CHECK(false, "object %u overwritten at byte %u\n", i, j);
                break;
            }
    z = _xzalloc(300, 8);
    CHECK(z && !z[0] && !memcmp(z, z + 1, 299), "xzalloc is not zero\n");
    xfree(z);
    /* The last case shares the first one's slab, keeping it alive. */
    for (i = 0; i < ARRAY_SIZE(xm_cases) - 1; i++)
        xfree(p[i]);

    printk("xmalloc check: misuse that must be reported and ignored:\n");
    xfree(p[0]);                                    /* freed twice */
    xfree((char *)p[ARRAY_SIZE(xm_cases) - 1] + 1); /* inside an object */
    xfree(&free); /* not from xmalloc at all */
    CHECK(!_xmalloc(8, 3), "an alignment of 3 was accepted\n");
    xfree(p[ARRAY_SIZE(xm_cases) - 1]);
    CHECK(xmalloc_stats().objects == objects && xmalloc_stats().pages == pages,
          "%lu objects and %lu pages held, %lu and %lu before\n",
          xmalloc_stats().objects, xmalloc_stats().pages, objects, pages);
    CHECK(heap_free_pages() == free, "%lu frames free after, %lu before\n",
          heap_free_pages(), free);
    printk("xmalloc check: %zu objects allocated and freed\n",
           ARRAY_SIZE(xm_cases) + 1);
    return bad;
}
SELFTEST("xmalloc", selftest_xmalloc);
