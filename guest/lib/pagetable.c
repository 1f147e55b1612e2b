/**
 * @file
 * @brief Reading the builder's page tables, handing out free frames and
 *        the scratch window. Design: guest/pagetable.h.
 */
#include <guest/hypercall.h>
#include <guest/layout.h>
#include <guest/pagetable.h>
#include <guest/string.h>
#include <guest/test.h>

/** What pt_init() learnt, and the free-frame cursor. */
static struct {
    const struct start_info *si; /**< the builder's start_info */
    const unsigned long *p2m;    /**< start_info.mfn_list: pfn -> mfn */
    uintptr_t mapped_end;        /**< first address past the mapped region */
    unsigned long next_free_pfn; /**< what frame_alloc() gives next */
    uint64_t scratch_pte;        /**< the scratch window's own L1 entry */
} mm;

/** The pfn that @p va has in the builder's mapping (pfn 0 at the base). */
static unsigned long virt_to_pfn(uintptr_t va)
{
    return (va - (uintptr_t)_image_start) >> PAGE_SHIFT;
}

unsigned long pfn_to_mfn(unsigned long pfn)
{
    return mm.p2m[pfn];
}

unsigned long virt_to_mfn(const void *va)
{
    return pfn_to_mfn(virt_to_pfn((uintptr_t)va));
}

unsigned long pt_initial_l4_mfn(void)
{
    return virt_to_mfn((const void *)mm.si->pt_base);
}

uintptr_t pt_mapped_end(void)
{
    return mm.mapped_end;
}

const uint64_t *pt_table_virt(unsigned long mfn)
{
    unsigned long i;

    for (i = 0; i < mm.si->nr_pt_frames; i++) {
        uintptr_t va = mm.si->pt_base + i * PAGE_SIZE;

        if (pfn_to_mfn(virt_to_pfn(va)) == mfn)
            return (const uint64_t *)va;
    }
    return NULL;
}

const uint64_t *pt_lookup(uintptr_t va, unsigned int level)
{
    const uint64_t *table = (const uint64_t *)mm.si->pt_base;
    unsigned int l;

    for (l = 4; l > level && table; l--) {
        uint64_t e = table[pt_index(va, l)];

        if (!(e & _PAGE_PRESENT))
            return NULL;
        table = pt_table_virt(pte_mfn(e));
    }
    return table ? &table[pt_index(va, level)] : NULL;
}

/** Is @p va mapped by the builder's tables? */
static bool mapped(uintptr_t va)
{
    const uint64_t *e = pt_lookup(va, 1);

    return e && (*e & _PAGE_PRESENT);
}

void pt_init(const struct start_info *si)
{
    uintptr_t va = (uintptr_t)_image_start;

    mm.si = si;
    mm.p2m = (const unsigned long *)si->mfn_list;
    if (!pt_table_virt(pt_initial_l4_mfn()))
        test_error("pt_base 0x%lx is not among the %lu page-table frames",
                   si->pt_base, si->nr_pt_frames);
    /* The builder maps everything from the base on, contiguously. */
    while (mapped(va))
        va += PAGE_SIZE;
    /* After the tables: the boot stack, then padding for the window. */
    if (va < si->pt_base + (si->nr_pt_frames + 2) * PAGE_SIZE)
        test_error("the mapping ends at 0x%lx: no padding page after the "
                   "page tables and the boot stack",
                   va);
    mm.mapped_end = va;
    mm.next_free_pfn = virt_to_pfn(va);
    mm.scratch_pte = *pt_lookup(va - PAGE_SIZE, 1);
}

void *scratch_va(void)
{
    return (void *)(mm.mapped_end - PAGE_SIZE);
}

/** Set the scratch window's L1 entry to @p val; ERROR if refused. */
static void scratch_set(uint64_t val)
{
    long rc = HYPERVISOR_update_va_mapping((uintptr_t)scratch_va(), val,
                                           UVMF_INVLPG | UVMF_LOCAL);

    if (rc)
        test_error("update_va_mapping(%p, 0x%lx) failed: %ld", scratch_va(),
                   val, rc);
}

void *scratch_map(unsigned long mfn)
{
    scratch_set((uint64_t)mfn << PAGE_SHIFT | PTE_KERNEL_RW);
    return scratch_va();
}

void scratch_restore(void)
{
    scratch_set(mm.scratch_pte);
}

unsigned long frame_alloc(void)
{
    unsigned long mfn;

    if (mm.next_free_pfn >= mm.si->nr_pages)
        test_error("no free frame left: all %lu are used", mm.si->nr_pages);
    mfn = pfn_to_mfn(mm.next_free_pfn++);
    memset(scratch_map(mfn), 0, PAGE_SIZE);
    scratch_restore();
    return mfn;
}

long pt_update(uint64_t ptr, uint64_t val)
{
    struct mmu_update req = { .ptr = ptr | MMU_NORMAL_PT_UPDATE, .val = val };

    return HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
}

long pt_mmuext(unsigned int cmd, unsigned long mfn)
{
    struct mmuext_op op = { .cmd = cmd, .arg1.mfn = mfn };

    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}
