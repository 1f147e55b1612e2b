/**
 * @file
 * @brief xmalloc(): slabs of power-of-two slots, and whole pages for big
 *        objects.
 *
 * Every page xmalloc() holds starts with a struct xm_page header that says
 * what the page is. A slab page's slots follow the header, at an offset
 * rounded up to the slot size, so every slot is aligned to its size; free
 * slots form a list threaded through the slots themselves, and a bitmap in
 * the header records which slots are in use. A large object
 * gets 2^order pages and sits after the header at the alignment asked for.
 * xfree() finds the header by rounding the pointer down to its page.
 * Design page: docs/memory.md (section "xmalloc").
 */
#include <hospes/lib.h>
#include <hospes/mm.h>
#include <hospes/printk.h>
#include <hospes/spinlock.h>
#include <hospes/xmalloc.h>

/** Smallest slot: 16 bytes, the alignment C's max_align_t wants. */
#define MIN_SHIFT 4
/** Size classes: 16, 32, ... XMALLOC_MAX_SMALL bytes. */
#define NR_CLASSES 8
_Static_assert((16 << (NR_CLASSES - 1)) == XMALLOC_MAX_SMALL, "classes");

#define XM_SLAB_MAGIC  0x534c4142u /**< "SLAB" */
#define XM_LARGE_MAGIC 0x4c415247u /**< "LARG" */
/** Most slots in a slab: those of the smallest class. */
#define MAX_SLOTS 256

/** The header at the start of every page xmalloc() owns. */
struct xm_page {
    uint32_t magic;       /**< XM_SLAB_MAGIC or XM_LARGE_MAGIC */
    uint16_t class;       /**< slab: size class index */
    uint16_t order;       /**< large: 2^order pages */
    uint32_t used;        /**< slab: slots in use; large: object offset */
    uint32_t nr_slots;    /**< slab: slots in the page */
    void *free;           /**< slab: first free slot */
    struct xm_page *next; /**< slab: next slab of its class with room */
    /** slab: which slots are in use, so a double free is caught exactly */
    uint64_t in_use[MAX_SLOTS / 64];
};

/** A free slot holds the link to the next free slot of its slab. */
struct xm_slot {
    struct xm_slot *next; /**< next free slot in the slab */
};

/** Slabs with free slots, per class; and the statistics. */
static struct {
    struct xm_page *partial[NR_CLASSES]; /**< slabs with room */
    struct xmalloc_stats stats;          /**< objects and pages */
} xm;

/** The class whose slots hold @p size bytes aligned to @p align. */
static unsigned int size_class(size_t size, size_t align)
{
    unsigned int c = 0;

    size = max(size, align);
    while ((16UL << c) < size)
        c++;
    return c;
}

/** Byte offset of the first slot in a slab of class @p c. */
static size_t first_slot(unsigned int c)
{
    return ROUNDUP(sizeof(struct xm_page), 16UL << c);
}

/** Make a new slab for class @p c and make it the class's first. */
static struct xm_page *new_slab(unsigned int c)
{
    struct xm_page *s = alloc_xenheap_page();
    size_t slot = 16UL << c, off;

    if (!s)
        return NULL;
    *s = (struct xm_page){ .magic = XM_SLAB_MAGIC, .class = c };
    for (off = PAGE_SIZE - slot; off >= first_slot(c); off -= slot) {
        struct xm_slot *free = (void *)((char *)s + off);

        free->next = s->free;
        s->free = free;
        s->nr_slots++;
    }
    BUG_ON(s->nr_slots > MAX_SLOTS);
    s->next = xm.partial[c];
    xm.partial[c] = s;
    xm.stats.pages++;
    return s;
}

/** The index of slot @p p in slab @p s. */
static unsigned int slot_index(const struct xm_page *s, const void *p)
{
    size_t off = (const char *)p - (const char *)s;

    return (off - first_slot(s->class)) / (16UL << s->class);
}

/** Take a slot of class @p c. */
static void *alloc_small(unsigned int c)
{
    struct xm_page *s = xm.partial[c] ? xm.partial[c] : new_slab(c);
    struct xm_slot *slot;

    if (!s)
        return NULL;
    slot = s->free;
    s->free = slot->next;
    s->in_use[slot_index(s, slot) / 64] |= 1UL << (slot_index(s, slot) % 64);
    if (++s->used == s->nr_slots)
        xm.partial[c] = s->next; /* full: no longer offered */
    return slot;
}

/** Whole pages for an object too big for any slab. */
static void *alloc_large(size_t size, size_t align)
{
    size_t off = ROUNDUP(sizeof(struct xm_page), max(align, (size_t)16));
    unsigned int order = 0;
    struct xm_page *h;

    if (off >= PAGE_SIZE || size > (PAGE_SIZE << MAX_ORDER) - off)
        return NULL;
    while ((PAGE_SIZE << order) < off + size)
        order++;
    h = alloc_xenheap_pages(order, 0);
    if (!h)
        return NULL;
    *h = (struct xm_page){ .magic = XM_LARGE_MAGIC,
                           .order = order,
                           .used = off };
    xm.stats.pages += 1UL << order;
    return (char *)h + off;
}

/**
 * Guards the slabs and the counts: any CPU may allocate or free (a domain
 * is destroyed on the CPU that last ran it).
 */
static spinlock_t xmalloc_lock = SPIN_LOCK_UNLOCKED("xmalloc");

/** _xmalloc() under the lock. */
static void *xmalloc_locked(size_t size, size_t align)
{
    void *p;

    if (!align || (align & (align - 1)) || align > PAGE_SIZE / 2) {
        printk(LOG_WARNING "xmalloc: bad alignment %zu\n", align);
        return NULL;
    }
    if (max(size, align) <= XMALLOC_MAX_SMALL)
        p = alloc_small(size_class(size, align));
    else
        p = alloc_large(size, align);
    if (p)
        xm.stats.objects++;
    return p;
}

void *_xmalloc(size_t size, size_t align)
{
    unsigned long flags = spin_lock_irqsave(&xmalloc_lock);
    void *p = xmalloc_locked(size, align);

    spin_unlock_irqrestore(&xmalloc_lock, flags);
    return p;
}

void *_xzalloc(size_t size, size_t align)
{
    void *p = _xmalloc(size, align);

    if (p)
        memset(p, 0, size);
    return p;
}

/** Is @p p a slot boundary of slab @p s? */
static bool is_slot(const struct xm_page *s, const void *p)
{
    size_t off = (const char *)p - (const char *)s;

    return off >= first_slot(s->class) &&
           !((off - first_slot(s->class)) % (16UL << s->class));
}

/** Give a slot back to slab @p s; free the slab when it empties. */
static void free_small(struct xm_page *s, void *p)
{
    uint64_t bit = 1UL << (slot_index(s, p) % 64);
    uint64_t *word = &s->in_use[slot_index(s, p) / 64];
    struct xm_slot *slot = p;
    struct xm_page **link;

    if (!(*word & bit)) {
        printk(LOG_ERR "xfree: %p freed twice; ignored\n", p);
        return;
    }
    *word &= ~bit;
    slot->next = s->free;
    s->free = slot;
    if (s->used-- == s->nr_slots) { /* it was full: offer it again */
        s->next = xm.partial[s->class];
        xm.partial[s->class] = s;
    }
    xm.stats.objects--;
    if (s->used)
        return;
    for (link = &xm.partial[s->class]; *link != s; link = &(*link)->next)
        ;
    *link = s->next;
    s->magic = 0;
    free_xenheap_page(s);
    xm.stats.pages--;
}

/** Is @p va an address of the direct map's xenheap pages? */
static bool is_xenheap(const void *va)
{
    paddr_t ma = virt_to_maddr(va);

    return ma != (paddr_t)-1 && mfn_valid(maddr_to_mfn(ma)) &&
           (virt_to_page(va)->count_info & PGC_xen_heap) &&
           page_state(virt_to_page(va)) == PGC_state_inuse;
}

/** xfree() of a non-NULL @p p, under the lock. */
static void xfree_locked(void *p)
{
    struct xm_page *h = (void *)((unsigned long)p & PAGE_MASK);

    if (!is_xenheap(h) || (char *)p == (char *)h) {
        printk(LOG_ERR "xfree: %p was not allocated by xmalloc; ignored\n", p);
        return;
    }
    if (h->magic == XM_SLAB_MAGIC && is_slot(h, p)) {
        free_small(h, p);
    } else if (h->magic == XM_LARGE_MAGIC && (char *)p - (char *)h == h->used) {
        h->magic = 0;
        xm.stats.pages -= 1UL << h->order;
        xm.stats.objects--;
        free_xenheap_pages(h, h->order);
    } else {
        printk(LOG_ERR "xfree: %p was not allocated by xmalloc; ignored\n", p);
    }
}

void xfree(void *p)
{
    unsigned long flags;

    if (!p)
        return;
    flags = spin_lock_irqsave(&xmalloc_lock);
    xfree_locked(p);
    spin_unlock_irqrestore(&xmalloc_lock, flags);
}

struct xmalloc_stats xmalloc_stats(void)
{
    unsigned long flags = spin_lock_irqsave(&xmalloc_lock);
    struct xmalloc_stats stats = xm.stats;

    spin_unlock_irqrestore(&xmalloc_lock, flags);
    return stats;
}
