/**
 * @file
 * @brief A PV guest's page tables: entry bits, reading the tables the
 *        domain builder made, free frames, and a scratch window for
 *        touching a frame that is mapped nowhere (guest/lib/pagetable.c).
 *
 * Lab 5 (PV memory). A PV guest may read its page tables (the builder
 * maps them read-only) but changes them only through hypercalls:
 * HYPERVISOR_mmu_update() writes an entry given its machine address,
 * HYPERVISOR_update_va_mapping() the L1 entry of a virtual address, and
 * HYPERVISOR_mmuext_op() pins tables and switches to another L4. The
 * hypervisor checks each change (a frame is a page table or writable,
 * never both; entries refer only to the domain's own frames).
 *
 * What the builder gives (guest/layout.h, docs/pv-guests.md): pfn 0 at the
 * image's virtual base, every page up to the end of the mapped region
 * mapped to its own frame (start_info.mfn_list[pfn]), the initial tables
 * among them (nr_pt_frames frames from start_info.pt_base). The domain's
 * frames past the mapped region (up to nr_pages) are its own but mapped
 * nowhere: frame_alloc() hands them out.
 *
 * The scratch window is the last page of the mapped region: padding the
 * builder adds after the boot stack, which nothing uses. scratch_map()
 * points it at another frame, scratch_restore() at its own again.
 */
#ifndef GUEST_PAGETABLE_H
#define GUEST_PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <public/xen.h>

/** log2 of PAGE_SIZE (guest/layout.h). */
#define PAGE_SHIFT 12

/** @name Page-table entry bits (x86-64, every level unless noted) */
/**@{*/
#define _PAGE_PRESENT  (1UL << 0)  /**< the entry maps something */
#define _PAGE_RW       (1UL << 1)  /**< writable */
#define _PAGE_USER     (1UL << 2)  /**< ring 3 may use it: a PV kernel too */
#define _PAGE_PWT      (1UL << 3)  /**< write-through */
#define _PAGE_PCD      (1UL << 4)  /**< cache disabled */
#define _PAGE_ACCESSED (1UL << 5)  /**< set by the CPU on use */
#define _PAGE_DIRTY    (1UL << 6)  /**< set by the CPU on a write (L1) */
#define _PAGE_PSE      (1UL << 7)  /**< L2/L3: a large page, no table below */
#define _PAGE_GLOBAL   (1UL << 8)  /**< L1: survives a CR3 switch */
#define _PAGE_NX       (1UL << 63) /**< not executable */
/** The machine address in an entry: bits 12-51. */
#define PTE_ADDR_MASK 0x000ffffffffff000UL
/**@}*/

/** @name The rights a guest kernel gives its entries (it runs in ring 3) */
/**@{*/
/** A page the kernel reads and writes. */
#define PTE_KERNEL_RW                                                          \
    (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
/** A page the kernel only reads (its own page tables, for one). */
#define PTE_KERNEL_RO (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
/** An entry of an L2, L3 or L4 that points to the table below. */
#define PTE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
/**@}*/

/** Entries per table, at every level. */
#define PT_ENTRIES 512

/** @brief The index of @p va's entry in a table of @p level (1 = L1). */
static inline unsigned int pt_index(uintptr_t va, unsigned int level)
{
    return (va >> (PAGE_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

/** @brief The machine frame entry @p e points to. */
static inline unsigned long pte_mfn(uint64_t e)
{
    return (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
}

/**
 * @brief The machine address of entry @p index of the table in frame
 *        @p table_mfn: what mmu_update() wants in mmu_update.ptr.
 */
static inline uint64_t pte_maddr(unsigned long table_mfn, unsigned int index)
{
    return ((uint64_t)table_mfn << PAGE_SHIFT) + index * sizeof(uint64_t);
}

/**
 * @brief Is slot @p i of an L4 the hypervisor's? (PML4 slots 256-271,
 *        HYPERVISOR_VIRT_START to _END: the hypervisor fills them in
 *        every L4 and refuses changes.)
 */
static inline bool pt_hypervisor_l4_slot(unsigned int i)
{
    return i >= pt_index(HYPERVISOR_VIRT_START, 4) &&
           i <= pt_index(HYPERVISOR_VIRT_END - 1, 4);
}

/**
 * @brief Learn the layout from @p si: call first. Finds where the mapped
 *        region ends by walking the initial tables (ends the test with
 *        ERROR if they make no sense).
 */
void pt_init(const struct start_info *si);

/** @brief The machine frame of pseudo-physical frame @p pfn (the P2M). */
unsigned long pfn_to_mfn(unsigned long pfn);

/** @brief The machine frame that maps @p va in the builder's mapping. */
unsigned long virt_to_mfn(const void *va);

/** @brief The machine frame of the builder's L4 (start_info.pt_base). */
unsigned long pt_initial_l4_mfn(void);

/** @brief The first address past the builder's mapped region. */
uintptr_t pt_mapped_end(void);

/**
 * @brief The read-only view of @p mfn if it is one of the builder's page
 *        tables (the nr_pt_frames frames from pt_base), else NULL.
 */
const uint64_t *pt_table_virt(unsigned long mfn);

/**
 * @brief The entry for @p va in the table of @p level (1-4) that the
 *        builder's tables use: a walk from its L4, read-only.
 * @return a pointer to the entry, or NULL if a level above has no entry
 *         for @p va (or points to a table that is not one of the
 *         builder's).
 */
const uint64_t *pt_lookup(uintptr_t va, unsigned int level);

/**
 * @brief A free frame of the domain, zeroed: the next pfn past the mapped
 *        region. It is mapped nowhere afterwards, so it may become a page
 *        table. Ends the test with ERROR when none is left.
 * @return its machine frame number.
 */
unsigned long frame_alloc(void);

/** @brief The scratch window's address (one page). */
void *scratch_va(void);

/**
 * @brief Map frame @p mfn read-write at the scratch window, with
 *        update_va_mapping (ERROR if refused).
 * @return scratch_va().
 */
void *scratch_map(unsigned long mfn);

/** @brief Give the scratch window its own frame back (ERROR if refused). */
void scratch_restore(void);

/**
 * @brief One MMU_NORMAL_PT_UPDATE: write @p val into the page-table entry
 *        at machine address @p ptr.
 * @return HYPERVISOR_mmu_update()'s answer.
 */
long pt_update(uint64_t ptr, uint64_t val);

/**
 * @brief One mmuext_op @p cmd (MMUEXT_*) whose argument is a frame:
 *        pin, unpin, new_baseptr.
 * @return HYPERVISOR_mmuext_op()'s answer.
 */
long pt_mmuext(unsigned int cmd, unsigned long mfn);

#endif /* GUEST_PAGETABLE_H */
