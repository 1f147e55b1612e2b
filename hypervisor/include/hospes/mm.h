/**
 * @file
 * @brief Machine memory: frame numbers, the frame table, the page
 *        allocators.
 *
 * Three kinds of number name memory, and mixing them up is the classic
 * hypervisor bug, so each has its own type:
 *  - mfn_t: a machine frame number (host-physical address >> PAGE_SHIFT);
 *  - gfn_t: a guest frame number, what a guest believes is physical
 *    (lab 4 onwards);
 *  - pointers: hypervisor virtual addresses, through the direct map.
 *
 * Every machine frame has a struct page_info in the frame table. The heap
 * hands out power-of-two blocks ("orders") of frames with a buddy
 * allocator. Like Xen on x86-64 there is one heap: a xenheap page is a heap
 * page the hypervisor keeps for itself (flag PGC_xen_heap), a domheap page
 * one that a domain owns. Lab 2 (labs/02-memory/README.md); design page
 * docs/memory.md.
 *
 * Not yet safe on several CPUs: lab 3 adds the heap lock.
 */
#ifndef HOSPES_MM_H
#define HOSPES_MM_H

#include <hospes/page.h>
#include <hospes/types.h>

struct boot_info;
struct domain;

/** A machine frame number. */
typedef struct {
    unsigned long mfn; /**< the number; use mfn_x() */
} mfn_t;

/** A guest frame number (a guest's idea of a physical frame). */
typedef struct {
    unsigned long gfn; /**< the number; use gfn_x() */
} gfn_t;

/** @brief Make an mfn_t from a number. */
static inline mfn_t _mfn(unsigned long m)
{
    return (mfn_t){ m };
}

/** @brief The number inside an mfn_t. */
static inline unsigned long mfn_x(mfn_t m)
{
    return m.mfn;
}

/** @brief Make a gfn_t from a number. */
static inline gfn_t _gfn(unsigned long g)
{
    return (gfn_t){ g };
}

/** @brief The number inside a gfn_t. */
static inline unsigned long gfn_x(gfn_t g)
{
    return g.gfn;
}

/** @brief The machine address where frame @p m starts. */
static inline paddr_t mfn_to_maddr(mfn_t m)
{
    return (paddr_t)mfn_x(m) << PAGE_SHIFT;
}

/** @brief The frame that holds machine address @p ma. */
static inline mfn_t maddr_to_mfn(paddr_t ma)
{
    return _mfn(ma >> PAGE_SHIFT);
}

/** An mfn that names no frame. */
#define INVALID_MFN_RAW (~0UL)

/** A link in a list of frames: frame numbers, to keep page_info small. */
struct page_list_entry {
    uint32_t next; /**< next frame in the list, or PAGE_LIST_NULL */
    uint32_t prev; /**< previous frame, or PAGE_LIST_NULL */
};

/** End of a page list. */
#define PAGE_LIST_NULL UINT32_MAX

/** A list of frames (a free list, a domain's pages). */
struct page_list_head {
    uint32_t head; /**< first frame, or PAGE_LIST_NULL */
    uint32_t tail; /**< last frame, or PAGE_LIST_NULL */
};

/** An empty page list. */
#define PAGE_LIST_HEAD_INIT                                                    \
    {                                                                          \
        PAGE_LIST_NULL, PAGE_LIST_NULL                                         \
    }

/**
 * What Hospes knows about one machine frame (32 bytes).
 *
 * count_info holds the frame's state (PGC_state_*), flags, and from lab 5
 * a general reference count in its low bits. u.inuse.type_info holds the
 * page type (writable, page table, ...) and type count of lab 5;
 * u.free.order the size of the free block this frame heads.
 */
struct page_info {
    struct page_list_entry list; /**< free list or owner's page list */
    unsigned long count_info;    /**< PGC_* state and flags, ref count */
    union {
        struct {
            unsigned long type_info; /**< PGT_* type, type count (lab 5) */
        } inuse;                     /**< the frame is allocated */
        struct {
            unsigned long order; /**< a free block of 2^order frames */
        } free;                  /**< the frame heads a free block */
    } u;                         /**< depends on the state */
    struct domain *owner;        /**< owning domain, or NULL */
};

/** @name count_info: state and flags */
/**@{*/
#define PGC_state_shift    60 /**< where the state field starts */
#define PGC_state_mask     (3UL << PGC_state_shift) /**< the state field */
#define PGC_state_reserved (0UL << PGC_state_shift) /**< not in the heap */
#define PGC_state_free     (1UL << PGC_state_shift) /**< in a free block */
#define PGC_state_inuse    (2UL << PGC_state_shift) /**< allocated */
#define PGC_xen_heap       (1UL << 63) /**< the hypervisor's own page */
#define PGC_allocated      (1UL << 62) /**< a domain owns it */
/** Reference count (lab 5). A domain's frame starts with 1: the one its
 *  allocation holds, which free_domheap_pages() expects to be the last. */
#define PGC_count_mask ((1UL << 32) - 1)
/**@}*/

/** The frame's state: one of PGC_state_*. */
#define page_state(pg) ((pg)->count_info & PGC_state_mask)

/** Largest block order: 2^20 frames = 4 GiB. */
#define MAX_ORDER 20

/** The frame table, indexed by mfn; frames up to max_page. */
extern struct page_info *frame_table;
/** One past the highest frame of RAM. */
extern unsigned long max_page;

/** @brief Is @p m a frame the frame table describes? */
static inline bool mfn_valid(mfn_t m)
{
    return mfn_x(m) < max_page;
}

/** @brief The struct page_info of frame @p m (which must be valid). */
static inline struct page_info *mfn_to_page(mfn_t m)
{
    return frame_table + mfn_x(m);
}

/** @brief The frame a struct page_info describes. */
static inline mfn_t page_to_mfn(const struct page_info *pg)
{
    return _mfn(pg - frame_table);
}

/** @brief The direct-map address of machine address @p ma. */
void *maddr_to_virt(paddr_t ma);

/** @brief The machine address behind direct-map pointer @p va. */
paddr_t virt_to_maddr(const void *va);

/** @brief The direct-map address of a frame. */
static inline void *page_to_virt(const struct page_info *pg)
{
    return maddr_to_virt(mfn_to_maddr(page_to_mfn(pg)));
}

/** @brief The frame behind direct-map pointer @p va. */
static inline struct page_info *virt_to_page(const void *va)
{
    return mfn_to_page(maddr_to_mfn(virt_to_maddr(va)));
}

/** @name Boot allocator (before the heap exists) */
/**@{*/

/**
 * @brief Take the memory the boot allocator may hand out from @p bi:
 *        usable RAM minus the reserved ranges and the first MiB.
 * @return the number of frames it may hand out (0: no memory to manage).
 */
unsigned long boot_allocator_init(const struct boot_info *bi);

/**
 * @brief Allocate @p nr frames aligned to @p align frames, below @p limit.
 * @return the first frame; panics if there is no room (at boot nothing
 *         can go on without it).
 */
mfn_t alloc_boot_pages(unsigned long nr, unsigned long align, paddr_t limit);
/**@}*/

/** @name The heap */
/**@{*/

/**
 * @brief Give the boot allocator's remaining memory to the heap. After
 *        this, alloc_boot_pages() may no longer be called.
 */
void heap_init(void);

/**
 * @brief Take a free block of 2^@p order frames from the buddy heap.
 * @return its first frame, or NULL (with a log line) if none is free.
 */
struct page_info *alloc_heap_pages(unsigned int order);

/** @brief Return a block that alloc_heap_pages() gave out. */
void free_heap_pages(struct page_info *pg, unsigned int order);

/** @brief Has heap_init() run (and the boot allocator closed)? */
bool heap_ready(void);

/** @brief Frames free in the heap right now. */
unsigned long heap_free_pages(void);

/** @brief Free blocks of exactly 2^@p order frames right now. */
unsigned long heap_free_blocks(unsigned int order);

/** @brief The order of the largest free block, or -1 if the heap is empty. */
int heap_largest_free_order(void);

/** @brief Print the free blocks of each order (at LOG_INFO). */
void heap_dump(void);

/**
 * @brief Print where the usable RAM went: heap, boot allocations (frame
 *        table, page tables), reserved ranges, the first MiB.
 */
void mem_report(void);

/** @brief 2^@p order frames for the hypervisor. @return a pointer or NULL */
void *alloc_xenheap_pages(unsigned int order, unsigned int memflags);

/** @brief Free what alloc_xenheap_pages() returned. */
void free_xenheap_pages(void *va, unsigned int order);

/** @brief One page for the hypervisor. */
#define alloc_xenheap_page() alloc_xenheap_pages(0, 0)
/** @brief Free one xenheap page. */
#define free_xenheap_page(va) free_xenheap_pages(va, 0)

/**
 * @brief 2^@p order frames owned by domain @p d (or by nobody if NULL).
 *
 * The frames count against d->max_pages; past it the allocation fails
 * with a log line.
 *
 * @return the first frame, or NULL.
 */
struct page_info *alloc_domheap_pages(struct domain *d, unsigned int order,
                                      unsigned int memflags);

/** @brief Free domheap frames; their owner's count goes down. */
void free_domheap_pages(struct page_info *pg, unsigned int order);

/** @name memflags */
/**@{*/
#define MEMF_zero (1U << 0) /**< fill the frames with zeros */
/**@}*/
/**@}*/

#endif /* HOSPES_MM_H */
