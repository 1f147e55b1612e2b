/**
 * @file
 * @brief The PV domain builder: lays a kernel image out in a new domain's
 *        memory the way Xen does, so that a kernel written for Xen finds
 *        everything where it expects.
 *
 * Lab 4, exercise 2 (labs/04-pv-domains/README.md):
 * build_page_tables(). Design page: docs/pv-guests.md (section "The
 * start-of-day layout").
 *
 * The domain's frames get pseudo-physical numbers (pfns) 0, 1, 2, ...;
 * the P2M list says which machine frame each one is. From the kernel's
 * virtual base up, everything the kernel needs is mapped contiguously,
 * pfn 0 at the base:
 *
 *     virt_base  kernel image (from its ELF segments)
 *                P2M list: one 8-byte mfn per pfn
 *                start_info page
 *                initial page tables: the L4 first, then the others in
 *                the order the walk of build_page_tables() needs them
 *                boot stack (one page)
 *                at least 512 KiB more, up to a 4 MiB boundary
 *     v_end
 *
 * The page tables are mapped read-only in the guest: a PV guest may read
 * its page tables but only change them through hypercalls (lab 5). The
 * L4 is pinned, which validates the whole tree by the rules of
 * asm/pagetype.h, as for any table a guest builds.
 */
#include <asm/domain.h>
#include <asm/layout.h>
#include <asm/pagetype.h>
#include <asm/x86-defs.h>
#include <hospes/domain_build.h>
#include <hospes/elf.h>
#include <hospes/errno.h>
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <hospes/xmalloc.h>

#include "../setup.h"
#include "pv.h"

/** Rights of a guest mapping: present, writable, user, already used. */
#define GUEST_RW                                                               \
    (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
/** Rights of a guest's view of its own page tables: read-only. */
#define GUEST_RO (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
/** Rights of an entry that points to a lower table. */
#define GUEST_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)

/** Mapped memory a PV kernel finds after its boot stack, at least... */
#define V_END_PADDING (512UL << 10)
/** ...up to a boundary of this (Xen's public/xen.h promises both). */
#define V_END_ALIGN (4UL << 20)

/** Where everything goes in the guest's address space. */
struct pv_layout {
    uint64_t v_start;         /**< virtual base: pfn 0 is mapped here */
    uint64_t p2m_start;       /**< the P2M list */
    uint64_t si_start;        /**< start_info */
    uint64_t pt_start;        /**< the page tables, L4 first */
    unsigned long nr_pt;      /**< frames of page tables */
    uint64_t stack_start;     /**< the boot stack's page */
    uint64_t v_end;           /**< one past the last mapped byte */
    const unsigned long *p2m; /**< pfn -> mfn, for every frame */
};

/** The pfn that virtual address @p va of the layout maps. */
static unsigned long pfn_of(const struct pv_layout *l, uint64_t va)
{
    return (va - l->v_start) >> PAGE_SHIFT;
}

/** The hypervisor's pointer to the page that @p va of the layout maps. */
static void *page_of(const struct pv_layout *l, uint64_t va)
{
    return __va(l->p2m[pfn_of(l, va)] << PAGE_SHIFT);
}

/** Page-table pages needed to map [@p start, @p end): each level. */
static unsigned long count_pt_frames(uint64_t start, uint64_t end)
{
    unsigned long n = 0, shift;

    for (shift = 21; shift <= 39; shift += 9) /* L1s, L2s, L3s */
        n += ((end - 1) >> shift) - (start >> shift) + 1;
    return n + 1; /* and the L4 */
}

/**
 * Place everything after the kernel. Xen's promise to a PV kernel: the
 * mapped region goes on for at least V_END_PADDING past the boot stack
 * and ends on a V_END_ALIGN boundary (early kernel code maps more of its
 * memory from there). The page tables must map themselves, so their
 * number depends on where the layout ends, which depends on their number:
 * grow the guess until it suffices.
 */
static void plan_layout(struct pv_layout *l, const struct elf_guest *elf,
                        unsigned long nr_pages)
{
    l->v_start = elf->virt_base;
    l->p2m_start = elf->virt_kend;
    l->si_start = l->p2m_start + ROUNDUP(nr_pages * 8, PAGE_SIZE);
    l->pt_start = l->si_start + PAGE_SIZE;
    for (l->nr_pt = 1;; l->nr_pt++) {
        l->stack_start = l->pt_start + l->nr_pt * PAGE_SIZE;
        l->v_end =
            ROUNDUP(l->stack_start + PAGE_SIZE + V_END_PADDING, V_END_ALIGN);
        if (count_pt_frames(l->v_start, l->v_end) <= l->nr_pt)
            break;
    }
}

/**
 * Write the guest's initial page tables, mapping [v_start, v_end) to
 * pfns 0, 1, ... (l->p2m gives each pfn's machine frame).
 *
 * The tables themselves are the frames at l->pt_start, in order: the
 * first is the L4; take the next unused one whenever a walk finds an
 * empty entry (point the entry at its frame with GUEST_TABLE rights; the
 * hypervisor fills a table through the direct map, page_of()). Leaf
 * entries (in the L1s) get GUEST_RW rights, except the ones that map the
 * page tables, which get GUEST_RO. Finally give the L4 the hypervisor's
 * own slots (init_guest_l4_slots()), so that the hypervisor stays mapped
 * while the guest runs.
 *
 * @return 0, or -ENOSPC if the tables need more than l->nr_pt frames
 */
static int build_page_tables(const struct pv_layout *l)
{
    // LAB 4 BEGIN exercise 2: build_page_tables()
    uint64_t pt_end = l->pt_start + l->nr_pt * PAGE_SIZE, next = l->pt_start;
    uint64_t *l4 = page_of(l, next), va;

    next += PAGE_SIZE;
    for (va = l->v_start; va < l->v_end; va += PAGE_SIZE) {
        uint64_t *table = l4;
        unsigned int level;

        for (level = 4; level > 1; level--) {
            uint64_t *e = &table[pt_index(va, level)];

            if (!(*e & _PAGE_PRESENT)) {
                if (next >= pt_end)
                    return -ENOSPC;
                *e = l->p2m[pfn_of(l, next)] << PAGE_SHIFT | GUEST_TABLE;
                next += PAGE_SIZE;
            }
            table = __va(*e & PADDR_MASK);
        }
        table[pt_index(va, 1)] =
            l->p2m[pfn_of(l, va)] << PAGE_SHIFT |
            (va >= l->pt_start && va < pt_end ? GUEST_RO : GUEST_RW);
    }
    init_guest_l4_slots(l4);
    return 0;
    // LAB 4 STUB
    // lab_todo(4, 2, "build_page_tables()");
    // (void)l;
    // return -ENOSYS;
    // LAB 4 END
}

/** elf_guest_load()'s view of guest memory: the page at @p va. */
static void *loader_page(void *arg, uint64_t va)
{
    const struct pv_layout *l = arg;

    if (va < l->v_start || va >= l->v_end)
        return NULL;
    return page_of(l, va);
}

/**
 * Copy the P2M list into the guest, page by page: pages contiguous in the
 * guest's virtual memory are not contiguous in machine memory.
 */
static void write_p2m(const struct pv_layout *l, unsigned long nr_pages)
{
    size_t bytes = nr_pages * sizeof(*l->p2m), done, n;

    for (done = 0; done < bytes; done += n) {
        n = bytes - done < PAGE_SIZE ? bytes - done : PAGE_SIZE;
        memcpy(page_of(l, l->p2m_start + done), (const char *)l->p2m + done, n);
    }
}

/** Fill the start_info page. */
static void write_start_info(struct domain *d, const struct pv_layout *l,
                             const char *cmdline, uint32_t flags)
{
    struct start_info *si = page_of(l, l->si_start);

    strlcpy(si->magic, XEN_START_INFO_MAGIC, sizeof(si->magic));
    si->nr_pages = d->tot_pages;
    si->shared_info = virt_to_maddr(d->shared_info);
    si->flags = flags;
    si->pt_base = l->pt_start;
    si->nr_pt_frames = l->nr_pt;
    si->mfn_list = l->p2m_start;
    strlcpy(si->cmd_line, cmdline, sizeof(si->cmd_line));
}

/** Give @p d all its frames, zeroed, and list them in @p p2m. */
static int populate(struct domain *d, unsigned long *p2m)
{
    unsigned long pfn;

    for (pfn = 0; pfn < d->max_pages; pfn++) {
        struct page_info *pg = alloc_domheap_pages(d, 0, MEMF_zero);

        if (!pg)
            return -ENOMEM;
        p2m[pfn] = mfn_x(page_to_mfn(pg));
        machine_to_phys[p2m[pfn]] = pfn;
    }
    return 0;
}

/** Set vCPU 0 to start at the kernel's entry, Xen's way. */
static void init_vcpu0(struct vcpu *v, const struct elf_guest *elf,
                       const struct pv_layout *l)
{
    struct cpu_user_regs *r = &v->arch->user_regs;

    r->rip = elf->entry;
    r->cs = FLAT_KERNEL_CS;
    r->ss = FLAT_KERNEL_SS;
    r->rsp = l->stack_start + PAGE_SIZE;
    r->rsi = l->si_start;
    r->rflags = X86_EFLAGS_IF | X86_EFLAGS_MBS;
}

/** Lay the image out in @p d with the frames listed in @p p2m. */
static int build(struct domain *d, const struct elf_guest *elf,
                 unsigned long *p2m, const char *cmdline, uint32_t flags)
{
    struct pv_layout l = { .p2m = p2m };
    int rc;

    plan_layout(&l, elf, d->max_pages);
    if (pfn_of(&l, l.v_end - 1) >= d->max_pages ||
        !pv_guest_addr_ok(l.v_end - 1)) {
        printk(LOG_ERR "d%u: %lu KiB of memory cannot hold the kernel and "
                       "its start-of-day layout\n",
               d->domain_id, d->max_pages << (PAGE_SHIFT - 10));
        return -ENOMEM;
    }
    rc = populate(d, p2m) ?: build_page_tables(&l)
                          ?: elf_guest_load(elf, loader_page, &l);
    if (rc)
        return rc;
    write_p2m(&l, d->max_pages);
    write_start_info(d, &l, cmdline, flags);
    if (elf->has_hypercall_page)
        pv_write_hypercall_page(page_of(&l, elf->hypercall_page));
    d->shared_info->arch.max_pfn = d->max_pages;
    /* Through the type system, as a guest's own tables will be: from the
     * first instruction on, the rules hold. The pin keeps the tables; the
     * vCPU's CR3 holds a reference of its own. */
    rc = pin_page_table(d, _mfn(p2m[pfn_of(&l, l.pt_start)]), 4);
    rc = rc ?: pv_new_baseptr(d->vcpu[0], _mfn(p2m[pfn_of(&l, l.pt_start)]));
    if (rc) {
        printk(LOG_ERR "d%u: its initial page tables break the rules (%d)\n",
               d->domain_id, rc);
        return rc;
    }
    init_vcpu0(d->vcpu[0], elf, &l);
    printk("d%u: kernel %016lx-%016lx, entry %016lx, %lu MiB\n", d->domain_id,
           elf->virt_kstart, elf->virt_kend, elf->entry,
           d->max_pages >> (20 - PAGE_SHIFT));
    printk("d%u: P2M %016lx, start_info %016lx, %lu page tables at "
           "%016lx, stack %016lx\n",
           d->domain_id, l.p2m_start, l.si_start, l.nr_pt, l.pt_start,
           l.stack_start);
    return 0;
}

int pv_build_domain(struct domain *d, const void *image, size_t size,
                    const char *cmdline, uint32_t si_flags)
{
    struct elf_guest elf;
    unsigned long *p2m;
    int rc;

    if (elf_guest_parse(&elf, image, size)) {
        printk(LOG_ERR "d%u: bad kernel image: %s\n", d->domain_id, elf.error);
        return -EINVAL;
    }
    p2m = xmalloc_array(unsigned long, d->max_pages);
    if (!p2m)
        return -ENOMEM;
    rc = build(d, &elf, p2m, cmdline, si_flags);
    xfree(p2m);
    if (rc == -ENOMEM)
        printk(LOG_ERR "d%u: out of memory while building it\n", d->domain_id);
    return rc;
}
