/*
 * test_page_alloc.c: unit tests of the boot allocator and the heap,
 * hypervisor/common/boot_alloc.c and page_alloc.c (lab 2, exercises 1
 * and 2: alloc_heap_pages() splits, free_heap_pages() merges; and the
 * xenheap and domheap interfaces on top of them).
 *
 * hv-sources: hypervisor/common/boot_alloc.c hypervisor/common/page_alloc.c
 * hv-sources: hypervisor/common/spinlock.c
 * host-sources: tests/unit/machine.c tests/unit/fake_cpu.c
 *
 * Every test starts from the freshly booted machine of machine.c. The
 * heap is checked against a model that knows nothing of buddies: the
 * machine says which frames the heap was given, and the model keeps one
 * flag per frame, set while the test holds it. Every block the heap hands
 * out must be aligned to its size and made of heap frames that nobody
 * holds; and since a buddy heap merges all it can, a free run of frames
 * aligned to a size is always there to be had at that size.
 */
#include "unit.h"

#include <stdio.h>

#include <hospes/domain.h>
#include <hospes/mm.h>
#include <hospes/page_list.h>
#include <hospes/printk.h>

#include "../../hypervisor/common/mm-internal.h"
#include "machine.h"

/** A block of 2^order frames the test holds. */
struct block {
    struct page_info *pg;
    unsigned int order;
};

/** What the test holds: the model of the heap's allocated frames. */
static struct {
    bool held[MACHINE_FRAMES];           /**< by mfn */
    struct block blocks[MACHINE_FRAMES]; /**< in no order */
    unsigned int nr_blocks;
    unsigned long frames; /**< frames in blocks */
} held;

/** The free blocks per order that a fresh heap must have. */
static unsigned long fresh_blocks[MAX_ORDER + 1];

/** Are the @p nr frames from @p mfn all heap frames the test does not hold? */
static bool run_free(unsigned long mfn, unsigned long nr)
{
    unsigned long i;

    for (i = mfn; i < mfn + nr; i++)
        if (!machine_heap_frame(i) || held.held[i])
            return false;
    return true;
}

/** Is @p mfn a multiple of 2^@p order? */
static bool aligned(unsigned long mfn, unsigned int order)
{
    return !(mfn & ((1UL << order) - 1));
}

/**
 * The free blocks of a fully merged heap, from the machine alone: cut
 * each run of heap frames, from its start, into the largest blocks aligned
 * to their size, which is what no buddy can merge any further.
 */
static void expected_fresh_blocks(unsigned long counts[MAX_ORDER + 1])
{
    unsigned long mfn = 0;

    memset(counts, 0, (MAX_ORDER + 1) * sizeof(counts[0]));
    while (mfn < MACHINE_FRAMES) {
        unsigned int order = 0;

        if (!run_free(mfn, 1)) {
            mfn++;
            continue;
        }
        /* Double the block while it stays aligned and heap above. */
        while (order < MAX_ORDER && aligned(mfn, order + 1) &&
               run_free(mfn + (1UL << order), 1UL << order))
            order++;
        counts[order]++;
        mfn += 1UL << order;
    }
}

static void setup(void)
{
    machine_init();
    memset(&held, 0, sizeof(held));
    expected_fresh_blocks(fresh_blocks);
    printk_clear();
}

/* -------------------------------------------------------------------------
 * Taking and giving back blocks, checked against the model.
 */

/** Check the heap's count of free frames against the model's. */
static void check_free_count(void)
{
    unit_assert(heap_free_pages() == machine_frames(FRAME_HEAP) - held.frames,
                "the heap has %lu frames free; the test holds %lu of %lu",
                heap_free_pages(), held.frames, machine_frames(FRAME_HEAP));
}

/** Check block @p pg of 2^@p order frames, just allocated, and hold it. */
static void hold(struct page_info *pg, unsigned int order)
{
    unsigned long mfn = mfn_x(page_to_mfn(pg)), i;

    unit_assert(aligned(mfn, order),
                "block at frame 0x%lx is not aligned to its order %u", mfn,
                order);
    for (i = mfn; i < mfn + (1UL << order); i++) {
        unit_assert(machine_heap_frame(i),
                    "frame 0x%lx (of a block at 0x%lx, order %u) is not "
                    "the heap's: kind %d",
                    i, mfn, order, machine_frame_kind(i));
        unit_assert(!held.held[i],
                    "frame 0x%lx (of a block at 0x%lx, order %u) is "
                    "already allocated",
                    i, mfn, order);
        unit_assert(page_state(mfn_to_page(_mfn(i))) == PGC_state_inuse,
                    "frame 0x%lx: allocated but its state is 0x%lx", i,
                    page_state(mfn_to_page(_mfn(i))));
        held.held[i] = true;
    }
    held.blocks[held.nr_blocks++] = (struct block){ pg, order };
    held.frames += 1UL << order;
}

/** Can the model see a free aligned run of 2^@p order heap frames? */
static bool model_has_free_run(unsigned int order)
{
    unsigned long size = 1UL << order, mfn;

    for (mfn = 0; mfn + size <= MACHINE_FRAMES; mfn += size)
        if (run_free(mfn, size))
            return true;
    return false;
}

/**
 * alloc_heap_pages(@p order), checked: a block is new and sound, NULL
 * comes only when no free run is there, with a warning. @return the block
 */
static struct page_info *take(unsigned int order)
{
    struct page_info *pg;

    printk_clear();
    pg = alloc_heap_pages(order);
    if (pg) {
        hold(pg, order);
    } else {
        unit_assert(order > MAX_ORDER || !model_has_free_run(order),
                    "alloc_heap_pages(%u) failed, but an aligned run of "
                    "free frames is there",
                    order);
        ck_assert_printed(LOG_WARNING "heap: no free block of order");
    }
    check_free_count();
    return pg;
}

/** Free held block @p i, checked, and forget it. */
static void give_back(unsigned int i)
{
    struct block b = held.blocks[i];
    unsigned long mfn = mfn_x(page_to_mfn(b.pg)), f;

    free_heap_pages(b.pg, b.order);
    for (f = mfn; f < mfn + (1UL << b.order); f++) {
        held.held[f] = false;
        unit_assert(page_state(mfn_to_page(_mfn(f))) == PGC_state_free,
                    "frame 0x%lx: freed but its state is 0x%lx", f,
                    page_state(mfn_to_page(_mfn(f))));
    }
    held.blocks[i] = held.blocks[--held.nr_blocks];
    held.frames -= 1UL << b.order;
    check_free_count();
}

/** Allocate single frames until the heap is empty. */
static void take_everything(void)
{
    while (take(0))
        ;
    ck_assert_uint_eq(held.frames, machine_frames(FRAME_HEAP));
}

/** Free all held blocks, in an order @p seed picks (0: as held). */
static void give_back_everything(unsigned long seed)
{
    while (held.nr_blocks)
        give_back(seed ? unit_random(&seed) % held.nr_blocks
                       : held.nr_blocks - 1);
}

/** Assert that the heap is as fresh: every block merged back. */
static void check_heap_fresh(void)
{
    ck_assert_uint_eq(heap_free_pages(), machine_frames(FRAME_HEAP));
    ck_assert_heap_blocks(fresh_blocks);
}

/* -------------------------------------------------------------------------
 * The boot allocator and the heap it leaves.
 */

/* usable = heap + boot allocations + reserved + the first MiB, each as the
 * machine counts it frame by frame. */
START_TEST(test_accounting)
{
    const struct mem_accounting *a = &mem_accounting;

    ck_assert_uint_eq(a->low, machine_frames(FRAME_LOW));
    /* 0 to 0x9fc00 is usable, but its last frame is not whole. */
    ck_assert_uint_eq(a->low, 0x9f);
    ck_assert_uint_eq(a->reserved, machine_frames(FRAME_RESERVED));
    ck_assert_uint_eq(a->boot_allocated, machine_frames(FRAME_BOOT));
    ck_assert_uint_eq(a->heap, machine_frames(FRAME_HEAP));
    ck_assert_uint_eq(a->usable,
                      a->heap + a->boot_allocated + a->reserved + a->low);
    ck_assert_uint_eq(heap_free_pages(), a->heap);
    /* RAM ends 512 bytes into the last frame, which is not whole. */
    ck_assert_uint_eq(max_page, MACHINE_FRAMES - 1);

    mem_report();
    ck_assert_printed("KiB free in the heap");
}
END_TEST

/* Each boot allocation is aligned as asked, below the limit, on usable
 * frames nobody else has; the first comes from the top of the limit. */
START_TEST(test_boot_allocations)
{
    unsigned long total = 0, i;
    unsigned int n;

    for (n = 0; n < machine_nr_boot_allocs; n++) {
        const struct machine_boot_alloc *a = &machine_boot_allocs[n];

        ck_assert_uint_eq(a->mfn % a->align, 0);
        ck_assert_uint_le(a->mfn + a->nr, MACHINE_BOOT_LIMIT >> PAGE_SHIFT);
        for (i = a->mfn; i < a->mfn + a->nr; i++) {
            ck_assert_msg(machine_frame_kind(i) == FRAME_BOOT,
                          "boot allocation %u: frame 0x%lx is of kind %d", n, i,
                          machine_frame_kind(i));
            ck_assert_msg(page_state(mfn_to_page(_mfn(i))) ==
                              PGC_state_reserved,
                          "boot frame 0x%lx was given to the heap", i);
        }
        total += a->nr;
    }
    /* Overlapping allocations would make fewer boot frames than this. */
    ck_assert_uint_eq(machine_frames(FRAME_BOOT), total);
    ck_assert_uint_eq(machine_boot_allocs[0].mfn + machine_boot_allocs[0].nr,
                      MACHINE_BOOT_LIMIT >> PAGE_SHIFT);
}
END_TEST

/* The heap has every heap frame, free and merged as far as it goes, and
 * not one frame more. */
START_TEST(test_fresh_heap)
{
    unsigned long mfn;

    for (mfn = 0; mfn < max_page; mfn++)
        unit_assert(
            page_state(mfn_to_page(_mfn(mfn))) ==
                (machine_heap_frame(mfn) ? PGC_state_free : PGC_state_reserved),
            "frame 0x%lx (kind %d): state 0x%lx", mfn, machine_frame_kind(mfn),
            page_state(mfn_to_page(_mfn(mfn))));
    check_heap_fresh();
}
END_TEST

/* -------------------------------------------------------------------------
 * The buddy allocator.
 */

/** Seeds of test_random_sequences, one run each. */
static const unsigned long seeds[] = { 1, 42, 20260101 };

/** Allocations and frees in test_random_sequences. */
#define RANDOM_STEPS 20000

/** An order for a random allocation: mostly small, up to 2^10 frames. */
static unsigned int random_order(unsigned long *seed)
{
    unsigned long r = unit_random(seed) % 100;

    if (r < 50)
        return 0;
    if (r < 70)
        return 1;
    if (r < 80)
        return 2;
    return 3 + unit_random(seed) % 8;
}

/* Random allocations and frees: every block sound, every failure
 * justified; freeing all merges the heap back to what it was. */
START_TEST(test_random_sequences)
{
    unsigned long seed = seeds[_i];
    unsigned int step, allocated = 0, failed = 0;

    for (step = 0; step < RANDOM_STEPS; step++) {
        if (held.nr_blocks && unit_random(&seed) % 100 >= 55)
            give_back(unit_random(&seed) % held.nr_blocks);
        else if (take(random_order(&seed)))
            allocated++;
        else
            failed++;
    }
    /* The sequence must have both filled the heap and got blocks. */
    ck_assert_msg(allocated > RANDOM_STEPS / 4 && failed > 0,
                  "seed %lu: %u allocations, %u failures", seeds[_i], allocated,
                  failed);
    give_back_everything(seed);
    check_heap_fresh();
}
END_TEST

/* Single frames, every one of them, freed in a random order, merge back
 * into the heap's first blocks. */
START_TEST(test_frames_merge_back)
{
    take_everything();
    give_back_everything(7);
    check_heap_fresh();
}
END_TEST

/* An empty heap fails every allocation with a warning, and recovers. */
START_TEST(test_exhaustion)
{
    struct domain d = { .domain_id = 3,
                        .max_pages = ~0UL,
                        .page_list = PAGE_LIST_HEAD_INIT };

    take_everything();
    ck_assert_uint_eq(heap_free_pages(), 0);
    ck_assert_printed(LOG_WARNING
                      "heap: no free block of order 0 (0 frames free)");
    ck_assert_ptr_null(take(3));

    printk_clear();
    ck_assert_ptr_null(alloc_xenheap_pages(0, MEMF_zero));
    ck_assert_printed("no free block of order 0");
    ck_assert_ptr_null(alloc_domheap_pages(&d, 0, 0));
    ck_assert_uint_eq(d.tot_pages, 0);
    ck_assert(page_list_empty(&d.page_list));

    give_back_everything(0);
    check_heap_fresh();
}
END_TEST

/* Asking for more than the biggest free block fails cleanly, even past
 * MAX_ORDER, and changes nothing. */
START_TEST(test_no_block_big_enough)
{
    unsigned int biggest = MAX_ORDER;

    while (!fresh_blocks[biggest])
        biggest--;
    ck_assert_ptr_null(take(biggest + 1));
    ck_assert_ptr_null(take(MAX_ORDER));
    ck_assert_ptr_null(take(MAX_ORDER + 1));
    check_heap_fresh();
    ck_assert_ptr_nonnull(take(biggest));
    give_back_everything(0);
    check_heap_fresh();
}
END_TEST

/* With every other frame free, there are many free frames and no two
 * buddies: an order-1 allocation fails until a neighbour is freed, and
 * then gets exactly that pair. */
START_TEST(test_fragmentation)
{
    unsigned long counts[MAX_ORDER + 1] = { 0 };
    unsigned long pair = 0;
    unsigned int i = 0;
    struct page_info *pg;

    take_everything();
    while (i < held.nr_blocks)
        if (mfn_x(page_to_mfn(held.blocks[i].pg)) % 2 == 0)
            give_back(i); /* moves the last block to i */
        else
            i++;
    counts[0] = heap_free_pages();
    ck_assert_uint_gt(counts[0], machine_frames(FRAME_HEAP) / 3);
    ck_assert_heap_blocks(counts);
    ck_assert_ptr_null(take(1));

    /* An odd frame whose even buddy is free. */
    for (i = 0; i < held.nr_blocks; i++) {
        pair = mfn_x(page_to_mfn(held.blocks[i].pg)) - 1;
        if (machine_heap_frame(pair))
            break;
    }
    ck_assert_uint_lt(i, held.nr_blocks);
    give_back(i);
    pg = take(1);
    ck_assert_ptr_nonnull(pg);
    ck_assert_uint_eq(mfn_x(page_to_mfn(pg)), pair);

    give_back_everything(0);
    check_heap_fresh();
}
END_TEST

/* -------------------------------------------------------------------------
 * Xenheap and domheap.
 */

/** Assert that the 2^@p order pages at @p va are all zero. */
static void check_zeroed(const void *va, unsigned int order)
{
    const unsigned char *p = va;
    size_t i;

    for (i = 0; i < PAGE_SIZE << order; i++)
        unit_assert(!p[i], "byte 0x%zx of the %u-page block is 0x%02x", i,
                    1U << order, p[i]);
}

/* Xenheap pages are the heap's, in use and marked the hypervisor's, in
 * the direct map; freeing them gives them back. */
START_TEST(test_xenheap_pages)
{
    unsigned char *va = alloc_xenheap_pages(1, 0);
    struct page_info *pg;
    unsigned long mfn, i;

    ck_assert_ptr_nonnull(va);
    ck_assert_uint_eq(virt_to_maddr(va) % (2 * PAGE_SIZE), 0);
    pg = virt_to_page(va);
    mfn = mfn_x(page_to_mfn(pg));
    ck_assert_ptr_eq(page_to_virt(pg), va);
    for (i = 0; i < 2; i++) {
        ck_assert(machine_heap_frame(mfn + i));
        ck_assert_uint_eq(page_state(&pg[i]), PGC_state_inuse);
        ck_assert(pg[i].count_info & PGC_xen_heap);
        ck_assert_ptr_null(pg[i].owner);
    }
    ck_assert_uint_eq(heap_free_pages(), machine_frames(FRAME_HEAP) - 2);
    va[2 * PAGE_SIZE - 1] = 1; /* the block is ours to write */

    free_xenheap_pages(va, 1);
    for (i = 0; i < 2; i++) {
        ck_assert_uint_eq(page_state(&pg[i]), PGC_state_free);
        ck_assert(!(pg[i].count_info & PGC_xen_heap));
    }
    check_heap_fresh();
}
END_TEST

/* MEMF_zero zeroes every byte of the block, RAM being full of poison and
 * of what the last user left. */
START_TEST(test_memf_zero)
{
    unsigned char *va = alloc_xenheap_pages(2, 0);
    struct page_info *pg;

    ck_assert_ptr_nonnull(va);
    ck_assert_uint_eq(va[PAGE_SIZE], MACHINE_POISON);
    memset(va, 0xa5, 4 * PAGE_SIZE);
    free_xenheap_pages(va, 2);

    va = alloc_xenheap_pages(2, MEMF_zero);
    ck_assert_ptr_nonnull(va);
    check_zeroed(va, 2);
    memset(va, 0xa5, 4 * PAGE_SIZE);
    free_xenheap_pages(va, 2);

    pg = alloc_domheap_pages(NULL, 3, MEMF_zero);
    ck_assert_ptr_nonnull(pg);
    check_zeroed(page_to_virt(pg), 3);
    free_domheap_pages(pg, 3);
    check_heap_fresh();
}
END_TEST

/** Assert that @p d owns exactly the frames of its @p nr blocks. */
static void check_domain(const struct domain *d,
                         struct page_info *const *blocks,
                         const unsigned int *orders, unsigned int nr)
{
    unsigned long frames = 0, listed = 0, i;
    const struct page_info *pg, *last = NULL;
    unsigned int b;

    for (b = 0; b < nr; b++)
        for (i = 0; i < 1UL << orders[b]; i++, frames++) {
            ck_assert_ptr_eq(blocks[b][i].owner, d);
            ck_assert(blocks[b][i].count_info & PGC_allocated);
            ck_assert_uint_eq(page_state(&blocks[b][i]), PGC_state_inuse);
        }
    ck_assert_uint_eq(d->tot_pages, frames);
    for (pg = page_list_first(&d->page_list); pg; pg = page_list_next(pg)) {
        ck_assert_ptr_eq(pg->owner, d);
        ck_assert_uint_le(++listed, frames);
        last = pg;
    }
    ck_assert_uint_eq(listed, frames);
    ck_assert_uint_eq(d->page_list.tail,
                      last ? mfn_x(page_to_mfn(last)) : PAGE_LIST_NULL);
}

/* A domain gets frames up to max_pages and no further (with a log line);
 * it owns them, counts them and lists them; freeing undoes all that. */
START_TEST(test_domheap_limit)
{
    struct domain d = { .domain_id = 7,
                        .max_pages = 8,
                        .page_list = PAGE_LIST_HEAD_INIT };
    unsigned int orders[] = { 2, 1, 1 }, i;
    struct page_info *pg[3], *kept[2];
    unsigned int kept_orders[] = { orders[0], orders[2] };

    pg[0] = alloc_domheap_pages(&d, orders[0], 0);
    pg[1] = alloc_domheap_pages(&d, orders[1], 0);
    ck_assert_ptr_nonnull(pg[0]);
    ck_assert_ptr_nonnull(pg[1]);
    check_domain(&d, pg, orders, 2);

    ck_assert_ptr_null(alloc_domheap_pages(&d, 2, 0));
    ck_assert_printed(LOG_WARNING "d7: allocating 4 frames would exceed its "
                                  "limit of 8");
    check_domain(&d, pg, orders, 2);
    ck_assert_uint_eq(heap_free_pages(), machine_frames(FRAME_HEAP) - 6);

    pg[2] = alloc_domheap_pages(&d, orders[2], 0);
    ck_assert_ptr_nonnull(pg[2]);
    check_domain(&d, pg, orders, 3);
    printk_clear();
    ck_assert_ptr_null(alloc_domheap_pages(&d, 0, 0));
    ck_assert_printed("d7: allocating 1 frames would exceed its limit of 8");

    /* Free the middle block: the other two stay the domain's. */
    free_domheap_pages(pg[1], orders[1]);
    for (i = 0; i < 1U << orders[1]; i++) {
        ck_assert_ptr_null(pg[1][i].owner);
        ck_assert(!(pg[1][i].count_info & PGC_allocated));
    }
    kept[0] = pg[0];
    kept[1] = pg[2];
    check_domain(&d, kept, kept_orders, 2);

    free_domheap_pages(pg[0], orders[0]);
    free_domheap_pages(pg[2], orders[2]);
    check_domain(&d, NULL, NULL, 0);
    ck_assert(page_list_empty(&d.page_list));
    check_heap_fresh();
}
END_TEST

/* Frames for nobody (d == NULL): no owner, no count, no limit. */
START_TEST(test_domheap_anonymous)
{
    struct page_info *pg = alloc_domheap_pages(NULL, 4, 0);
    unsigned long i;

    ck_assert_ptr_nonnull(pg);
    for (i = 0; i < 16; i++) {
        ck_assert_ptr_null(pg[i].owner);
        ck_assert(!(pg[i].count_info & (PGC_allocated | PGC_xen_heap)));
        ck_assert_uint_eq(page_state(&pg[i]), PGC_state_inuse);
    }
    free_domheap_pages(pg, 4);
    check_heap_fresh();
}
END_TEST

/* -------------------------------------------------------------------------
 * Misuse: freeing what is not allocated panics, before it harms the heap.
 */

/** A way to free a block, as the heap's users do. */
typedef void (*free_fn)(struct page_info *pg, unsigned int order);

/** free_xenheap_pages() as a free_fn. */
static void free_xenheap_block(struct page_info *pg, unsigned int order)
{
    free_xenheap_pages(page_to_virt(pg), order);
}

/** Assert that @p free_block of @p pg at @p order panics naming frame @p mfn, and
 * leaves the heap untouched. */
static void check_free_panics(free_fn free_block, struct page_info *pg,
                              unsigned int order, unsigned long mfn)
{
    unsigned long before[MAX_ORDER + 1], nr_free = heap_free_pages();
    char msg[128];

    heap_block_counts(before);
    printk_clear();
    ck_assert_panics(free_block(pg, order));
    snprintf(msg, sizeof(msg),
             "Panic: heap: freeing frame 0x%lx, which is not allocated", mfn);
    ck_assert_printed(msg);
    ck_assert_uint_eq(heap_free_pages(), nr_free);
    ck_assert_heap_blocks(before);
}

/* The second free of a block panics, for both interfaces. */
START_TEST(test_double_free_panics)
{
    void *va = alloc_xenheap_page();
    struct page_info *pg;

    ck_assert_ptr_nonnull(va);
    free_xenheap_page(va);
    check_free_panics(free_xenheap_block, virt_to_page(va), 0,
                      mfn_x(page_to_mfn(virt_to_page(va))));

    pg = alloc_domheap_pages(NULL, 1, 0);
    ck_assert_ptr_nonnull(pg);
    free_domheap_pages(pg, 1);
    check_free_panics(free_domheap_pages, pg, 1, mfn_x(page_to_mfn(pg)));
    check_heap_fresh();
}
END_TEST

/* Frames the heap never gave out: a free one, one in a hole, a boot
 * allocation, and the freed half of a block. */
START_TEST(test_free_unallocated_panics)
{
    unsigned long hole = (19UL << 20) >> PAGE_SHIFT;
    unsigned long boot = machine_boot_allocs[1].mfn;
    struct page_info *pg;

    pg = alloc_domheap_pages(NULL, 0, 0);
    ck_assert_ptr_nonnull(pg);
    free_domheap_pages(pg, 0);
    check_free_panics(free_domheap_pages, pg, 0, mfn_x(page_to_mfn(pg)));

    ck_assert_int_eq(machine_frame_kind(hole), FRAME_NOT_RAM);
    check_free_panics(free_domheap_pages, mfn_to_page(_mfn(hole)), 0, hole);
    check_free_panics(free_domheap_pages, mfn_to_page(_mfn(boot)), 0, boot);

    /* A block whose second frame was freed alone cannot be freed whole. */
    pg = alloc_domheap_pages(NULL, 1, 0);
    ck_assert_ptr_nonnull(pg);
    free_domheap_pages(pg + 1, 0);
    check_free_panics(free_domheap_pages, pg, 1, mfn_x(page_to_mfn(pg)) + 1);
    free_domheap_pages(pg, 0);
    check_heap_fresh();
}
END_TEST

Suite *unit_suite(void)
{
    Suite *s = suite_create("page_alloc");
    TCase *boot = tcase_create("boot");
    TCase *buddy = tcase_create("buddy");
    TCase *interfaces = tcase_create("xenheap_domheap");
    TCase *misuse = tcase_create("misuse");

    tcase_add_checked_fixture(boot, setup, NULL);
    tcase_add_test(boot, test_accounting);
    tcase_add_test(boot, test_boot_allocations);
    tcase_add_test(boot, test_fresh_heap);
    suite_add_tcase(s, boot);

    tcase_add_checked_fixture(buddy, setup, NULL);
    tcase_add_loop_test(buddy, test_random_sequences, 0, ARRAY_SIZE(seeds));
    tcase_add_test(buddy, test_frames_merge_back);
    tcase_add_test(buddy, test_exhaustion);
    tcase_add_test(buddy, test_no_block_big_enough);
    tcase_add_test(buddy, test_fragmentation);
    suite_add_tcase(s, buddy);

    tcase_add_checked_fixture(interfaces, setup, NULL);
    tcase_add_test(interfaces, test_xenheap_pages);
    tcase_add_test(interfaces, test_memf_zero);
    tcase_add_test(interfaces, test_domheap_limit);
    tcase_add_test(interfaces, test_domheap_anonymous);
    suite_add_tcase(s, interfaces);

    tcase_add_checked_fixture(misuse, setup, NULL);
    tcase_add_test(misuse, test_double_free_panics);
    tcase_add_test(misuse, test_free_unallocated_panics);
    suite_add_tcase(s, misuse);
    return s;
}
