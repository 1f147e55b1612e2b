/*
 * test_pagetype.c: unit tests of page references and page types,
 * hypervisor/arch/x86/pv/pagetype.c (lab 5: validating a PV guest's page
 * tables; the rules are in asm/pagetype.h).
 *
 * hv-sources: hypervisor/common/boot_alloc.c hypervisor/common/page_alloc.c
 * hv-sources: hypervisor/common/spinlock.c
 * hv-sources: hypervisor/arch/x86/pv/pagetype.c
 * host-sources: tests/unit/machine.c tests/unit/fake_cpu.c tests/unit/fake_l4.c
 *
 * Every test starts from the freshly booted machine of machine.c and
 * gives its fake domains zeroed frames from the real heap; a test writes
 * page-table entries into them directly, as a guest does into a frame
 * that is not (yet) a validated table. What is checked is the counts on
 * each frame: a general count (1 for the allocation, +1 per reference),
 * a type with a type count, and the validated flag. A refusal must leave
 * every count of the machine as it was; and the random test recomputes,
 * after every step, every count from the validated tables and the
 * references it holds, and compares them with the frame table.
 *
 * Two other uses of frames follow the same rules: a GDT page (the
 * descriptor-page type), whose descriptors check_descriptor() checks, and
 * fixes up, when it takes the type; and a hypervisor page shared with a
 * domain (its shared_info), which the domain may reference and map
 * writable but never make a table or a GDT page, nor give back.
 */
#include "unit.h"

#include <stdio.h>

#include <asm/pagetype.h>
#include <asm/x86-defs.h>
#include <hospes/errno.h>
#include <hospes/page_list.h>

#include "fake_l4.h"
#include "machine.h"

/** Entries per page-table page. */
#define PT_ENTRIES 512

/** The entry flags most tests use. */
#define P  _PAGE_PRESENT
#define RW _PAGE_RW

/** Bits 52-62 of an entry, which a guest may not set. */
#define HIGH_BIT_FIRST 52
#define HIGH_BIT_LAST  62
#define HIGH_BITS                                                              \
    (((1UL << (HIGH_BIT_LAST + 1)) - 1) & ~((1UL << HIGH_BIT_FIRST) - 1))

/** The domain the tests validate tables for, and another one. */
static struct domain dom, other;

static void setup(void)
{
    machine_init();
    dom = (struct domain){ .domain_id = 1,
                           .max_pages = ~0UL,
                           .page_list = PAGE_LIST_HEAD_INIT };
    other = (struct domain){ .domain_id = 2,
                             .max_pages = ~0UL,
                             .page_list = PAGE_LIST_HEAD_INIT };
    printk_clear();
}

/* -------------------------------------------------------------------------
 * Frames, entries and counts.
 */

/** A new zeroed frame of domain @p d. */
static struct page_info *new_frame(struct domain *d)
{
    struct page_info *pg = alloc_domheap_pages(d, 0, MEMF_zero);

    ck_assert_ptr_nonnull(pg);
    return pg;
}

/** The entries of @p pg, seen as a page table. */
static uint64_t *entries(const struct page_info *pg)
{
    return page_to_virt(pg);
}

/** An entry mapping frame @p mfn with @p flags. */
static uint64_t mfn_entry(unsigned long mfn, uint64_t flags)
{
    return mfn_to_maddr(_mfn(mfn)) | flags;
}

/** An entry mapping @p pg with @p flags. */
static uint64_t entry(const struct page_info *pg, uint64_t flags)
{
    return mfn_entry(mfn_x(page_to_mfn(pg)), flags);
}

static unsigned long count(const struct page_info *pg)
{
    return pg->count_info & PGC_count_mask;
}

static unsigned long type_count(const struct page_info *pg)
{
    return pg->u.inuse.type_info & PGT_count_mask;
}

static unsigned long type(const struct page_info *pg)
{
    return pg->u.inuse.type_info & PGT_type_mask;
}

static bool validated(const struct page_info *pg)
{
    return pg->u.inuse.type_info & PGT_validated;
}

/** Is @p t one of the page-table types? */
static bool pt_type(unsigned long t)
{
    return t >= PGT_l1_page_table && t <= PGT_l4_page_table;
}

/** Are the contents of a frame of type @p t checked: a table, a GDT page? */
static bool checked_type(unsigned long t)
{
    return pt_type(t) || t == PGT_seg_desc_page;
}

/**
 * Assert that frame @p pg (@p what, for the message) has general count
 * @p cnt and type count @p tcnt, of type @p t if @p tcnt is not 0; and
 * that it is validated exactly while it is a page table or a descriptor
 * page in use.
 */
static void check_frame(const char *what, const struct page_info *pg,
                        unsigned long cnt, unsigned long t, unsigned long tcnt)
{
    unit_assert(count(pg) == cnt && type_count(pg) == tcnt &&
                    (!tcnt || type(pg) == t) &&
                    validated(pg) == (tcnt && checked_type(t)),
                "%s (mfn 0x%lx): count %lu, type %lu count %lu%s; expected "
                "count %lu, type %lu count %lu",
                what, mfn_x(page_to_mfn(pg)), count(pg),
                type(pg) >> PGT_type_shift, type_count(pg),
                validated(pg) ? ", validated" : "", cnt, t >> PGT_type_shift,
                tcnt);
}

/** Assert that @p pg is as its allocation left it: count 1, no type. */
static void check_unused(const char *what, const struct page_info *pg)
{
    check_frame(what, pg, 1, PGT_none, 0);
}

/** count_info and type_info of every frame of the machine. */
static struct {
    unsigned long count_info[MACHINE_FRAMES];
    unsigned long type_info[MACHINE_FRAMES];
} snap;

/** Remember the counts of every frame. */
static void take_snapshot(void)
{
    unsigned long mfn;

    for (mfn = 0; mfn < max_page; mfn++) {
        snap.count_info[mfn] = frame_table[mfn].count_info;
        snap.type_info[mfn] = frame_table[mfn].u.inuse.type_info;
    }
}

/**
 * Assert that every frame has the counts of the snapshot. A type whose
 * count is 0 may have changed: it is free to change anyway.
 */
static void check_snapshot(const char *what)
{
    unsigned long mfn, t, was;

    for (mfn = 0; mfn < max_page; mfn++) {
        t = frame_table[mfn].u.inuse.type_info;
        was = snap.type_info[mfn];
        if (!(t & PGT_count_mask) && !(was & PGT_count_mask)) {
            t &= ~PGT_type_mask;
            was &= ~PGT_type_mask;
        }
        unit_assert(
            frame_table[mfn].count_info == snap.count_info[mfn] && t == was,
            "%s: frame 0x%lx changed: count_info 0x%lx -> 0x%lx, "
            "type_info 0x%lx -> 0x%lx",
            what, mfn, snap.count_info[mfn], frame_table[mfn].count_info,
            snap.type_info[mfn], frame_table[mfn].u.inuse.type_info);
    }
}

/**
 * A new table of @p level (1-4) that validates: its entry 0 maps a new
 * data frame writable (level 1) or points at a new such table one level
 * down.
 */
static struct page_info *good_table(unsigned int level)
{
    struct page_info *t = new_frame(&dom);

    entries(t)[0] = level == 1 ? entry(new_frame(&dom), P | RW)
                               : entry(good_table(level - 1), P);
    return t;
}

/* -------------------------------------------------------------------------
 * General references.
 */

/* A domain takes references to its own allocated frames only. */
START_TEST(test_get_page)
{
    struct page_info *mine = new_frame(&dom), *theirs = new_frame(&other);
    struct page_info *nobodys = alloc_domheap_pages(NULL, 0, 0);
    struct page_info *freed = new_frame(&dom);
    struct page_info *xen = virt_to_page(alloc_xenheap_page());

    ck_assert_ptr_nonnull(nobodys);
    free_domheap_pages(freed, 0);

    check_unused("own frame", mine);
    ck_assert(get_page(mine, &dom));
    check_frame("own frame", mine, 2, PGT_none, 0);
    ck_assert(get_page(mine, &dom));
    check_frame("own frame", mine, 3, PGT_none, 0);

    take_snapshot();
    ck_assert(!get_page(theirs, &dom));
    ck_assert(!get_page(freed, &dom));
    ck_assert(!get_page(xen, &dom));
    ck_assert(!get_page(xen, NULL));
    ck_assert(!get_page(nobodys, NULL));
    check_snapshot("refused get_page()");

    put_page(mine);
    put_page(mine);
    check_unused("own frame", mine);
    free_domheap_pages(mine, 0); /* panics unless the count is back to 1 */
}
END_TEST

/* The count does not overflow; the allocation's reference cannot be put. */
START_TEST(test_get_page_limits)
{
    struct page_info *pg = new_frame(&dom);
    unsigned long flags = pg->count_info & ~PGC_count_mask;

    ck_assert_panics(put_page(pg));
    check_unused("frame", pg);

    pg->count_info = flags | (PGC_count_mask - 1);
    ck_assert(get_page(pg, &dom));
    ck_assert_uint_eq(count(pg), PGC_count_mask);
    ck_assert(!get_page(pg, &dom));
    ck_assert_uint_eq(pg->count_info, flags | PGC_count_mask);
    ck_assert_int_eq(get_page_and_type(pg, &dom, PGT_writable_page), -EINVAL);
    ck_assert_uint_eq(pg->count_info, flags | PGC_count_mask);
}
END_TEST

/* The type count does not overflow either. */
START_TEST(test_type_count_limit)
{
    struct page_info *pg = new_frame(&dom);

    pg->u.inuse.type_info = PGT_writable_page | (PGT_count_mask - 1);
    ck_assert_int_eq(get_page_type(pg, PGT_writable_page), 0);
    ck_assert_uint_eq(type_count(pg), PGT_count_mask);
    ck_assert_int_eq(get_page_type(pg, PGT_writable_page), -EINVAL);
    ck_assert_uint_eq(pg->u.inuse.type_info,
                      PGT_writable_page | PGT_count_mask);
}
END_TEST

/* A frame given back (decrease_reservation) takes no new reference, and
 * is freed by its last one: at once when nothing maps it, else when the
 * last table that maps it lets go. Only the owner may give it back, once. */
START_TEST(test_give_back)
{
    struct page_info *l1 = new_frame(&dom), *data = new_frame(&dom);
    struct page_info *loose = new_frame(&dom), *theirs = new_frame(&other);
    unsigned long pages = dom.tot_pages;

    ck_assert_int_eq(give_back_page(&dom, page_to_mfn(theirs)), -EINVAL);
    ck_assert_int_eq(give_back_page(&dom, _mfn(max_page)), -EINVAL);
    ck_assert_int_eq(give_back_page(&dom, page_to_mfn(loose)), 0);
    ck_assert_uint_eq(page_state(loose), PGC_state_free);
    ck_assert_uint_eq(dom.tot_pages, pages - 1);
    ck_assert_int_eq(give_back_page(&dom, page_to_mfn(loose)), -EINVAL);

    entries(l1)[0] = entry(data, P);
    ck_assert_int_eq(get_page_and_type(l1, &dom, PGT_l1_page_table), 0);
    ck_assert_int_eq(give_back_page(&dom, page_to_mfn(data)), 0);
    ck_assert_uint_eq(count(data), 1); /* the L1's */
    ck_assert_uint_eq(page_state(data), PGC_state_inuse);
    ck_assert(!get_page(data, &dom));
    put_page_and_type(l1); /* devalidates: the L1 lets go of data */
    ck_assert_uint_eq(page_state(data), PGC_state_free);
    ck_assert_uint_eq(dom.tot_pages, pages - 2);
    ck_assert_uint_eq(machine_to_phys[mfn_x(page_to_mfn(data))],
                      INVALID_M2P_ENTRY);
}
END_TEST

/* A type count of 0 cannot go down. */
START_TEST(test_put_page_type_underflow)
{
    struct page_info *pg = new_frame(&dom);

    ck_assert_panics(put_page_type(pg));
    check_unused("frame", pg);
}
END_TEST

/* -------------------------------------------------------------------------
 * An L1 table and the frames it maps.
 */

/* A writable entry makes its frame writable, once per entry; a read-only
 * one takes a general reference only. */
START_TEST(test_l1_writable_entries)
{
    struct page_info *l1 = new_frame(&dom), *data = new_frame(&dom);
    struct page_info *ro = new_frame(&dom);
    uint64_t *e = entries(l1);

    e[0] = entry(data, P | RW | _PAGE_USER);
    ck_assert_int_eq(get_page_and_type(l1, &dom, PGT_l1_page_table), 0);
    check_frame("L1", l1, 2, PGT_l1_page_table, 1);
    check_frame("data", data, 2, PGT_writable_page, 1);

    put_page_and_type(l1);
    check_unused("L1", l1);
    check_unused("data", data);

    e[7] = entry(data, P | RW | _PAGE_NX);
    e[PT_ENTRIES - 1] = entry(ro, P | _PAGE_USER);
    ck_assert_int_eq(get_page_and_type(l1, &dom, PGT_l1_page_table), 0);
    check_frame("L1", l1, 2, PGT_l1_page_table, 1);
    check_frame("data", data, 3, PGT_writable_page, 2);
    check_frame("read-only data", ro, 2, PGT_none, 0);

    /* A second reference to a validated table does not validate again. */
    ck_assert_int_eq(get_page_and_type(l1, &dom, PGT_l1_page_table), 0);
    check_frame("L1", l1, 3, PGT_l1_page_table, 2);
    check_frame("data", data, 3, PGT_writable_page, 2);
    put_page_and_type(l1);
    check_frame("L1", l1, 2, PGT_l1_page_table, 1);
    check_frame("data", data, 3, PGT_writable_page, 2);

    /* The last type reference devalidates. */
    put_page_and_type(l1);
    check_unused("L1", l1);
    check_unused("data", data);
    check_unused("read-only data", ro);
}
END_TEST

/* An L1 may map itself read-only (the guest reads its own table). */
START_TEST(test_l1_maps_itself_read_only)
{
    struct page_info *l1 = new_frame(&dom);

    entries(l1)[3] = entry(l1, P);
    ck_assert_int_eq(get_page_and_type(l1, &dom, PGT_l1_page_table), 0);
    check_frame("L1", l1, 3, PGT_l1_page_table, 1);
    put_page_and_type(l1);
    check_unused("L1", l1);
}
END_TEST

/* A frame mapped writable cannot become a table, nor a table writable,
 * until the other use is gone; then its type may change. */
START_TEST(test_type_conflict)
{
    struct page_info *pg = new_frame(&dom);

    ck_assert_int_eq(get_page_and_type(pg, &dom, PGT_writable_page), 0);
    take_snapshot();
    ck_assert_int_eq(get_page_and_type(pg, &dom, PGT_l1_page_table), -EINVAL);
    ck_assert_int_eq(get_page_and_type(pg, &dom, PGT_l4_page_table), -EINVAL);
    ck_assert_int_eq(get_page_and_type(pg, &dom, PGT_seg_desc_page), -EINVAL);
    check_snapshot("a writable frame as a table");
    put_page_and_type(pg);

    ck_assert_int_eq(get_page_and_type(pg, &dom, PGT_l2_page_table), 0);
    check_frame("L2", pg, 2, PGT_l2_page_table, 1);
    take_snapshot();
    ck_assert_int_eq(get_page_and_type(pg, &dom, PGT_writable_page), -EINVAL);
    ck_assert_int_eq(get_page_and_type(pg, &dom, PGT_l1_page_table), -EINVAL);
    ck_assert_int_eq(get_page_and_type(pg, &dom, PGT_seg_desc_page), -EINVAL);
    check_snapshot("an L2 as something else");
    put_page_and_type(pg);

    ck_assert_int_eq(get_page_and_type(pg, &dom, PGT_writable_page), 0);
    check_frame("frame", pg, 2, PGT_writable_page, 1);
    put_page_and_type(pg);
    check_unused("frame", pg);
}
END_TEST

static bool pinned(const struct page_info *pg)
{
    return pg->u.inuse.type_info & PGT_pinned;
}

/* A pin validates a table and holds one reference of each kind until it
 * is unpinned; a table is pinned once, by its own domain. */
START_TEST(test_pin)
{
    struct page_info *l2 = good_table(2), *bad = good_table(1);
    struct page_info *l1 = mfn_to_page(maddr_to_mfn(entries(l2)[0]));
    struct page_info *theirs = new_frame(&other), *writable = new_frame(&dom);
    mfn_t mfn = page_to_mfn(l2);

    entries(bad)[1] = entry(new_frame(&other), P);
    ck_assert_int_eq(get_page_and_type(writable, &dom, PGT_writable_page), 0);
    take_snapshot();
    ck_assert_int_eq(pin_page_table(&dom, page_to_mfn(bad), 1), -EBUSY);
    ck_assert_int_eq(pin_page_table(&dom, page_to_mfn(theirs), 1), -EINVAL);
    ck_assert_int_eq(pin_page_table(&dom, _mfn(max_page), 1), -EINVAL);
    ck_assert_int_eq(pin_page_table(&dom, page_to_mfn(writable), 1), -EINVAL);
    ck_assert_int_eq(unpin_page_table(&dom, mfn), -EINVAL);
    check_snapshot("refused pins");

    ck_assert_int_eq(pin_page_table(&dom, mfn, 2), 0);
    check_frame("pinned L2", l2, 2, PGT_l2_page_table, 1);
    check_frame("its L1", l1, 2, PGT_l1_page_table, 1);
    ck_assert(pinned(l2));

    /* Other uses come and go; the pin keeps the table validated. */
    ck_assert_int_eq(get_page_and_type(l2, &dom, PGT_l2_page_table), 0);
    put_page_and_type(l2);
    check_frame("pinned L2", l2, 2, PGT_l2_page_table, 1);

    take_snapshot();
    ck_assert_int_eq(pin_page_table(&dom, mfn, 2), -EINVAL);
    ck_assert_int_eq(unpin_page_table(&other, mfn), -EINVAL);
    ck_assert_int_eq(unpin_page_table(&dom, _mfn(max_page)), -EINVAL);
    check_snapshot("a pinned table pinned again");

    ck_assert_int_eq(unpin_page_table(&dom, mfn), 0);
    check_unused("unpinned L2", l2);
    check_unused("its L1", l1);
    ck_assert(!pinned(l2));
}
END_TEST

/* A dying domain's pins all go; other references stay. */
START_TEST(test_unpin_all)
{
    struct page_info *l4 = good_table(4), *l1 = good_table(1);
    struct page_info *held = good_table(3);

    ck_assert_int_eq(pin_page_table(&dom, page_to_mfn(l4), 4), 0);
    ck_assert_int_eq(pin_page_table(&dom, page_to_mfn(l1), 1), 0);
    ck_assert_int_eq(get_page_and_type(held, &dom, PGT_l3_page_table), 0);
    unpin_all_page_tables(&dom);
    check_unused("L4", l4);
    check_unused("L1", l1);
    check_frame("held L3", held, 2, PGT_l3_page_table, 1);
    ck_assert(!pinned(l4) && !pinned(l1) && !pinned(held));
}
END_TEST

/* -------------------------------------------------------------------------
 * Descriptor pages: the frames of a guest's own GDT.
 */

/** Descriptors in one frame; the last one is where a bad one goes. */
#define DESCS_PER_PAGE (PAGE_SIZE / sizeof(uint64_t))
#define LAST_DESC      (DESCS_PER_PAGE - 1)

/** The type and the DPL field of a descriptor (AMD64 manual vol. 2, 4.7). */
#define SEG_TYPE_SHIFT 40
#define SEG_DPL_SHIFT  45
#define SEG_TYPE(t)    ((uint64_t)(t) << SEG_TYPE_SHIFT)
#define SEG_DPL(dpl)   ((uint64_t)(dpl) << SEG_DPL_SHIFT)
_Static_assert(SEG_TYPE(0xf) == SEG_TYPE_MASK && SEG_DPL(3) == SEG_DPL3,
               "the descriptor fields, as asm/x86-defs.h has them");

/** System descriptor types of long mode (AMD64 manual vol. 2, 4.8.3). */
#define SYS_LDT       0x2
#define SYS_TSS       0x9 /**< an available 64-bit TSS */
#define SYS_TSS_BUSY  0xb
#define SYS_CALL_GATE 0xc
#define SYS_INTR_GATE 0xe
#define SYS_TRAP_GATE 0xf
/** A present system descriptor of type @p t, limit 0x67 (a TSS's). */
#define SYS_DESC(t) (SEG_PRESENT | SEG_TYPE(t) | 0x67)

/** A descriptor, and what check_descriptor() makes of it. */
struct desc_case {
    const char *what;
    uint64_t desc;
    bool ok;        /**< check_descriptor() passes it */
    uint64_t fixed; /**< what it becomes if fixed up; 0: left as it is */
};

static const struct desc_case desc_cases[] = {
    { "null descriptor", 0, true, 0 },
    { "not-present DPL-0 code", DESC_CODE64 & ~SEG_PRESENT, true, 0 },
    { "not-present TSS", SYS_DESC(SYS_TSS) & ~SEG_PRESENT, true, 0 },
    { "not-present gate", SYS_DESC(SYS_CALL_GATE) & ~SEG_PRESENT, true, 0 },
    { "DPL-0 data", DESC_DATA, true, DESC_DATA | SEG_DPL3 },
    { "DPL-0 64-bit code", DESC_CODE64, true, DESC_CODE64 | SEG_DPL3 },
    { "DPL-0 32-bit code", DESC_CODE32, true, DESC_CODE32 | SEG_DPL3 },
    { "DPL-1 data", DESC_DATA | SEG_DPL(1), true, DESC_DATA | SEG_DPL3 },
    { "DPL-2 64-bit code", DESC_CODE64 | SEG_DPL(2), true,
      DESC_CODE64 | SEG_DPL3 },
    { "DPL-3 data", DESC_DATA | SEG_DPL3, true, 0 },
    { "DPL-3 64-bit code", DESC_CODE64 | SEG_DPL3, true, 0 },
    { "present system type 0", SYS_DESC(0), true, 0 },
    { "LDT", SYS_DESC(SYS_LDT), false, 0 },
    { "available TSS", SYS_DESC(SYS_TSS), false, 0 },
    { "busy TSS", SYS_DESC(SYS_TSS_BUSY), false, 0 },
    { "call gate", SYS_DESC(SYS_CALL_GATE), false, 0 },
    { "DPL-3 call gate", SYS_DESC(SYS_CALL_GATE) | SEG_DPL3, false, 0 },
    { "interrupt gate", SYS_DESC(SYS_INTR_GATE), false, 0 },
    { "trap gate", SYS_DESC(SYS_TRAP_GATE), false, 0 },
};

/** What check_descriptor() leaves of case @p c's descriptor. */
static uint64_t desc_after(const struct desc_case *c)
{
    return c->fixed ? c->fixed : c->desc;
}

/* One descriptor: passed as it is, passed at DPL 3, or refused as it is. */
START_TEST(test_check_descriptor)
{
    const struct desc_case *c = &desc_cases[_i];
    uint64_t desc = c->desc;
    bool ok = check_descriptor(&desc);

    ck_assert_msg(ok == c->ok && desc == desc_after(c),
                  "%s: %016lx %s, left as %016lx; expected %s, %016lx", c->what,
                  (unsigned long)c->desc, ok ? "passed" : "refused",
                  (unsigned long)desc, c->ok ? "passed" : "refused",
                  (unsigned long)desc_after(c));
}
END_TEST

/**
 * A new frame of the domain holding good descriptors of each kind (two to
 * be fixed up, one not) and @p last in its last slot.
 */
static struct page_info *desc_frame(uint64_t last)
{
    struct page_info *pg = new_frame(&dom);
    uint64_t *desc = entries(pg);

    desc[1] = DESC_CODE64;
    desc[2] = DESC_DATA;
    desc[3] = DESC_DATA | SEG_DPL3;
    desc[LAST_DESC] = last;
    return pg;
}

/* The same descriptor in the last slot of a frame: it becomes a GDT page,
 * the fix-up written in the frame, or it is refused, naming the
 * descriptor and changing no count; without it, it is taken. */
START_TEST(test_descriptor_in_page)
{
    const struct desc_case *c = &desc_cases[_i];
    struct page_info *pg = desc_frame(c->desc);
    uint64_t *desc = entries(pg);
    char line[80];
    int rc;

    take_snapshot();
    rc = get_page_and_type(pg, &dom, PGT_seg_desc_page);
    unit_assert(rc == (c->ok ? 0 : -EINVAL), "%s: returned %d", c->what, rc);
    ck_assert_uint_eq(desc[LAST_DESC], desc_after(c));
    if (c->ok) {
        check_frame(c->what, pg, 2, PGT_seg_desc_page, 1);
        put_page_and_type(pg);
        check_unused(c->what, pg);
        return;
    }
    check_snapshot(c->what);
    check_unused(c->what, pg);
    snprintf(line, sizeof(line),
             "as a GDT page: descriptor %u = %016lx refused",
             (unsigned int)LAST_DESC, (unsigned long)c->desc);
    ck_assert_printed(line);

    desc[LAST_DESC] = 0;
    ck_assert_int_eq(get_page_and_type(pg, &dom, PGT_seg_desc_page), 0);
    check_frame(c->what, pg, 2, PGT_seg_desc_page, 1);
    put_page_and_type(pg);
}
END_TEST

/* A frame of descriptors becomes a GDT page with their DPLs raised in
 * place; while it is one, it is neither writable nor a table, and the
 * guest may map it read-only. Its last type reference devalidates it,
 * and then it may become writable. */
START_TEST(test_desc_page)
{
    struct page_info *gdt = desc_frame(DESC_CODE32), *zeros = new_frame(&dom);
    struct page_info *l1 = new_frame(&dom);
    const uint64_t *desc = entries(gdt);

    ck_assert_int_eq(get_page_and_type(zeros, &dom, PGT_seg_desc_page), 0);
    check_frame("zeroed GDT page", zeros, 2, PGT_seg_desc_page, 1);

    ck_assert_int_eq(get_page_and_type(gdt, &dom, PGT_seg_desc_page), 0);
    check_frame("GDT page", gdt, 2, PGT_seg_desc_page, 1);
    ck_assert_uint_eq(desc[0], 0);
    ck_assert_uint_eq(desc[1], DESC_CODE64 | SEG_DPL3);
    ck_assert_uint_eq(desc[2], DESC_DATA | SEG_DPL3);
    ck_assert_uint_eq(desc[3], DESC_DATA | SEG_DPL3);
    ck_assert_uint_eq(desc[LAST_DESC], DESC_CODE32 | SEG_DPL3);

    take_snapshot();
    ck_assert_int_eq(get_page_type(gdt, PGT_writable_page), -EINVAL);
    ck_assert_int_eq(get_page_and_type(gdt, &dom, PGT_writable_page), -EINVAL);
    ck_assert_int_eq(get_page_and_type(gdt, &dom, PGT_l1_page_table), -EINVAL);
    ck_assert_int_eq(get_page_and_type(gdt, &other, PGT_seg_desc_page),
                     -EINVAL);
    check_snapshot("a GDT page as something else");

    entries(l1)[0] = entry(gdt, P);
    ck_assert_int_eq(get_page_and_type(l1, &dom, PGT_l1_page_table), 0);
    check_frame("GDT page mapped read-only", gdt, 3, PGT_seg_desc_page, 1);
    put_page_and_type(l1);

    /* Only the last of its type references devalidates it. */
    ck_assert_int_eq(get_page_and_type(gdt, &dom, PGT_seg_desc_page), 0);
    check_frame("GDT page", gdt, 3, PGT_seg_desc_page, 2);
    put_page_and_type(gdt);
    check_frame("GDT page", gdt, 2, PGT_seg_desc_page, 1);
    put_page_and_type(gdt);
    check_unused("former GDT page", gdt);
    ck_assert_int_eq(get_page_and_type(gdt, &dom, PGT_writable_page), 0);
    check_frame("former GDT page", gdt, 2, PGT_writable_page, 1);
    put_page_and_type(gdt);
    put_page_and_type(zeros);
    check_unused("zeroed GDT page", zeros);
}
END_TEST

/** A new frame of the domain in use as a GDT page. */
static struct page_info *gdt_page(void)
{
    struct page_info *pg = new_frame(&dom);

    ck_assert_int_eq(get_page_and_type(pg, &dom, PGT_seg_desc_page), 0);
    return pg;
}

/* -------------------------------------------------------------------------
 * A hypervisor page shared with a domain (its shared_info).
 */

/** A new hypervisor page (xenheap) shared with domain @p d. */
static struct page_info *shared_page(struct domain *d)
{
    void *va = alloc_xenheap_page();

    ck_assert_ptr_nonnull(va);
    share_xen_page_with_guest(virt_to_page(va), d);
    return virt_to_page(va);
}

/** Is @p pg in domain @p d's page list? */
static bool in_page_list(const struct domain *d, const struct page_info *pg)
{
    const struct page_info *p;

    for (p = page_list_first(&d->page_list); p; p = page_list_next(p))
        if (p == pg)
            return true;
    return false;
}

/* The domain owns a shared page for references, and may use it as
 * writable only; it cannot give it back, nor drop the sharing's own
 * references. */
START_TEST(test_shared_page)
{
    unsigned long pages = dom.tot_pages;
    struct page_info *pg = shared_page(&dom), *l1 = new_frame(&dom);

    ck_assert_ptr_eq(pg->owner, &dom);
    ck_assert(pg->count_info & PGC_allocated);
    check_frame("shared page", pg, 1, PGT_writable_page, 1);
    ck_assert(!in_page_list(&dom, pg));
    ck_assert_uint_eq(dom.tot_pages, pages + 1); /* the L1 only */

    ck_assert(get_page(pg, &dom));
    ck_assert_int_eq(get_page_type(pg, PGT_writable_page), 0);
    check_frame("shared page", pg, 2, PGT_writable_page, 2);

    take_snapshot();
    ck_assert(!get_page(pg, &other));
    ck_assert_int_eq(get_page_type(pg, PGT_l1_page_table), -EINVAL);
    ck_assert_int_eq(get_page_type(pg, PGT_seg_desc_page), -EINVAL);
    ck_assert_int_eq(get_page_and_type(pg, &dom, PGT_l4_page_table), -EINVAL);
    ck_assert_int_eq(get_page_and_type(pg, &other, PGT_writable_page), -EINVAL);
    ck_assert_int_eq(give_back_page(&dom, page_to_mfn(pg)), -EINVAL);
    check_snapshot("a shared page refused");
    put_page_and_type(pg);
    check_frame("shared page", pg, 1, PGT_writable_page, 1);

    /* A writable mapping of it, as a guest maps its shared_info. */
    entries(l1)[0] = entry(pg, P | RW);
    ck_assert_int_eq(get_page_and_type(l1, &dom, PGT_l1_page_table), 0);
    check_frame("shared page mapped writable", pg, 2, PGT_writable_page, 2);
    put_page_and_type(l1);
    check_frame("shared page", pg, 1, PGT_writable_page, 1);

    ck_assert_panics(put_page(pg));
    check_frame("shared page", pg, 1, PGT_writable_page, 1);
}
END_TEST

/* Unsharing takes the page back from the domain: it is a plain
 * hypervisor page again, which the hypervisor may free. Not while the
 * domain holds a reference. */
START_TEST(test_unshare)
{
    struct page_info *pg = shared_page(&dom);

    ck_assert(get_page(pg, &dom));
    ck_assert_panics(unshare_xen_page(pg));
    check_frame("shared page", pg, 2, PGT_writable_page, 1);
    put_page(pg);

    unshare_xen_page(pg);
    ck_assert_ptr_null(pg->owner);
    ck_assert_uint_eq(pg->count_info & (PGC_allocated | PGC_count_mask), 0);
    ck_assert_uint_eq(pg->u.inuse.type_info, 0);
    ck_assert_uint_eq(page_state(pg), PGC_state_inuse);
    ck_assert(pg->count_info & PGC_xen_heap);
    ck_assert(!get_page(pg, &dom));
    free_xenheap_page(page_to_virt(pg)); /* panics unless a xenheap page */
    ck_assert_uint_eq(page_state(pg), PGC_state_free);
}
END_TEST

/* -------------------------------------------------------------------------
 * Refusals: one bad entry, in the middle of good ones, refuses the table
 * and leaves every count as it was.
 */

/** The slot of the bad entry; good ones come before it and after it. */
#define BAD_SLOT 5

/** What a bad entry maps. */
enum target {
    T_DATA,         /**< a new frame of the domain */
    T_OTHER_DOMAIN, /**< a frame of another domain */
    T_XENHEAP,      /**< a frame the hypervisor allocated */
    T_SHARED,       /**< a hypervisor frame shared with the domain */
    T_GDT_PAGE,     /**< a GDT page of the domain */
    T_IMAGE,        /**< a frame of the hypervisor's image */
    T_FREE,         /**< a frame in the heap's free lists */
    T_BEYOND,       /**< the first frame past max_page */
    T_L1_IN_USE,    /**< a validated L1 of the domain */
    T_L2_IN_USE,    /**< a validated L2 of the domain */
    T_SELF,         /**< the table itself */
};

/** One way to make a table refused. */
struct refusal {
    const char *what;
    unsigned int level; /**< of the table with the bad entry */
    enum target target; /**< what the bad entry maps */
    uint64_t flags;     /**< its flags */
    int rc;             /**< what get_page_and_type() returns */
};

static const struct refusal refusals[] = {
    { "L1 maps another domain's frame", 1, T_OTHER_DOMAIN, P | RW, -EBUSY },
    { "L1 maps another domain's frame RO", 1, T_OTHER_DOMAIN, P, -EBUSY },
    { "L3 points at another domain's frame", 3, T_OTHER_DOMAIN, P, -EINVAL },
    { "L1 maps a xenheap frame", 1, T_XENHEAP, P, -EBUSY },
    { "L2 points at a xenheap frame", 2, T_XENHEAP, P, -EINVAL },
    { "L2 points at a shared frame", 2, T_SHARED, P, -EINVAL },
    { "L4 points at a shared frame", 4, T_SHARED, P | RW, -EINVAL },
    { "L1 maps a GDT page writable", 1, T_GDT_PAGE, P | RW, -EBUSY },
    { "L2 points at a GDT page", 2, T_GDT_PAGE, P, -EINVAL },
    { "L1 maps the hypervisor image", 1, T_IMAGE, P, -EBUSY },
    { "L1 maps a free frame", 1, T_FREE, P | RW, -EBUSY },
    { "L1 maps a frame beyond max_page", 1, T_BEYOND, P, -EPERM },
    { "L4 points beyond max_page", 4, T_BEYOND, P, -EINVAL },
    { "L1 entry global", 1, T_DATA, P | _PAGE_GLOBAL, -EINVAL },
    { "L2 entry global", 2, T_DATA, P | _PAGE_GLOBAL, -EINVAL },
    { "L4 entry global", 4, T_DATA, P | _PAGE_GLOBAL, -EINVAL },
    { "L2 entry a large page", 2, T_DATA, P | RW | _PAGE_PSE, -EINVAL },
    { "L3 entry a large page", 3, T_DATA, P | _PAGE_PSE, -EINVAL },
    { "L4 entry with PSE", 4, T_DATA, P | _PAGE_PSE, -EINVAL },
    { "L1 maps an L1 in use writable", 1, T_L1_IN_USE, P | RW, -EBUSY },
    { "L2 points at an L2 in use", 2, T_L2_IN_USE, P, -EINVAL },
    { "L3 points at an L1 in use", 3, T_L1_IN_USE, P, -EINVAL },
    { "L2 points at itself", 2, T_SELF, P | RW, -EINVAL },
    { "L4 points at itself", 4, T_SELF, P, -EINVAL },
    { "L1 maps itself writable", 1, T_SELF, P | RW, -EBUSY },
};

/** A frame that is @p target for table @p t. */
static unsigned long target_mfn(enum target target, struct page_info *t)
{
    struct page_info *pg;

    switch (target) {
    case T_DATA:
        return mfn_x(page_to_mfn(new_frame(&dom)));
    case T_OTHER_DOMAIN:
        return mfn_x(page_to_mfn(new_frame(&other)));
    case T_XENHEAP:
        return mfn_x(page_to_mfn(virt_to_page(alloc_xenheap_page())));
    case T_SHARED:
        return mfn_x(page_to_mfn(shared_page(&dom)));
    case T_GDT_PAGE:
        return mfn_x(page_to_mfn(gdt_page()));
    case T_IMAGE:
        return machine_boot_info.reserved[0].start >> PAGE_SHIFT;
    case T_FREE:
        pg = new_frame(&dom);
        free_domheap_pages(pg, 0);
        return mfn_x(page_to_mfn(pg));
    case T_BEYOND:
        return max_page;
    case T_L1_IN_USE:
    case T_L2_IN_USE:
        pg = good_table(target == T_L1_IN_USE ? 1 : 2);
        ck_assert_int_eq(get_page_and_type(pg, &dom,
                                           target == T_L1_IN_USE
                                               ? PGT_l1_page_table
                                               : PGT_l2_page_table),
                         0);
        return mfn_x(page_to_mfn(pg));
    case T_SELF:
        break;
    }
    return mfn_x(page_to_mfn(t));
}

/**
 * Assert that table @p t of @p level, whose entry BAD_SLOT is @p bad, is
 * refused with @p rc (naming the entry), changing no count; and that it
 * validates once that entry is cleared, so the refusal was the entry's.
 */
static void check_refused(const char *what, struct page_info *t,
                          unsigned int level, uint64_t bad, int rc)
{
    unsigned long type = PGT_page_table(level), mfn = mfn_x(page_to_mfn(t));
    char line[128];
    int got;

    entries(t)[BAD_SLOT] = bad;
    take_snapshot();
    printk_clear();
    got = get_page_and_type(t, &dom, type);
    unit_assert(got == rc, "%s: returned %d, not %d", what, got, rc);
    check_snapshot(what);
    snprintf(line, sizeof(line), "as L%u: entry %u = %016lx refused (%d)",
             level, BAD_SLOT, (unsigned long)bad, rc);
    ck_assert_printed(line);

    entries(t)[BAD_SLOT] = 0;
    ck_assert_int_eq(get_page_and_type(t, &dom, type), 0);
    check_frame(what, t, (snap.count_info[mfn] & PGC_count_mask) + 1, type, 1);
    put_page_and_type(t);
    check_snapshot(what);
}

/**
 * A table of @p level with good entries around BAD_SLOT: two to the same
 * good frame or table before it, one to another after it, at the end.
 */
static struct page_info *table_around_bad_slot(unsigned int level)
{
    struct page_info *t = new_frame(&dom), *before, *after;
    uint64_t flags = level == 1 ? P | RW : P;

    before = level == 1 ? new_frame(&dom) : good_table(level - 1);
    after = level == 1 ? new_frame(&dom) : good_table(level - 1);
    entries(t)[0] = entry(before, flags);
    entries(t)[BAD_SLOT - 1] = entry(before, flags);
    entries(t)[PT_ENTRIES - 1] = entry(after, level == 1 ? P : flags);
    return t;
}

START_TEST(test_refusal)
{
    const struct refusal *r = &refusals[_i];
    struct page_info *t = table_around_bad_slot(r->level);

    check_refused(r->what, t, r->level,
                  mfn_entry(target_mfn(r->target, t), r->flags), r->rc);
}
END_TEST

/* Bits 52-62 (software bits, protection keys) are refused in L2-L4
 * entries and the guest's own in an L1, as in Xen. (Bit 63, NX, is
 * allowed: test_four_levels has it.) */
START_TEST(test_high_bits_refused)
{
    unsigned int bit = HIGH_BIT_FIRST + _i, level;
    struct page_info *l1 = new_frame(&dom);
    char what[64];

    entries(l1)[BAD_SLOT] = entry(new_frame(&dom), P | (1UL << bit));
    ck_assert_int_eq(get_page_and_type(l1, &dom, PGT_l1_page_table), 0);
    put_page_and_type(l1);
    for (level = 2; level <= 4; level++) {
        struct page_info *t = table_around_bad_slot(level);
        uint64_t e = entry(good_table(level - 1), P | (1UL << bit));

        snprintf(what, sizeof(what), "L%u entry with bit %u", level, bit);
        check_refused(what, t, level, e, -EINVAL);
    }
}
END_TEST

/* -------------------------------------------------------------------------
 * A whole address space: L4 -> L3 -> L2 -> L1 -> data.
 */

/* A tree validated from its L4 takes one reference per entry, one type
 * per level; the L4 gets the hypervisor's slots, and what the guest wrote
 * there is never looked at. Its last reference tears the tree down. */
START_TEST(test_four_levels)
{
    struct page_info *l4 = new_frame(&dom), *l3 = new_frame(&dom);
    struct page_info *l2 = new_frame(&dom), *l1 = new_frame(&dom);
    struct page_info *data = new_frame(&dom), *ro = new_frame(&dom);
    struct page_info *in_slot = new_frame(&dom), *edge = new_frame(&dom);
    struct page_info *theirs = new_frame(&other);
    uint64_t *e4 = entries(l4);
    unsigned int slot;

    entries(l1)[0] = entry(data, P | RW | _PAGE_USER);
    entries(l1)[1] = entry(ro, P | _PAGE_NX);
    entries(l1)[2] = entry(data, P | RW | _PAGE_ACCESSED | _PAGE_DIRTY);
    entries(l2)[0] = entry(l1, P | RW);
    entries(l2)[9] = entry(l1, P);
    entries(l3)[0] = entry(l2, P | RW | _PAGE_USER | _PAGE_NX);
    e4[0] = entry(l3, P | RW | _PAGE_NX);
    /* The slots around the hypervisor's are the guest's. */
    e4[XEN_L4_FIRST_SLOT - 1] = entry(edge, P);
    e4[XEN_L4_LAST_SLOT + 1] = entry(edge, P | RW);
    /* What the guest puts in the hypervisor's slots counts for nothing,
     * even if it breaks every rule. */
    e4[XEN_L4_FIRST_SLOT] = entry(theirs, P | RW);
    e4[XEN_L4_FIRST_SLOT + 1] = entry(l3, P);
    e4[XEN_L4_LAST_SLOT - 1] = entry(in_slot, P | _PAGE_PSE | _PAGE_GLOBAL);
    e4[XEN_L4_LAST_SLOT] = entry(l4, P | RW);

    ck_assert_int_eq(get_page_and_type(l4, &dom, PGT_l4_page_table), 0);
    check_frame("L4", l4, 2, PGT_l4_page_table, 1);
    check_frame("L3", l3, 2, PGT_l3_page_table, 1);
    check_frame("L3 in both edge slots", edge, 3, PGT_l3_page_table, 2);
    check_frame("L2", l2, 2, PGT_l2_page_table, 1);
    check_frame("L1", l1, 3, PGT_l1_page_table, 2);
    check_frame("data", data, 3, PGT_writable_page, 2);
    check_frame("read-only data", ro, 2, PGT_none, 0);
    check_unused("frame in a hypervisor slot", in_slot);
    check_unused("another domain's frame", theirs);
    for (slot = XEN_L4_FIRST_SLOT; slot <= XEN_L4_LAST_SLOT; slot++)
        ck_assert_msg(e4[slot] == fake_l4_xen_entry(slot),
                      "L4 slot %u is %016lx, not the hypervisor's", slot,
                      (unsigned long)e4[slot]);
    ck_assert_uint_eq(e4[XEN_L4_FIRST_SLOT - 1], entry(edge, P));
    ck_assert_uint_eq(e4[XEN_L4_LAST_SLOT + 1], entry(edge, P | RW));

    /* Only the last reference to the L4 tears the tree down. */
    ck_assert_int_eq(get_page_and_type(l4, &dom, PGT_l4_page_table), 0);
    put_page_and_type(l4);
    check_frame("L4", l4, 2, PGT_l4_page_table, 1);
    check_frame("data", data, 3, PGT_writable_page, 2);
    put_page_and_type(l4);
    check_unused("L4", l4);
    check_unused("L3", l3);
    check_unused("edge L3", edge);
    check_unused("L2", l2);
    check_unused("L1", l1);
    check_unused("data", data);
    check_unused("read-only data", ro);
    check_unused("frame in a hypervisor slot", in_slot);

    /* Validated again, the L4 keeps the hypervisor's slots. */
    ck_assert_int_eq(get_page_and_type(l4, &dom, PGT_l4_page_table), 0);
    check_frame("data", data, 3, PGT_writable_page, 2);
    put_page_and_type(l4);
    check_unused("data", data);
}
END_TEST

/* A bad entry deep in the tree refuses the whole tree, and every table
 * validated on the way is devalidated again. */
START_TEST(test_deep_refusal)
{
    struct page_info *l4 = table_around_bad_slot(4);
    struct page_info *l3 = new_frame(&dom), *l2 = new_frame(&dom);
    struct page_info *l1 = table_around_bad_slot(1);

    entries(l1)[BAD_SLOT] = entry(new_frame(&other), P);
    entries(l2)[0] = entry(good_table(1), P);
    entries(l2)[1] = entry(l1, P);
    entries(l3)[3] = entry(l2, P);
    entries(l4)[BAD_SLOT] = entry(l3, P);
    take_snapshot();
    ck_assert_int_eq(get_page_and_type(l4, &dom, PGT_l4_page_table), -EBUSY);
    check_snapshot("a bad L1 entry under an L4");
    ck_assert_printed("as L1: entry 5 = ");
    ck_assert_printed("as L4: entry 5 = ");
}
END_TEST

/* -------------------------------------------------------------------------
 * Random tables and references, every count recomputed after each step.
 */

/** Frames of the domain in the random test, and one of another. */
#define POOL_MINE 16
#define POOL      (POOL_MINE + 1)
/** Roles of the domain's frames: data, L1, L2, L3, L4 (see role()). */
#define ROLES 5
/** The index of PGT_writable_page in random_types. */
#define TYPE_WRITABLE 4
/** Tables one get_page_and_type() validates that make it a tree. */
#define TREE 3

/** Steps of each random run, and the seeds of the runs. */
#define RANDOM_STEPS 5000
static const unsigned long seeds[] = { 1, 42, 20260101 };
/** Fewest trees, refusals, and references of each type a run must see. */
#define RANDOM_MIN 50

/** The slots random entries go to: a few, so that tables share frames. */
static const unsigned int random_slots[] = { 0, 1, XEN_L4_FIRST_SLOT,
                                             XEN_L4_LAST_SLOT, PT_ENTRIES - 1 };

/** The types the random test asks for: levels 1-4, then writable. */
static const unsigned long random_types[] = {
    PGT_l1_page_table, PGT_l2_page_table, PGT_l3_page_table, PGT_l4_page_table,
    PGT_writable_page
};

/** A reference the random test holds: get_page_and_type(pg, type). */
struct held_ref {
    unsigned int frame; /**< index in the pool */
    unsigned long type;
};

static struct {
    struct page_info *pool[POOL]; /**< the last one is another domain's */
    struct held_ref refs[RANDOM_STEPS];
    unsigned int nr_refs;
    unsigned long seed;
    unsigned int got[ARRAY_SIZE(random_types)]; /**< successes by type */
    unsigned int refused;
    unsigned int trees; /**< successes that validated TREE tables or more */
} rnd;

/** The pool index of frame @p mfn, or POOL if it is not in the pool. */
static unsigned int pool_index(unsigned long mfn)
{
    unsigned int i;

    for (i = 0; i < POOL; i++)
        if (mfn_x(page_to_mfn(rnd.pool[i])) == mfn)
            return i;
    return POOL;
}

/** Is @p percent percent likely? */
static bool chance(unsigned int percent)
{
    return unit_random(&rnd.seed) % 100 < percent;
}

/**
 * What the guest means pool frame @p i for: 0 for data, 1-4 for a table of
 * that level. Entries mostly follow that plan, so that whole trees form
 * and validate; the rest go anywhere.
 */
static unsigned int role(unsigned int i)
{
    return i % ROLES;
}

/** A random frame of the domain with role @p r. */
static unsigned int frame_of_role(unsigned int r)
{
    unsigned int n = (POOL_MINE - r + ROLES - 1) / ROLES;

    return r + ROLES * (unit_random(&rnd.seed) % n);
}

/**
 * A random entry for pool frame @p i: mostly to a frame of the role one
 * below, with flags the rules allow; sometimes to any frame of the pool or
 * past max_page, sometimes with a forbidden flag.
 */
static uint64_t random_entry(unsigned int i)
{
    unsigned int target = role(i) && chance(95) ? frame_of_role(role(i) - 1)
                                                : unit_random(&rnd.seed) % POOL;
    unsigned long mfn = mfn_x(page_to_mfn(rnd.pool[target]));
    uint64_t flags = 0;

    if (chance(1))
        mfn = max_page + unit_random(&rnd.seed) % 4;
    flags |= chance(85) ? P : 0;
    flags |= chance(50) ? RW : 0;
    flags |= chance(50) ? _PAGE_USER : 0;
    flags |= chance(30) ? _PAGE_ACCESSED | _PAGE_DIRTY : 0;
    flags |= chance(20) ? _PAGE_NX : 0;
    flags |= chance(2) ? _PAGE_PSE : 0;
    flags |= chance(1) ? _PAGE_GLOBAL : 0;
    flags |=
        chance(1)
            ? 1UL << (HIGH_BIT_FIRST + unit_random(&rnd.seed) %
                                           (HIGH_BIT_LAST + 1 - HIGH_BIT_FIRST))
            : 0;
    return mfn_entry(mfn, flags);
}

/** A guest writes a random entry into a frame it may write. */
static void random_write(void)
{
    unsigned int i = unit_random(&rnd.seed) % POOL_MINE;
    struct page_info *pg = rnd.pool[i];
    unsigned int slot =
        random_slots[unit_random(&rnd.seed) % ARRAY_SIZE(random_slots)];

    if (type_count(pg) && type(pg) != PGT_writable_page)
        return; /* a table in use: only hypercalls may change it */
    entries(pg)[slot] = random_entry(i);
}

/** The number of validated tables in the pool. */
static unsigned int validated_tables(void)
{
    unsigned int i, n = 0;

    for (i = 0; i < POOL; i++)
        n += validated(rnd.pool[i]);
    return n;
}

/**
 * Take a reference to a random frame, mostly of the type its role says,
 * else of any type; or be refused, which must change nothing.
 */
static void random_get(void)
{
    unsigned int i = unit_random(&rnd.seed) % POOL;
    unsigned int t = i < POOL_MINE && chance(90)
                         ? (role(i) ? role(i) - 1 : TYPE_WRITABLE)
                         : unit_random(&rnd.seed) % ARRAY_SIZE(random_types);
    unsigned int before = validated_tables();

    take_snapshot();
    if (get_page_and_type(rnd.pool[i], &dom, random_types[t])) {
        check_snapshot("a refused get_page_and_type()");
        rnd.refused++;
        return;
    }
    rnd.refs[rnd.nr_refs++] = (struct held_ref){ i, random_types[t] };
    rnd.got[t]++;
    if (validated_tables() >= before + TREE)
        rnd.trees++;
}

/** Drop held reference @p r. */
static void drop_ref(unsigned int r)
{
    put_page_and_type(rnd.pool[rnd.refs[r].frame]);
    rnd.refs[r] = rnd.refs[--rnd.nr_refs];
}

/** What the counts of the pool's frames must be. */
struct expected {
    unsigned long count[POOL];
    unsigned long type[POOL];
    unsigned long type_count[POOL];
};

/** One use of type @p t of pool frame @p i: a frame has one type. */
static void expect_type(struct expected *x, unsigned int i, unsigned long t,
                        const char *why)
{
    unit_assert(!x->type_count[i] || x->type[i] == t,
                "frame %u is needed as type %lu and as type %lu (%s)", i,
                x->type[i] >> PGT_type_shift, t >> PGT_type_shift, why);
    x->type[i] = t;
    x->type_count[i]++;
}

/**
 * Add the references that validated table @p i, of type @p t, holds:
 * every present entry is one the rules allow, to a frame of the domain.
 */
static void expect_entries(struct expected *x, unsigned int i, unsigned long t)
{
    unsigned int level = t >> PGT_type_shift, s, target;
    const uint64_t *e = entries(rnd.pool[i]);
    uint64_t bad = _PAGE_GLOBAL | (level > 1 ? _PAGE_PSE | HIGH_BITS : 0);

    for (s = 0; s < PT_ENTRIES; s++) {
        if (level == 4 && s >= XEN_L4_FIRST_SLOT && s <= XEN_L4_LAST_SLOT) {
            unit_assert(e[s] == fake_l4_xen_entry(s),
                        "validated L4 %u: slot %u is %016lx", i, s,
                        (unsigned long)e[s]);
            continue;
        }
        if (!(e[s] & P))
            continue;
        target = pool_index((e[s] & PADDR_MASK) >> PAGE_SHIFT);
        unit_assert(!(e[s] & bad) && target < POOL_MINE,
                    "validated L%u %u: entry %u = %016lx breaks the rules",
                    level, i, s, (unsigned long)e[s]);
        x->count[target]++;
        if (level > 1)
            expect_type(x, target, PGT_page_table(level - 1), "table entry");
        else if (e[s] & RW)
            expect_type(x, target, PGT_writable_page, "writable L1 entry");
    }
}

/**
 * Recompute every count of the pool from the references held and the
 * validated tables' entries, and compare it with the frame table.
 */
static void check_counts(void)
{
    struct expected x = { 0 };
    unsigned int i, r;

    for (i = 0; i < POOL; i++)
        x.count[i] = 1;
    for (r = 0; r < rnd.nr_refs; r++) {
        x.count[rnd.refs[r].frame]++;
        expect_type(&x, rnd.refs[r].frame, rnd.refs[r].type, "held");
    }
    for (i = 0; i < POOL; i++)
        if (type_count(rnd.pool[i]) && pt_type(type(rnd.pool[i])))
            expect_entries(&x, i, type(rnd.pool[i]));
    for (i = 0; i < POOL; i++) {
        char what[32];

        snprintf(what, sizeof(what), "pool frame %u", i);
        check_frame(what, rnd.pool[i], x.count[i], x.type[i], x.type_count[i]);
    }
}

START_TEST(test_random)
{
    unsigned int step, i;

    memset(&rnd, 0, sizeof(rnd));
    rnd.seed = seeds[_i];
    for (i = 0; i < POOL; i++)
        rnd.pool[i] = new_frame(i < POOL_MINE ? &dom : &other);

    for (step = 0; step < RANDOM_STEPS; step++) {
        unsigned long op = unit_random(&rnd.seed) % 100;

        if (op < 50)
            random_write();
        else if (op < 75 || !rnd.nr_refs)
            random_get();
        else
            drop_ref(unit_random(&rnd.seed) % rnd.nr_refs);
        check_counts();
    }
    /* The run must have built trees, taken every type and been refused:
     * else the checks above had little to check. */
    ck_assert_msg(rnd.trees >= RANDOM_MIN && rnd.refused >= RANDOM_MIN,
                  "seed %lu: %u trees validated, %u refusals", seeds[_i],
                  rnd.trees, rnd.refused);
    for (i = 0; i < ARRAY_SIZE(random_types); i++)
        ck_assert_msg(rnd.got[i] >= RANDOM_MIN,
                      "seed %lu: type %lu taken %u times", seeds[_i],
                      random_types[i] >> PGT_type_shift, rnd.got[i]);

    while (rnd.nr_refs) {
        drop_ref(unit_random(&rnd.seed) % rnd.nr_refs);
        check_counts();
    }
    for (i = 0; i < POOL; i++) {
        check_unused("pool frame", rnd.pool[i]);
        free_domheap_pages(rnd.pool[i], 0);
    }
}
END_TEST

Suite *unit_suite(void)
{
    Suite *s = suite_create("pagetype");
    TCase *refs = tcase_create("references");
    TCase *tables = tcase_create("tables");
    TCase *descs = tcase_create("descriptor pages");
    TCase *shared = tcase_create("shared pages");
    TCase *refused = tcase_create("refusals");
    TCase *random = tcase_create("random");

    tcase_add_checked_fixture(refs, setup, NULL);
    tcase_add_test(refs, test_get_page);
    tcase_add_test(refs, test_get_page_limits);
    tcase_add_test(refs, test_type_count_limit);
    tcase_add_test(refs, test_put_page_type_underflow);
    tcase_add_test(refs, test_give_back);
    suite_add_tcase(s, refs);

    tcase_add_checked_fixture(tables, setup, NULL);
    tcase_add_test(tables, test_l1_writable_entries);
    tcase_add_test(tables, test_l1_maps_itself_read_only);
    tcase_add_test(tables, test_type_conflict);
    tcase_add_test(tables, test_four_levels);
    tcase_add_test(tables, test_pin);
    tcase_add_test(tables, test_unpin_all);
    suite_add_tcase(s, tables);

    tcase_add_checked_fixture(descs, setup, NULL);
    tcase_add_loop_test(descs, test_check_descriptor, 0,
                        ARRAY_SIZE(desc_cases));
    tcase_add_loop_test(descs, test_descriptor_in_page, 0,
                        ARRAY_SIZE(desc_cases));
    tcase_add_test(descs, test_desc_page);
    suite_add_tcase(s, descs);

    tcase_add_checked_fixture(shared, setup, NULL);
    tcase_add_test(shared, test_shared_page);
    tcase_add_test(shared, test_unshare);
    suite_add_tcase(s, shared);

    tcase_add_checked_fixture(refused, setup, NULL);
    tcase_add_loop_test(refused, test_refusal, 0, ARRAY_SIZE(refusals));
    tcase_add_loop_test(refused, test_high_bits_refused, 0,
                        HIGH_BIT_LAST + 1 - HIGH_BIT_FIRST);
    tcase_add_test(refused, test_deep_refusal);
    suite_add_tcase(s, refused);

    tcase_add_checked_fixture(random, setup, NULL);
    tcase_add_loop_test(random, test_random, 0, ARRAY_SIZE(seeds));
    suite_add_tcase(s, random);
    return s;
}
