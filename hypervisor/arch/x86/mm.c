/**
 * @file
 * @brief The hypervisor's own page tables: the image, the direct map and
 *        the frame table, in Xen's x86-64 layout.
 *
 * Lab 2, exercise 3 (labs/02-memory/README.md): map_pages_to_xen().
 * Design page: docs/memory.md (section "Page tables").
 *
 * head.asm's early tables map the first 4 GiB three times with 2 MiB
 * pages, all writable and executable, including page 0. The tables built
 * here replace them:
 *  - the image at HV_VIRT_START with its rights per part: text read-only
 *    and executable, read-only data not executable, data and bss writable
 *    and not executable, and the page below the boot stack not mapped at
 *    all (a guard: overflowing the stack faults instead of corrupting bss);
 *  - the direct map: all RAM at DIRECTMAP_VIRT_START, not executable,
 *    with 2 MiB pages wherever alignment allows;
 *  - the frame table at FRAMETABLE_VIRT_START;
 *  - nothing at all below the hypervisor's slots, so a NULL pointer faults.
 * Page-table pages come from the boot allocator below 4 GiB, where the
 * early direct map reaches them while we build.
 */
#include <asm/io.h>
#include <asm/layout.h>
#include <asm/x86-defs.h>
#include <hospes/bootinfo.h>
#include <hospes/errno.h>
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/mm.h>
#include <hospes/printk.h>
#include <hospes/selftest.h>
#include <public/xen.h>

#include "setup.h"

/** A page-table entry, at any level. */
typedef uint64_t pgentry_t;

/** Frames in a 2 MiB page. */
#define L2_FRAMES (1UL << (L2_PAGE_SHIFT - PAGE_SHIFT))
/** Page-table pages must come from here: the early direct map's reach. */
#define EARLY_MAP_LIMIT (1UL << 32)

/** @name Rights of the hypervisor's mappings */
/**@{*/
/** Code: read-only, executable. */
#define PAGE_HV_RX (_PAGE_PRESENT | _PAGE_GLOBAL)
/** Read-only data: not writable, not executable. */
#define PAGE_HV_RO (_PAGE_PRESENT | _PAGE_GLOBAL | _PAGE_NX)
/** Data: writable, not executable. */
#define PAGE_HV_RW (_PAGE_PRESENT | _PAGE_RW | _PAGE_GLOBAL | _PAGE_NX)
/** Intermediate levels allow everything; the leaf entry decides. */
#define PAGE_TABLE (_PAGE_PRESENT | _PAGE_RW)
/**@}*/

/** @name The image's parts, from the linker script */
/**@{*/
extern const char _stext[];     /**< start of the code */
extern const char _etext[];     /**< end of the code */
extern const char __ro_start[]; /**< start of the read-only data */
extern const char __ro_end[];   /**< end of the read-only data */
extern const char __rw_start[]; /**< start of .data, then .bss */
extern const char __bss_end[];  /**< end of .bss: end of the image */
/**@}*/

/** The top-level table of the hypervisor's page tables. */
static pgentry_t *idle_pg_table;

/** _PAGE_NX, or 0 on a CPU without no-execute pages. */
static pgentry_t nx_mask;

/** Pages of page table made so far, for the boot report. */
static unsigned long pt_pages;

void *maddr_to_virt(paddr_t ma)
{
    return __va(ma);
}

paddr_t virt_to_maddr(const void *va)
{
    unsigned long v = (unsigned long)va;

    if (v >= DIRECTMAP_VIRT_START && v < DIRECTMAP_VIRT_END)
        return v - DIRECTMAP_VIRT_START;
    if (v >= HV_VIRT_START + HV_PHYS_START && v < (unsigned long)__bss_end)
        return __pa_image(va);
    return (paddr_t)-1;
}

bool page_tables_live(void)
{
    return idle_pg_table && read_cr3() == virt_to_maddr(idle_pg_table);
}

/**
 * A new zeroed page-table page: from the boot allocator below 4 GiB while
 * the early direct map is all there is, from the heap once it exists.
 * Running out here, while mapping the hypervisor's own memory, is fatal.
 * @return it, through the direct map
 */
static pgentry_t *alloc_pt_page(void)
{
    pgentry_t *t;

    if (heap_ready())
        t = alloc_xenheap_page();
    else
        t = __va(mfn_to_maddr(alloc_boot_pages(1, 1, EARLY_MAP_LIMIT)));
    if (!t)
        panic("no memory for a page-table page");
    memset(t, 0, PAGE_SIZE);
    pt_pages++;
    return t;
}

/**
 * The table that entry @p e points to; if @p e is empty, make a new table
 * and point @p e at it. @return NULL if @p e maps a large page instead.
 */
static pgentry_t *next_table(pgentry_t *e)
{
    if (!(*e & _PAGE_PRESENT))
        *e = virt_to_maddr(alloc_pt_page()) | PAGE_TABLE;
    if (*e & _PAGE_PSE)
        return NULL;
    return __va(*e & PADDR_MASK);
}

/**
 * Map @p nr frames from @p mfn at virtual address @p va with rights
 * @p flags, in the hypervisor's page tables.
 *
 * Walk from idle_pg_table down: for each level above the leaf, follow the
 * entry for va, or make a table with next_table() when it is empty. Where
 * va and mfn are both 2 MiB-aligned and at least L2_FRAMES frames are
 * left, write one large-page entry in the L2 (flags | _PAGE_PSE) and
 * advance by L2_FRAMES; otherwise write a 4 KiB entry in the L1 and
 * advance by one. Entries hold the frame's machine address ORed with the
 * flags.
 *
 * @return 0, or -EBUSY if a large page is in the way of a walk.
 */
int map_pages_to_xen(unsigned long va, mfn_t mfn, unsigned long nr,
                     pgentry_t flags)
{
    // LAB 2 BEGIN exercise 3: map_pages_to_xen()
    while (nr) {
        pgentry_t *l3, *l2, *l1;
        bool large = !(va & ((L2_FRAMES << PAGE_SHIFT) - 1)) &&
                     !(mfn_x(mfn) & (L2_FRAMES - 1)) && nr >= L2_FRAMES;
        unsigned long step = large ? L2_FRAMES : 1;

        l3 = next_table(&idle_pg_table[pt_index(va, 4)]);
        l2 = l3 ? next_table(&l3[pt_index(va, 3)]) : NULL;
        if (!l2)
            return -EBUSY;
        if (large) {
            l2[pt_index(va, 2)] = mfn_to_maddr(mfn) | flags | _PAGE_PSE;
        } else {
            l1 = next_table(&l2[pt_index(va, 2)]);
            if (!l1)
                return -EBUSY;
            l1[pt_index(va, 1)] = mfn_to_maddr(mfn) | flags;
        }
        va += step << PAGE_SHIFT;
        mfn = _mfn(mfn_x(mfn) + step);
        nr -= step;
    }
    return 0;
    // LAB 2 STUB
    // lab_todo(2, 3, "map_pages_to_xen()");
    // (void)va;
    // (void)mfn;
    // (void)nr;
    // (void)flags;
    // (void)next_table;
    // return -ENOSYS;
    // LAB 2 END
}

paddr_t idle_pg_table_maddr(void)
{
    return virt_to_maddr(idle_pg_table);
}

void init_guest_l4_slots(uint64_t *l4)
{
    unsigned int slot = pt_index(HYPERVISOR_VIRT_START, 4);
    unsigned int end = pt_index(HYPERVISOR_VIRT_END - 1, 4);

    for (; slot <= end; slot++)
        l4[slot] = idle_pg_table[slot];
}

/**
 * Give every hypervisor slot of the top-level table its L3 table now:
 * guests' top-level tables copy these entries once (init_guest_l4_slots()),
 * so a later mapping must not need a new L3.
 */
static void fill_hypervisor_slots(void)
{
    unsigned int slot = pt_index(HYPERVISOR_VIRT_START, 4);
    unsigned int end = pt_index(HYPERVISOR_VIRT_END - 1, 4);

    for (; slot <= end; slot++)
        next_table(&idle_pg_table[slot]);
}

/** @p flags without _PAGE_NX on a CPU that does not have it. */
static pgentry_t hv_rights(pgentry_t flags)
{
    return flags & (~_PAGE_NX | nx_mask);
}

/** Map the image part [start, end) (page-aligned) with @p flags. */
static int map_image(const char *start, const char *end, pgentry_t flags)
{
    return map_pages_to_xen((unsigned long)start,
                            maddr_to_mfn(__pa_image(start)),
                            (end - start) >> PAGE_SHIFT, hv_rights(flags));
}

/** Map the image, leaving out the guard page at the foot of the stack. */
static int map_image_parts(void)
{
    const char *stack_end = boot_stack + STACK_SIZE;
    int rc;

    rc = map_image(_stext, __ro_start, PAGE_HV_RX);
    rc = rc ?: map_image(__ro_start, __ro_end, PAGE_HV_RO);
    rc = rc ?: map_image(__rw_start, boot_stack, PAGE_HV_RW);
    rc = rc ?: map_image(boot_stack + PAGE_SIZE, stack_end, PAGE_HV_RW);
    rc = rc ?: map_image(stack_end, __bss_end, PAGE_HV_RW);
    return rc;
}

/** Is this kind of memory RAM, to be in the direct map? */
static bool is_ram(enum mem_type type)
{
    return type == MEM_USABLE || type == MEM_ACPI || type == MEM_NVS;
}

/**
 * Map every RAM region of the memory map into the direct map, whole
 * frames rounded outwards (a region that ends mid-frame is still RAM up to
 * its end). Device memory (the holes) stays unmapped: mapping it
 * cacheable could let the CPU read devices on its own.
 */
static int map_directmap(void)
{
    unsigned int i;
    int rc = 0;

    for (i = 0; i < boot_info.nr_map && !rc; i++) {
        const struct mem_region *r = &boot_info.map[i];
        paddr_t start = r->start & PAGE_MASK;
        paddr_t end = ROUNDUP(r->end, PAGE_SIZE);

        if (!is_ram(r->type))
            continue;
        if (end > DIRECTMAP_VIRT_END - DIRECTMAP_VIRT_START) {
            printk(LOG_WARNING "RAM above the direct map's 5 TiB ignored\n");
            end = DIRECTMAP_VIRT_END - DIRECTMAP_VIRT_START;
        }
        if (start < end)
            rc = map_pages_to_xen(
                (unsigned long)__va(start), maddr_to_mfn(start),
                (end - start) >> PAGE_SHIFT, hv_rights(PAGE_HV_RW));
    }
    return rc;
}

/**
 * Make room for the frame table: one struct page_info per frame below
 * max_page, on frames of its own, mapped at FRAMETABLE_VIRT_START.
 */
static int map_frame_table(void)
{
    unsigned long bytes = max_page * sizeof(struct page_info);
    unsigned long nr = ROUNDUP(bytes, PAGE_SIZE) >> PAGE_SHIFT;
    /* 2 MiB-aligned when it is that big, so it maps with large pages. */
    unsigned long align = nr >= L2_FRAMES ? L2_FRAMES : 1;
    mfn_t mfn;

    if (bytes > FRAMETABLE_SIZE) {
        printk(LOG_ERR "frame table: %lu frames are too many\n", max_page);
        return -ENOMEM;
    }
    mfn = alloc_boot_pages(nr, align, EARLY_MAP_LIMIT);
    printk("Frame table: %lu frames, %lu KiB at machine address 0x%lx\n",
           max_page, nr << (PAGE_SHIFT - 10), mfn_to_maddr(mfn));
    return map_pages_to_xen(FRAMETABLE_VIRT_START, mfn, nr,
                            hv_rights(PAGE_HV_RW));
}

uint64_t *machine_to_phys;

/**
 * Let ring 3 through the upper levels above [@p va, @p va + @p len):
 * then its leaf entries alone decide what a guest may do there. The
 * hypervisor's own upper entries have no _PAGE_USER; each guest's L4
 * copies them (init_guest_l4_slots()), so this must happen before the
 * first guest is built.
 */
static void open_to_guests(unsigned long va, unsigned long len)
{
    unsigned long end = va + len;

    for (; va < end; va += 1UL << L2_PAGE_SHIFT) {
        pgentry_t *e = &idle_pg_table[pt_index(va, 4)];
        unsigned int level;

        for (level = 4; level > 2; level--) {
            *e |= _PAGE_USER;
            e = (pgentry_t *)__va(*e & PADDR_MASK) + pt_index(va, level - 1);
        }
        *e |= _PAGE_USER;
    }
}

/**
 * The machine-to-phys table: one 8-byte pfn per machine frame, ~0 where
 * no domain has said (Xen's layout, lab 5). Mapped read-only, for every
 * guest, at MACH2PHYS_VIRT_START; the hypervisor writes it through the
 * direct map.
 */
static int map_m2p(void)
{
    unsigned long bytes = max_page * sizeof(*machine_to_phys);
    unsigned long nr = ROUNDUP(bytes, PAGE_SIZE) >> PAGE_SHIFT;
    unsigned long align = nr >= L2_FRAMES ? L2_FRAMES : 1;
    mfn_t mfn = alloc_boot_pages(nr, align, EARLY_MAP_LIMIT);
    int rc;

    rc = map_pages_to_xen(MACH2PHYS_VIRT_START, mfn, nr,
                          hv_rights(_PAGE_PRESENT | _PAGE_USER | _PAGE_NX));
    if (rc)
        return rc;
    open_to_guests(MACH2PHYS_VIRT_START, nr << PAGE_SHIFT);
    machine_to_phys = __va(mfn_to_maddr(mfn));
    memset(machine_to_phys, 0xff, nr << PAGE_SHIFT);
    printk("M2P: %lu KiB at 0x%lx, read-only for guests at %016lx\n",
           nr << (PAGE_SHIFT - 10), mfn_to_maddr(mfn), MACH2PHYS_VIRT_START);
    return 0;
}

/** Turn on no-execute pages if the CPU has them. */
static void enable_nx(void)
{
    uint32_t a, b, c, d;

    cpuid(CPUID_EXT_FEATURES, &a, &b, &c, &d);
    if (!(d & CPUID_EXT_EDX_NX)) {
        printk(LOG_WARNING "CPU without NX: data will be executable\n");
        return;
    }
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    nx_mask = _PAGE_NX;
}

/*
 * Global pages keep the hypervisor's mappings (_PAGE_GLOBAL) in the TLB
 * across the CR3 switches between guests.
 */
void cpu_enable_global_pages(void)
{
    uint32_t a, b, c, d;

    cpuid(CPUID_FEATURES, &a, &b, &c, &d);
    if (d & CPUID_EDX_PGE)
        write_cr4(read_cr4() | X86_CR4_PGE);
}

int arch_init_memory(void)
{
    int rc;

    enable_nx();
    idle_pg_table = alloc_pt_page();
    fill_hypervisor_slots();
    rc = map_image_parts();
    rc = rc ?: map_directmap();
    rc = rc ?: map_frame_table();
    rc = rc ?: map_m2p();
    if (rc) {
        printk(LOG_ERR "Page tables could not be built (error %d): staying "
                       "on the boot page tables, without a heap\n",
               rc);
        return rc;
    }
    /*
     * Everything the CPU uses is mapped in the new tables at the address
     * it uses now: this code, the stack, and the GDT and IDT, which
     * load_descriptor_tables() put in the image (desc.c).
     */
    write_cr3(virt_to_maddr(idle_pg_table));
    cpu_enable_global_pages();
    frame_table = (struct page_info *)FRAMETABLE_VIRT_START;
    memset(frame_table, 0, max_page * sizeof(*frame_table));
    printk("Page tables: %lu KiB; running on them\n",
           pt_pages << (PAGE_SHIFT - 10));
    return 0;
}

/**
 * The leaf entry that maps @p va in the live page tables, and its level
 * (1 for 4 KiB, 2 for 2 MiB); NULL if nothing maps it.
 */
static const pgentry_t *lookup(unsigned long va, unsigned int *level)
{
    const pgentry_t *t = __va(read_cr3() & PADDR_MASK);

    for (*level = 4;; (*level)--) {
        const pgentry_t *e = &t[pt_index(va, *level)];

        if (!(*e & _PAGE_PRESENT))
            return NULL;
        if (*level == 1 || (*e & _PAGE_PSE))
            return e;
        t = __va(*e & PADDR_MASK);
    }
}

/** An address and the rights its mapping must have. */
struct mapping_case {
    const char *what;   /**< for the report */
    const void *va;     /**< the address */
    pgentry_t want;     /**< flags that must be set; 0: must be unmapped */
    pgentry_t unwanted; /**< flags that must be clear */
};

/** Check one mapping_case. @return 1 if it fails */
static int check_mapping(const struct mapping_case *c)
{
    unsigned int level;
    const pgentry_t *e = lookup((unsigned long)c->va, &level);
    bool ok =
        c->want ? e && (*e & c->want) == c->want && !(*e & c->unwanted) : !e;

    printk("pagetables check: %-28s %p %s: %s\n", c->what, c->va,
           !e           ? "not mapped"
           : level == 2 ? "2M page"
                        : "4K page",
           ok ? "ok" : "WRONG");
    return !ok;
}

/** A read-only object of the image, for its mapping's rights. */
static const int rodata_probe = 1;

/** A variable of the image, to reach through two mappings. */
static volatile unsigned long alias_probe;

/**
 * Lab 2 exercise 3: the live page tables give each part of the image its
 * rights, map RAM in the direct map (with large pages), and leave the
 * first 2 MiB and the stack guard unmapped.
 */
static int selftest_pagetables(void)
{
    const pgentry_t nx = nx_mask, present = _PAGE_PRESENT;
    const struct mapping_case cases[] = {
        { "NULL", NULL, 0, 0 },
        { "last byte below 2 MiB", (void *)0x1fffff, 0, 0 },
        { "text: read-only, executable", (void *)selftest_pagetables, present,
          _PAGE_RW | _PAGE_NX },
        { "rodata: read-only, no exec", &rodata_probe, present | nx, _PAGE_RW },
        { "bss: writable, no exec", &pt_pages, present | _PAGE_RW | nx, 0 },
        { "stack guard page", boot_stack, 0, 0 },
        { "stack", boot_stack + PAGE_SIZE, present | _PAGE_RW | nx, 0 },
        { "direct map at 2 MiB", __va(L2_FRAMES << PAGE_SHIFT),
          present | _PAGE_RW | _PAGE_PSE | nx, 0 },
        { "frame table", frame_table, present | _PAGE_RW | nx, 0 },
    };
    volatile unsigned long *alias = __va(__pa_image((void *)&alias_probe));
    unsigned int i;
    int bad = 0;

    if (!page_tables_live()) {
        printk(LOG_ERR "pagetables check: still on the boot page tables\n");
        return 1;
    }
    for (i = 0; i < ARRAY_SIZE(cases); i++)
        bad += check_mapping(&cases[i]);

    /* One frame, two addresses: what one writes, the other reads. */
    *alias = 0x5a5a1234abcdUL;
    bad += alias_probe != 0x5a5a1234abcdUL;
    printk("pagetables check: a write through the direct map reads back "
           "through the image: %s\n",
           alias_probe == 0x5a5a1234abcdUL ? "ok" : "WRONG");
    return bad;
}
SELFTEST("pagetables", selftest_pagetables);
