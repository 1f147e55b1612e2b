/**
 * @file
 * @brief Page references and page types: the rules that keep a PV guest
 *        inside its own memory.
 *
 * Lab 5 (labs/05-pv-memory/README.md). Design page: docs/pv-memory.md;
 * the idea is Xen's (xen/arch/x86/mm.c).
 *
 * A PV guest writes its own page tables only through hypercalls, and the
 * hypervisor checks every entry. Two counts on each frame make the check
 * cheap and sound:
 *  - a general reference count (page_info.count_info): how many things
 *    use the frame (a mapping, a pin, the allocation itself); a frame is
 *    freed only when the last reference goes;
 *  - a type and a type count (page_info.u.inuse.type_info): what the
 *    frame is used as right now, and how many uses of that kind there
 *    are. A frame has one type at a time: it is a page table of one level
 *    (L1 to L4), or a descriptor table, or writable. Only when its type
 *    count is zero may the type change.
 * So a frame is never a page table and writable at once: the guest cannot
 * change a validated table behind the hypervisor's back. A frame that
 * takes a page-table type is validated first (every present entry is
 * checked, and referenced with the type one level down); when its type
 * count drops to zero it is devalidated (those references are dropped).
 * A descriptor page (a guest's GDT) is validated the same way, each
 * descriptor checked (check_descriptor()).
 *
 * A domain's page tables may refer only to its own frames, so one lock
 * per domain will order every change to them once guests make changes
 * (lab 5's hypercalls); until then only the builder, before the domain
 * runs, and the teardown, after it stopped, use these.
 */
#ifndef ASM_PAGETYPE_H
#define ASM_PAGETYPE_H

#include <asm/x86-defs.h>
#include <hospes/domain.h>
#include <hospes/mm.h>
#include <public/xen.h>

/** @name type_info: the type (bits 61-63), flags, the type count */
/**@{*/
#define PGT_type_shift    61 /**< where the type field starts */
#define PGT_none          (0UL << PGT_type_shift) /**< no use yet */
#define PGT_l1_page_table (1UL << PGT_type_shift) /**< an L1 table */
#define PGT_l2_page_table (2UL << PGT_type_shift) /**< an L2 table */
#define PGT_l3_page_table (3UL << PGT_type_shift) /**< an L3 table */
#define PGT_l4_page_table (4UL << PGT_type_shift) /**< an L4 table */
#define PGT_seg_desc_page (5UL << PGT_type_shift) /**< a GDT or LDT page */
#define PGT_writable_page (7UL << PGT_type_shift) /**< mapped writable */
#define PGT_type_mask     (7UL << PGT_type_shift) /**< the type field */
#define PGT_pinned        (1UL << 60)       /**< pinned (holds a type ref) */
#define PGT_validated     (1UL << 59)       /**< its entries were checked */
#define PGT_count_mask    ((1UL << 32) - 1) /**< the type count */
/**@}*/

/** @brief Is slot @p i of an L4 the hypervisor's (PML4 slots 256-271)? */
static inline bool is_xen_l4_slot(unsigned int i)
{
    return i >= pt_index(HYPERVISOR_VIRT_START, 4) &&
           i <= pt_index(HYPERVISOR_VIRT_END - 1, 4);
}

/** The page-table type of level @p level (1-4). */
#define PGT_page_table(level) ((unsigned long)(level) << PGT_type_shift)

/**
 * @brief Take a general reference to @p pg for domain @p d.
 * @return false if @p pg is not @p d's (or not allocated, or the count
 *         would overflow): then nothing was taken
 */
bool get_page(struct page_info *pg, const struct domain *d);

/**
 * @brief Drop a reference get_page() took. The allocation's own is never
 *        dropped here (free_domheap_pages() and give_back_page() do
 *        that); once a frame has been given back, its last reference
 *        frees it.
 */
void put_page(struct page_info *pg);

/**
 * @brief Domain @p d gives frame @p mfn back (decrease_reservation): it
 *        may take no new reference, and the frame is freed as soon as the
 *        last one it holds goes (at once, if it is mapped nowhere).
 * @return 0, or -EINVAL if @p mfn is not @p d's to give
 */
int give_back_page(const struct domain *d, mfn_t mfn);

/**
 * @brief Take a reference of type @p type (PGT_*) to @p pg, validating it
 *        if it becomes a page table or a descriptor page. The caller holds
 *        a general reference.
 * @return 0; -EINVAL if @p pg has another type in use (as in Xen); the
 *         validation's error if its contents break the rules:
 *         get_page_from_entry()'s (-EINVAL, -EBUSY, -EPERM) for an entry,
 *         -EINVAL for a descriptor check_descriptor() refuses
 */
int get_page_type(struct page_info *pg, unsigned long type);

/** @brief Drop a type reference; the last one devalidates a table or a
 *         descriptor page. */
void put_page_type(struct page_info *pg);

/**
 * @brief get_page() then get_page_type(); all or nothing.
 * @return 0, -EINVAL if @p pg is not @p d's, or get_page_type()'s error
 */
int get_page_and_type(struct page_info *pg, const struct domain *d,
                      unsigned long type);

/** @brief put_page_type() then put_page(). */
void put_page_and_type(struct page_info *pg);

/**
 * @brief Check a new entry @p e for a table of level @p level of domain
 *        @p d and take the references it needs: a general one on the
 *        frame it maps and, for a writable L1 entry, a writable type; for
 *        a higher level, the page-table type one level down.
 * @return 0 (also for a not-present entry), or Xen's errno: in an L1,
 *         -EBUSY for a frame @p d may not have (not its own, or a writable
 *         mapping of a table) and -EPERM for one that is not RAM; in a
 *         higher table, -EINVAL for any frame it cannot take; -EINVAL for
 *         forbidden flags
 */
int get_page_from_entry(uint64_t e, unsigned int level, const struct domain *d);

/** @brief Drop the references get_page_from_entry() took for @p e. */
void put_page_from_entry(uint64_t e, unsigned int level);

/**
 * @brief Share hypervisor page @p pg (a domain's shared_info) with @p d,
 *        as Xen does: @p d owns it for get_page(), so it may map it, but
 *        it is not in its page list and a writable type that never goes
 *        keeps it from becoming a page table or a descriptor page.
 */
void share_xen_page_with_guest(struct page_info *pg, struct domain *d);

/** @brief Take a page share_xen_page_with_guest() shared back; no
 *         reference but the sharing's may be left. */
void unshare_xen_page(struct page_info *pg);

/**
 * @brief Check segment descriptor @p *desc for a 64-bit PV guest's GDT,
 *        raising a code or data segment's DPL to 3 in place, as Xen does
 *        (the guest's kernel runs in ring 3 as well).
 * @return true if the guest may have it: not present, a code or data
 *         segment, or the empty system type 0 (loading it faults); false
 *         for every other system descriptor: TSS, LDT and gates. Xen also
 *         allows call gates into the guest's code; Hospes does not, as no
 *         64-bit PV guest needs one.
 */
bool check_descriptor(uint64_t *desc);

/**
 * The machine-to-phys table (arch/x86/mm.c): machine_to_phys[mfn] is the
 * pfn a PV domain gave frame mfn, or INVALID_M2P_ENTRY. Guests read it at
 * MACH2PHYS_VIRT_START; the hypervisor writes it through this pointer.
 */
extern uint64_t *machine_to_phys;
/** The M2P entry of a frame no domain has named. */
#define INVALID_M2P_ENTRY (~0UL)

/**
 * @brief Pin @p mfn as a page table of @p level (1-4) of @p d: validate
 *        it and keep it validated, whatever its other uses, until
 *        unpinned. A pin holds a general and a type reference.
 * @return 0, -EINVAL if already pinned or not RAM, or
 *         get_page_and_type()'s error
 */
int pin_page_table(const struct domain *d, mfn_t mfn, unsigned int level);

/**
 * @brief Drop @p d's pin of @p mfn.
 * @return 0, or -EINVAL if it is not a table @p d pinned
 */
int unpin_page_table(const struct domain *d, mfn_t mfn);

/**
 * @brief Drop every pin of dying domain @p d, so that its page tables
 *        give back the references they hold before its frames are freed.
 */
void unpin_all_page_tables(struct domain *d);

#endif /* ASM_PAGETYPE_H */
