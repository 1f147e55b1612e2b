/*
 * test_xmalloc.c: unit tests of xmalloc(), hypervisor/common/xmalloc.c
 * (lab 2), on the heap of the machine in machine.c.
 *
 * hv-sources: hypervisor/common/boot_alloc.c hypervisor/common/page_alloc.c
 * hv-sources: hypervisor/common/spinlock.c
 * hv-sources: hypervisor/common/xmalloc.c
 * host-sources: tests/unit/machine.c tests/unit/fake_cpu.c
 *
 * The test keeps every object it holds with its size, and fills it with
 * a pattern of its own: objects must be aligned, inside xenheap pages,
 * apart from each other, and keep their contents whatever happens to the
 * others. When all are freed, xmalloc must hold nothing and the heap must
 * be as it was. Misuse (double frees, foreign pointers) must be reported
 * and change nothing.
 */
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <hospes/mm.h>
#include <hospes/printk.h>
#include <hospes/xmalloc.h>

#include "machine.h"

/** More objects than any test holds at once. */
#define MAX_OBJECTS 4096

/** An object the test holds. */
struct object {
    unsigned char *p;
    size_t size;
    unsigned int serial; /**< picks its pattern */
};

/** The objects the test holds, in no order. */
static struct {
    struct object obj[MAX_OBJECTS];
    unsigned int nr;
    unsigned int serials; /**< objects ever held */
} live;

/** The heap's free blocks before the test. */
static unsigned long fresh_blocks[MAX_ORDER + 1];

static void setup(void)
{
    machine_init();
    memset(&live, 0, sizeof(live));
    heap_block_counts(fresh_blocks);
    printk_clear();
}

/** Byte @p k of the pattern of object @p serial. */
static unsigned char pattern(unsigned int serial, size_t k)
{
    return (unsigned char)(serial * 131 + k + 1);
}

/** Assert that the xenheap holds byte @p p, as an in-use xenheap page. */
static void check_in_xenheap(const unsigned char *p)
{
    paddr_t ma = virt_to_maddr(p);
    const struct page_info *pg;

    unit_assert(ma != (paddr_t)-1, "%p is outside the machine's RAM", p);
    pg = virt_to_page(p);
    unit_assert(page_state(pg) == PGC_state_inuse &&
                    (pg->count_info & PGC_xen_heap),
                "%p is in frame 0x%lx, not an allocated xenheap page", p,
                mfn_x(page_to_mfn(pg)));
}

/**
 * _xmalloc(@p size, @p align): check the object and hold it, filled with
 * its pattern. @return the object, or NULL if _xmalloc() failed
 */
static unsigned char *try_get(size_t size, size_t align)
{
    unsigned char *p = _xmalloc(size, align);
    struct object *o = &live.obj[live.nr];
    size_t k;

    if (!p)
        return NULL;
    ck_assert_msg(!((uintptr_t)p % align), "_xmalloc(%zu, %zu) = %p", size,
                  align, p);
    check_in_xenheap(p);
    check_in_xenheap(p + size - 1);
    ck_assert_uint_lt(live.nr, MAX_OBJECTS);
    *o = (struct object){ p, size, live.serials++ };
    for (k = 0; k < size; k++)
        p[k] = pattern(o->serial, k);
    live.nr++;
    return p;
}

/** try_get(), which must succeed. */
static unsigned char *get(size_t size, size_t align)
{
    unsigned char *p = try_get(size, align);

    ck_assert_msg(p, "_xmalloc(%zu, %zu) failed", size, align);
    return p;
}

/** Assert that object @p o still holds its pattern. */
static void check_contents(const struct object *o)
{
    size_t k;

    for (k = 0; k < o->size; k++)
        unit_assert(o->p[k] == pattern(o->serial, k),
                    "byte %zu of object %p (%zu bytes) was overwritten", k,
                    o->p, o->size);
}

/** Check every held object's contents. */
static void check_all_contents(void)
{
    unsigned int i;

    for (i = 0; i < live.nr; i++)
        check_contents(&live.obj[i]);
}

/** The index of held object @p p. */
static unsigned int find(const void *p)
{
    unsigned int i;

    for (i = 0; i < live.nr; i++)
        if (live.obj[i].p == p)
            return i;
    ck_abort_msg("%p is not a held object", p);
}

/** Check held object @p i, free it and forget it. */
static void put(unsigned int i)
{
    check_contents(&live.obj[i]);
    xfree(live.obj[i].p);
    live.obj[i] = live.obj[--live.nr];
}

/** Free every held object, in an order @p seed picks. */
static void put_everything(unsigned long seed)
{
    while (live.nr)
        put(unit_random(&seed) % live.nr);
}

/** For qsort(): objects by address. */
static int by_address(const void *a, const void *b)
{
    const struct object *x = a, *y = b;

    return (x->p > y->p) - (x->p < y->p);
}

/** Assert that no two held objects share a byte. */
static void check_apart(void)
{
    static struct object sorted[MAX_OBJECTS];
    unsigned int i;

    memcpy(sorted, live.obj, live.nr * sizeof(sorted[0]));
    qsort(sorted, live.nr, sizeof(sorted[0]), by_address);
    for (i = 1; i < live.nr; i++)
        unit_assert(sorted[i - 1].p + sorted[i - 1].size <= sorted[i].p,
                    "object %p (%zu bytes) overlaps object %p", sorted[i - 1].p,
                    sorted[i - 1].size, sorted[i].p);
}

/** Assert that xmalloc counts what the test holds, and that its pages
 * are what the heap lacks. */
static void check_stats(void)
{
    struct xmalloc_stats st = xmalloc_stats();

    ck_assert_uint_eq(st.objects, live.nr);
    ck_assert_uint_eq(st.pages, machine_frames(FRAME_HEAP) - heap_free_pages());
}

/** Assert that xmalloc holds nothing and the heap is as before. */
static void check_empty(void)
{
    ck_assert_uint_eq(xmalloc_stats().objects, 0);
    ck_assert_uint_eq(xmalloc_stats().pages, 0);
    ck_assert_uint_eq(heap_free_pages(), machine_frames(FRAME_HEAP));
    ck_assert_heap_blocks(fresh_blocks);
}

/* -------------------------------------------------------------------------
 * Allocating and freeing.
 */

/* Sizes up to three pages at every alignment, then random ones: all
 * aligned, apart and intact; freeing them all gives everything back. */
START_TEST(test_sizes_and_alignments)
{
    unsigned long seed = 5;
    size_t size, align;
    unsigned int i;

    for (align = 1; align <= XMALLOC_MAX_SMALL; align *= 2)
        for (size = 1; size <= 3 * PAGE_SIZE; size += size / 4 + 1)
            get(size, align);
    for (i = 0; i < 1000; i++)
        get(1 + unit_random(&seed) % (3 * PAGE_SIZE),
            1UL << unit_random(&seed) % 12);
    check_apart();
    check_all_contents();
    check_stats();

    /* Free half, check the rest survived, fill the gaps again. */
    for (i = 0; i < 700; i++)
        put(unit_random(&seed) % live.nr);
    check_all_contents();
    check_stats();
    for (i = 0; i < 700; i++)
        get(1 + unit_random(&seed) % (3 * PAGE_SIZE), 16);
    check_apart();
    check_all_contents();
    check_stats();

    put_everything(seed);
    check_empty();
}
END_TEST

/* Small objects share slab pages, and the last one out frees the page. */
START_TEST(test_small_objects_share_pages)
{
    unsigned int i;

    for (i = 0; i < 100; i++)
        get(32, 8);
    check_stats();
    ck_assert_uint_eq(xmalloc_stats().pages, 1);
    put_everything(9);
    check_empty();
}
END_TEST

/** A type for xzalloc(type). */
struct sample {
    long a;
    char b[40];
};

/* xzalloc() zeroes every byte, even where old contents were. */
START_TEST(test_xzalloc_zeroes)
{
    static const size_t sizes[] = {
        1, 24, 100, XMALLOC_MAX_SMALL, XMALLOC_MAX_SMALL + 1, 3 * PAGE_SIZE
    };
    struct sample *t;
    unsigned char *p;
    unsigned int i;
    size_t k;

    for (i = 0; i < ARRAY_SIZE(sizes); i++) {
        p = _xmalloc(sizes[i], 8);
        ck_assert_ptr_nonnull(p);
        memset(p, 0xff, sizes[i]);
        xfree(p);
        p = _xzalloc(sizes[i], 8);
        ck_assert_ptr_nonnull(p);
        for (k = 0; k < sizes[i]; k++)
            unit_assert(!p[k], "byte %zu of a %zu-byte xzalloc is 0x%02x", k,
                        sizes[i], p[k]);
        xfree(p);
    }
    t = xzalloc(struct sample);
    ck_assert_ptr_nonnull(t);
    ck_assert(!t->a && !t->b[0] && !t->b[39]);
    xfree(t);
    check_empty();
}
END_TEST

/* A bad alignment, an impossible size or an overflowing array size gets
 * NULL, and changes nothing. */
START_TEST(test_bad_requests)
{
    static const size_t aligns[] = {
        0, 3, 6, 24, 100, PAGE_SIZE, 2 * PAGE_SIZE, 1UL << 40
    };
    char msg[64];
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(aligns); i++) {
        printk_clear();
        ck_assert_ptr_null(_xmalloc(64, aligns[i]));
        snprintf(msg, sizeof(msg), "xmalloc: bad alignment %zu\n", aligns[i]);
        ck_assert_printed(msg);
    }
    ck_assert_ptr_null(_xzalloc(64, 0));
    ck_assert_ptr_null(_xmalloc(SIZE_MAX, 1));
    ck_assert_ptr_null(_xmalloc(MACHINE_BYTES, 8));
    ck_assert_ptr_null(xmalloc_array(uint64_t, SIZE_MAX / 4));
    check_empty();
}
END_TEST

/* -------------------------------------------------------------------------
 * Exhaustion.
 */

/** Xenheap pages taken to drain the heap. */
static struct {
    void *va[MACHINE_FRAMES];
    unsigned long nr;
} drained;

/** Take single xenheap pages until only @p leave frames are free. */
static void drain_heap(unsigned long leave)
{
    while (heap_free_pages() > leave) {
        drained.va[drained.nr] = alloc_xenheap_page();
        ck_assert_ptr_nonnull(drained.va[drained.nr]);
        drained.nr++;
    }
}

/** Give back what drain_heap() took. */
static void undrain_heap(void)
{
    while (drained.nr)
        free_xenheap_page(drained.va[--drained.nr]);
}

/* With two free frames, small objects fill two slabs, then get NULL
 * with a warning; so does a large object. All frees, all is back. */
START_TEST(test_exhaustion_small)
{
    drain_heap(2);
    printk_clear();
    while (try_get(16, 16))
        ;
    ck_assert_printed(LOG_WARNING "heap: no free block of order 0");
    ck_assert_uint_gt(live.nr, 2);
    ck_assert_uint_eq(xmalloc_stats().pages, 2);
    ck_assert_uint_eq(xmalloc_stats().objects, live.nr);
    ck_assert_ptr_null(_xmalloc(3 * PAGE_SIZE, 8));
    ck_assert_ptr_null(_xmalloc(1000, 8));
    check_apart();
    check_all_contents();

    put_everything(8);
    undrain_heap();
    check_empty();
}
END_TEST

/* Large objects until no block is big enough: NULL with a warning, the
 * objects intact, the heap nearly empty; all frees, all is back. */
START_TEST(test_exhaustion_large)
{
    const size_t size = 60 * 1024; /* with its header: 16 pages */

    printk_clear();
    while (try_get(size, 64))
        ;
    ck_assert_printed(LOG_WARNING "heap: no free block of order 4");
    ck_assert_uint_lt(heap_free_pages(), machine_frames(FRAME_HEAP) / 8);
    check_stats();
    check_apart();
    check_all_contents();

    put_everything(2);
    check_empty();
}
END_TEST

/* -------------------------------------------------------------------------
 * Misuse.
 */

/* Freeing a small object twice is reported and ignored: the slot is not
 * handed out twice afterwards. */
START_TEST(test_double_free_small)
{
    unsigned char *a = get(100, 8);
    unsigned int i;

    get(100, 8); /* shares a's slab, which so stays */
    put(find(a));
    printk_clear();
    xfree(a);
    ck_assert_printed("freed twice; ignored");
    check_stats();
    check_all_contents();

    /* Enough objects of a's class to need a's slot and more slabs. */
    for (i = 0; i < 100; i++)
        get(100, 8);
    check_apart();
    check_all_contents();
    check_stats();
    put_everything(3);
    check_empty();
}
END_TEST

/* Freeing a large object twice is reported and ignored: its pages are
 * not freed twice. */
START_TEST(test_double_free_large)
{
    unsigned char *a = get(3 * PAGE_SIZE, 64);
    unsigned long nr_free;

    get(3 * PAGE_SIZE, 64);
    put(find(a));
    nr_free = heap_free_pages();
    printk_clear();
    xfree(a);
    ck_assert_printed("was not allocated by xmalloc; ignored");
    ck_assert_uint_eq(heap_free_pages(), nr_free);
    check_stats();

    get(3 * PAGE_SIZE, 64);
    get(3 * PAGE_SIZE, 64);
    check_apart();
    check_all_contents();
    put_everything(4);
    check_empty();
}
END_TEST

/** xfree(@p p), a pointer xmalloc() never returned (@p what): it must be
 * reported, and change neither xmalloc, nor the heap, nor the objects. */
static void check_foreign(void *p, const char *what)
{
    struct xmalloc_stats before = xmalloc_stats();
    unsigned long nr_free = heap_free_pages();

    printk_clear();
    xfree(p);
    ck_assert_msg(strstr(printk_output(), "not allocated by xmalloc; ignored"),
                  "xfree(%s): printed \"%s\"", what, printk_output());
    ck_assert_uint_eq(heap_free_pages(), nr_free);
    ck_assert_uint_eq(xmalloc_stats().objects, before.objects);
    ck_assert_uint_eq(xmalloc_stats().pages, before.pages);
    check_all_contents();
}

/* Pointers xmalloc() never returned are reported and ignored. */
START_TEST(test_foreign_pointers)
{
    unsigned char *small = get(100, 8), *large = get(5000, 16);
    unsigned char *xen = alloc_xenheap_pages(0, MEMF_zero);
    unsigned char *dirty = alloc_xenheap_page(); /* full of poison */
    struct page_info *dom = alloc_domheap_pages(NULL, 0, 0);
    unsigned char *freed = alloc_xenheap_page(), *host = malloc(64);
    int on_stack;

    ck_assert(xen && dirty && dom && freed && host);
    free_xenheap_page(freed);

    check_foreign(&on_stack, "a stack address");
    check_foreign(host, "a host malloc() pointer");
    check_foreign(small + 1, "inside a small object");
    check_foreign(small + 64, "inside a small object's slot");
    check_foreign(large + 8, "inside a large object");
    check_foreign((void *)((uintptr_t)small & PAGE_MASK), "a slab's header");
    check_foreign((void *)((uintptr_t)large & PAGE_MASK),
                  "a large object's header");
    check_foreign(xen, "a xenheap page");
    check_foreign(xen + 64, "inside a zeroed xenheap page");
    check_foreign(dirty + 64, "inside a poisoned xenheap page");
    check_foreign((unsigned char *)page_to_virt(dom) + 64,
                  "inside a domheap page");
    check_foreign(freed + 64, "inside a free heap page");
    check_foreign(maddr_to_virt((19UL << 20) + 64), "in a hole of the map");

    free(host);
    free_xenheap_page(xen);
    free_xenheap_page(dirty);
    free_domheap_pages(dom, 0);
    put_everything(6);
    check_empty();
}
END_TEST

Suite *unit_suite(void)
{
    Suite *s = suite_create("xmalloc");
    TCase *alloc = tcase_create("alloc");
    TCase *exhaustion = tcase_create("exhaustion");
    TCase *misuse = tcase_create("misuse");

    tcase_add_checked_fixture(alloc, setup, NULL);
    tcase_add_test(alloc, test_sizes_and_alignments);
    tcase_add_test(alloc, test_small_objects_share_pages);
    tcase_add_test(alloc, test_xzalloc_zeroes);
    tcase_add_test(alloc, test_bad_requests);
    suite_add_tcase(s, alloc);

    tcase_add_checked_fixture(exhaustion, setup, NULL);
    tcase_add_test(exhaustion, test_exhaustion_small);
    tcase_add_test(exhaustion, test_exhaustion_large);
    suite_add_tcase(s, exhaustion);

    tcase_add_checked_fixture(misuse, setup, NULL);
    tcase_add_test(misuse, test_double_free_small);
    tcase_add_test(misuse, test_double_free_large);
    tcase_add_test(misuse, test_foreign_pointers);
    suite_add_tcase(s, misuse);
    return s;
}
