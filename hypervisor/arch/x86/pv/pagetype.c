/**
 * @file
 * @brief Page references and page types: validating a PV guest's page
 *        tables (see asm/pagetype.h for the rules and why).
 *
 * Lab 5, exercises 1 and 2 (labs/05-pv-memory/README.md). Design page:
 * docs/pv-memory.md. The idea is
 * Xen's (xen/arch/x86/mm.c), without its preemption and lock-free tricks
 * (see asm/pagetype.h on locking).
 */
#include <asm/pagetype.h>
#include <asm/x86-defs.h>
#include <hospes/errno.h>
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/page_list.h>
#include <hospes/printk.h>
#include <public/xen.h>

#include "../setup.h"

/** Bits 52-62 of an entry: available to software, or protection keys. */
#define PTE_HIGH_BITS (((1UL << 63) - 1) & ~((1UL << 52) - 1))

/**
 * Flags a guest may not set. In any entry: global pages. Xen allows them
 * in an L1 and flushes global entries whenever it switches between
 * guests; Hospes refuses them, so that no guest's mapping can outlive
 * the switch to another domain. In an L2, L3 or L4 entry also PSE (no
 * large pages: every mapping goes through an L1 the hypervisor has seen)
 * and the high bits, which nothing needs there (Xen allows them at every
 * level). In an L1 they are the guest's own, as in Xen: the CPU ignores
 * them (protection keys are off).
 */
static uint64_t disallowed_flags(unsigned int level)
{
    return _PAGE_GLOBAL | (level > 1 ? _PAGE_PSE | PTE_HIGH_BITS : 0);
}

/** The page-table level of type @p type (PGT_*), or 0 for none. */
static unsigned int pt_level(unsigned long type)
{
    type &= PGT_type_mask;
    return type >= PGT_l1_page_table && type <= PGT_l4_page_table
               ? type >> PGT_type_shift
               : 0;
}

bool get_page(struct page_info *pg, const struct domain *d)
{
    unsigned long count = pg->count_info & PGC_count_mask;

    if (page_state(pg) != PGC_state_inuse || pg->owner != d || !d ||
        !(pg->count_info & PGC_allocated) || !count || count == PGC_count_mask)
        return false;
    pg->count_info++;
    return true;
}

void put_page(struct page_info *pg)
{
    unsigned long count = pg->count_info & PGC_count_mask;

    /* The allocation's own reference goes only with the allocation. */
    BUG_ON(!count || (count == 1 && (pg->count_info & PGC_allocated)));
    if (count > 1) {
        pg->count_info--;
        return;
    }
    /* The last reference to a frame its domain gave back: free it. */
    machine_to_phys[mfn_x(page_to_mfn(pg))] = INVALID_M2P_ENTRY;
    free_domheap_pages(pg, 0);
}

int give_back_page(const struct domain *d, mfn_t mfn)
{
    struct page_info *pg;

    if (!mfn_valid(mfn))
        return -EINVAL;
    pg = mfn_to_page(mfn);
    if (pg->owner != d || !(pg->count_info & PGC_allocated) ||
        (pg->count_info & PGC_xen_heap)) /* shared_info is not its own */
        return -EINVAL;
    pg->count_info &= ~PGC_allocated; /* no new references from now on */
    put_page(pg);                     /* the allocation's */
    return 0;
}

void share_xen_page_with_guest(struct page_info *pg, struct domain *d)
{
    /* A writable type that never goes: it is never a table. */
    pg->u.inuse.type_info = PGT_writable_page | 1;
    pg->owner = d;
    pg->count_info |= PGC_allocated | 1;
}

void unshare_xen_page(struct page_info *pg)
{
    BUG_ON((pg->count_info & PGC_count_mask) != 1 ||
           (pg->u.inuse.type_info & PGT_count_mask) != 1);
    pg->count_info &= ~(PGC_allocated | PGC_count_mask);
    pg->u.inuse.type_info = 0;
    pg->owner = NULL;
}

/** Drop the references of entries [0, @p n) of table @p t of @p level. */
static void put_entries(const uint64_t *t, unsigned int n, unsigned int level)
{
    unsigned int i;

    for (i = 0; i < n; i++)
        if (level != 4 || !is_xen_l4_slot(i))
            put_page_from_entry(t[i], level);
}

/**
 * Check every entry of @p pg as a table of @p level and take their
 * references; all or nothing. An L4 then gets the hypervisor's slots,
 * whatever the guest had put there.
 */
static int validate_table(struct page_info *pg, unsigned int level)
{
    uint64_t *t = page_to_virt(pg);
    unsigned int i;
    int rc;

    for (i = 0; i < PT_ENTRIES; i++) {
        if (level == 4 && is_xen_l4_slot(i))
            continue;
        rc = get_page_from_entry(t[i], level, pg->owner);
        if (rc) {
            printk(LOG_DEBUG "d%u: mfn %lx as L%u: entry %u = %016lx "
                             "refused (%d)\n",
                   pg->owner->domain_id, mfn_x(page_to_mfn(pg)), level, i, t[i],
                   rc);
            put_entries(t, i, level);
            return rc;
        }
    }
    if (level == 4)
        init_guest_l4_slots(t);
    return 0;
}

bool check_descriptor(uint64_t *desc)
{
    uint64_t d = *desc;

    if (!(d & SEG_PRESENT))
        return true; /* loading it faults: harmless */
    if (d & SEG_CODE_OR_DATA) {
        *desc = d | SEG_DPL3; /* the guest's kernel runs in ring 3 too */
        return true;
    }
    /* A system descriptor: only Xen's harmless type 0 passes. */
    return !(d & SEG_TYPE_MASK);
}

/**
 * Check the 512 descriptors of @p pg, which is to become a GDT page
 * (check_descriptor()). Its fix-ups stay in the frame, even those made
 * before a refusal, as in Xen: a raised DPL harms no one.
 * @return 0, or -EINVAL at the first that may not be loaded
 */
static int validate_descriptors(struct page_info *pg)
{
    uint64_t *desc = page_to_virt(pg);
    unsigned int i;

    for (i = 0; i < PAGE_SIZE / sizeof(*desc); i++)
        if (!check_descriptor(&desc[i])) {
            printk(LOG_DEBUG "d%u: mfn %lx as a GDT page: descriptor %u = "
                             "%016lx refused\n",
                   pg->owner->domain_id, mfn_x(page_to_mfn(pg)), i, desc[i]);
            return -EINVAL;
        }
    return 0;
}

/** Does a frame need checking before it becomes @p type (PGT_*)? */
static bool needs_validation(unsigned long type)
{
    return pt_level(type) || (type & PGT_type_mask) == PGT_seg_desc_page;
}

/**
 * Check the contents of @p pg before it becomes @p type, which
 * needs_validation(): a page table's entries (taking their references), a
 * descriptor page's descriptors.
 * @return 0, or the first refusal's error
 */
static int validate(struct page_info *pg, unsigned long type)
{
    return pt_level(type) ? validate_table(pg, pt_level(type))
                          : validate_descriptors(pg);
}

/*
 * Lab 5, exercise 1: the type count's transitions (get_page_type() and
 * put_page_type()).
 *
 * type_info = type (PGT_type_mask) | PGT_validated | PGT_pinned | count.
 * Taking a reference of @p type: with a count of zero the frame is free
 * to become @p type (a new type starts unvalidated and unpinned); with a
 * count above zero it must already be @p type, else -EINVAL. Refuse a
 * count that would overflow (-EINVAL). Count the reference; then, if
 * @p type needs_validation() (a page table, a GDT page) and the frame is
 * not validated yet, validate() it: on success set PGT_validated, on
 * failure give the reference back and return the error.
 *
 * Dropping one: the count goes down; when the last reference to a
 * validated frame goes, clear PGT_validated (and PGT_pinned) first; a
 * page table (pt_level()) then drops the references its entries hold
 * (put_entries()).
 */
int get_page_type(struct page_info *pg, unsigned long type)
{
    // LAB 5 BEGIN exercise 1: get_page_type()
    unsigned long x = pg->u.inuse.type_info;
    int rc;

    if ((x & PGT_count_mask) == PGT_count_mask)
        return -EINVAL; /* the count would overflow */
    if (!(x & PGT_count_mask))
        x = (x & PGT_type_mask) == type ? x : type; /* free to change */
    else if ((x & PGT_type_mask) != type)
        return -EINVAL; /* in use as something else */
    pg->u.inuse.type_info = ++x;
    if (!needs_validation(type) || (x & PGT_validated))
        return 0;
    rc = validate(pg, type);
    if (rc)
        pg->u.inuse.type_info--;
    else
        pg->u.inuse.type_info |= PGT_validated;
    return rc;
    // LAB 5 STUB
    // lab_todo(5, 1, "get_page_type()");
    // (void)type;
    // (void)needs_validation;
    // (void)validate;
    // pg->u.inuse.type_info++; /* counted, never checked: unsafe */
    // return 0;
    // LAB 5 END
}

void put_page_type(struct page_info *pg)
{
    // LAB 5 BEGIN exercise 1: put_page_type()
    unsigned long x = pg->u.inuse.type_info;
    unsigned int level = pt_level(x);

    BUG_ON(!(x & PGT_count_mask));
    x--;
    if (!(x & PGT_count_mask) && (x & PGT_validated)) {
        pg->u.inuse.type_info = x & ~(PGT_validated | PGT_pinned);
        if (level)
            put_entries(page_to_virt(pg), PT_ENTRIES, level);
        return;
    }
    pg->u.inuse.type_info = x;
    // LAB 5 STUB
    // pg->u.inuse.type_info--;
    // LAB 5 END
}

int get_page_and_type(struct page_info *pg, const struct domain *d,
                      unsigned long type)
{
    int rc;

    if (!get_page(pg, d))
        return -EINVAL; /* Xen's answer for a table it cannot take */
    rc = get_page_type(pg, type);
    if (rc)
        put_page(pg);
    return rc;
}

void put_page_and_type(struct page_info *pg)
{
    put_page_type(pg);
    put_page(pg);
}

/*
 * Lab 5, exercise 2: the rules for one entry (get_page_from_entry() and
 * put_page_from_entry()), as asm/pagetype.h describes them.
 *
 * A not-present entry needs nothing. Refuse flags disallowed_flags() names
 * (-EINVAL) and a frame that is not RAM (mfn_valid(): -EPERM in an L1,
 * -EINVAL above). An entry of an L2, L3 or L4 needs its frame as a page
 * table one level down: get_page_and_type(). An L1 entry needs a general
 * reference (get_page(); Xen's answer when it fails: -EBUSY) and, if it
 * is writable, a writable type too (failing that, give the general one
 * back: -EBUSY). put_page_from_entry() drops exactly what was taken.
 */
int get_page_from_entry(uint64_t e, unsigned int level, const struct domain *d)
{
    // LAB 5 BEGIN exercise 2: get_page_from_entry()
    mfn_t mfn = maddr_to_mfn(e & PADDR_MASK);
    struct page_info *pg;
    int rc;

    if (!(e & _PAGE_PRESENT))
        return 0;
    if (e & disallowed_flags(level))
        return -EINVAL;
    if (!mfn_valid(mfn))
        return level > 1 ? -EINVAL : -EPERM; /* not RAM at all */
    pg = mfn_to_page(mfn);
    if (level > 1)
        return get_page_and_type(pg, d, PGT_page_table(level - 1));
    /* Xen's answers for a frame an L1 cannot have: -EBUSY. */
    if (!get_page(pg, d))
        return -EBUSY;
    if (!(e & _PAGE_RW))
        return 0;
    rc = get_page_type(pg, PGT_writable_page);
    if (rc)
        put_page(pg);
    return rc ? -EBUSY : 0;
    // LAB 5 STUB
    // lab_todo(5, 2, "get_page_from_entry()");
    // (void)e;
    // (void)level;
    // (void)d;
    // (void)disallowed_flags;
    // return 0; /* every entry trusted: unsafe */
    // LAB 5 END
}

void put_page_from_entry(uint64_t e, unsigned int level)
{
    // LAB 5 BEGIN exercise 2: put_page_from_entry()
    struct page_info *pg = mfn_to_page(maddr_to_mfn(e & PADDR_MASK));

    if (!(e & _PAGE_PRESENT))
        return;
    if (level > 1 || (e & _PAGE_RW))
        put_page_type(pg);
    put_page(pg);
    // LAB 5 STUB
    // (void)e;
    // (void)level;
    // LAB 5 END
}

int pin_page_table(const struct domain *d, mfn_t mfn, unsigned int level)
{
    struct page_info *pg;
    int rc;

    if (!mfn_valid(mfn))
        return -EINVAL;
    pg = mfn_to_page(mfn);
    rc = get_page_and_type(pg, d, PGT_page_table(level));
    if (rc)
        return rc;
    if (pg->u.inuse.type_info & PGT_pinned) { /* pinned already */
        put_page_and_type(pg);
        return -EINVAL;
    }
    pg->u.inuse.type_info |= PGT_pinned;
    return 0;
}

int unpin_page_table(const struct domain *d, mfn_t mfn)
{
    struct page_info *pg;

    if (!mfn_valid(mfn))
        return -EINVAL;
    pg = mfn_to_page(mfn);
    if (pg->owner != d || !(pg->u.inuse.type_info & PGT_pinned))
        return -EINVAL;
    pg->u.inuse.type_info &= ~PGT_pinned;
    put_page_and_type(pg);
    return 0;
}

void unpin_all_page_tables(struct domain *d)
{
    struct page_info *pg;

    for (pg = page_list_first(&d->page_list); pg; pg = page_list_next(pg))
        if (pg->u.inuse.type_info & PGT_pinned)
            unpin_page_table(d, page_to_mfn(pg));
}
