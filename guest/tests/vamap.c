/**
 * @file
 * @brief Lab 5 test guest: update_va_mapping maps a page, maps another
 *        frame there, maps it read-only, unmaps it; each time the CPU sees
 *        the new entry at once.
 *
 * It works on the scratch window (guest/pagetable.h), whose L1 entry the
 * guest can read in the builder's tables, with two frames the builder
 * zeroed (untouched_frame()). Each step checks the entry the hypervisor
 * wrote and what the page holds. Then its shared_info page, which the
 * hypervisor shares with it: it may map it writable (start_info gives
 * its machine address), but never make it a page table. Last, two
 * addresses with no L1 entry to change: past the mapped region (no L2
 * entry), and the hypervisor's area; both -EINVAL.
 */
#include <public/errno.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/memory.h>
#include <guest/pagetable.h>
#include <guest/test.h>
#include <guest/traps.h>

/** What goes into word @p i of frame @p n (0 or 1). */
#define PATTERN(n, i) (0x600dcafe00000000UL * ((n) + 1) + (i))

/** Words in a page. */
#define PAGE_WORDS (PAGE_SIZE / sizeof(uint64_t))

/** Bits the CPU sets by itself in entries: not what the guest asked. */
#define PTE_CPU_BITS (_PAGE_ACCESSED | _PAGE_DIRTY)

/** The \#PF error codes of the guest kernel's read of an unmapped page... */
#define PFEC_READ_UNMAPPED 0
/** ...and of its write to a read-only one (the user bit cleared). */
#define PFEC_WRITE_RO (X86_PFEC_PRESENT | X86_PFEC_WRITE)

/** The scratch window, as words. */
static volatile uint64_t *window(void)
{
    return scratch_va();
}

/**
 * update_va_mapping of the window to @p val: it must work, and the L1
 * entry (read in the builder's tables) must then be @p val.
 */
static bool set_window(uint64_t val, const char *what)
{
    const uint64_t *l1e = pt_lookup((uintptr_t)window(), 1);
    long rc = HYPERVISOR_update_va_mapping((uintptr_t)window(), val,
                                           UVMF_INVLPG | UVMF_LOCAL);

    printf("vamap: %s: %ld; the L1 entry is 0x%lx\n", what, rc, *l1e);
    return CHECK_EQ(rc, 0) &&
           CHECK_EQ(*l1e & ~PTE_CPU_BITS, val & ~PTE_CPU_BITS);
}

/** Fill the window with frame @p n's pattern. */
static void fill(unsigned int n)
{
    unsigned long i;

    for (i = 0; i < PAGE_WORDS; i++)
        window()[i] = PATTERN(n, i);
}

/** The window's words that differ from frame @p n's pattern. */
static unsigned long differ(unsigned int n)
{
    unsigned long i, wrong = 0;

    for (i = 0; i < PAGE_WORDS; i++)
        wrong += window()[i] != PATTERN(n, i);
    return wrong;
}

/** The window's words that are not 0. */
static unsigned long nonzero(void)
{
    unsigned long i, n = 0;

    for (i = 0; i < PAGE_WORDS; i++)
        n += window()[i] != 0;
    return n;
}

/**
 * Touch the window (a write if @p write, else a read): it must fault with
 * \#PF and error code @p pfec, at the window's address.
 */
static void expect_fault(bool write, unsigned long pfec)
{
    unsigned long seen = traps_seen.count;
    volatile uint64_t *p = window();

    if (write)
        asm volatile(ASM_FIXUP_BEGIN "movq $0, (%[p])" ASM_FIXUP_END
                     :
                     : [p] "r"(p)
                     : ASM_FIXUP_CLOBBERS);
    else
        asm volatile(ASM_FIXUP_BEGIN "cmpq $0, (%[p])" ASM_FIXUP_END
                     :
                     : [p] "r"(p)
                     : "cc", ASM_FIXUP_CLOBBERS);
    CHECK_EQ(traps_seen.count, seen + 1);
    CHECK_EQ(traps_seen.vector, X86_EXC_PF);
    CHECK_EQ(traps_seen.error_code, pfec);
    CHECK_EQ(traps_seen.cr2, (uintptr_t)p);
    printf("vamap: a %s faults: vector %lu, error code 0x%lx\n",
           write ? "write" : "read", traps_seen.vector, traps_seen.error_code);
}

/** Map, remap, map read-only, unmap; then the window's own frame back. */
static void map_and_remap(void)
{
    uint64_t own = *pt_lookup((uintptr_t)window(), 1) & ~PTE_CPU_BITS;
    unsigned long a = untouched_frame(0), b = untouched_frame(1);

    printf("vamap: window at %p; frames 0x%lx and 0x%lx\n", scratch_va(), a, b);
    if (!set_window(mfn_to_maddr(a) | PTE_KERNEL_RW, "map frame A"))
        return;
    fill(0);
    CHECK_EQ(differ(0), 0);
    if (!set_window(mfn_to_maddr(b) | PTE_KERNEL_RW, "map frame B there"))
        return;
    CHECK_EQ(nonzero(), 0);
    fill(1);
    if (!set_window(mfn_to_maddr(a) | PTE_KERNEL_RO, "map A read-only"))
        return;
    CHECK_EQ(differ(0), 0);
    expect_fault(true, PFEC_WRITE_RO);
    CHECK_EQ(differ(0), 0);
    if (!set_window(0, "unmap"))
        return;
    expect_fault(false, PFEC_READ_UNMAPPED);
    if (!set_window(mfn_to_maddr(b) | PTE_KERNEL_RW, "map B again"))
        return;
    CHECK_EQ(differ(1), 0);
    printf("vamap: A and B hold what was written into them\n");
    set_window(own, "the window's own frame back");
}

/**
 * Map shared_info at the window: it reads as the hypervisor set it up
 * (every vCPU starts with events masked), and pinning it as an L1 is
 * refused.
 */
static void map_shared_info(const struct start_info *si)
{
    const volatile struct shared_info *s = scratch_va();
    long pin;

    if (!set_window(si->shared_info | PTE_KERNEL_RW, "map shared_info"))
        return;
    pin = pt_mmuext(MMUEXT_PIN_L1_TABLE, si->shared_info >> PAGE_SHIFT);
    printf("vamap: shared_info: vcpu_info[0].evtchn_upcall_mask %u; pin it "
           "as an L1: %ld\n",
           s->vcpu_info[0].evtchn_upcall_mask, pin);
    CHECK_EQ(s->vcpu_info[0].evtchn_upcall_mask, 1);
    CHECK_EQ(pin, -XEN_EINVAL);
    scratch_restore();
}

/** update_va_mapping of @p va, which has no L1 entry for it: -EINVAL. */
static void no_l1_entry(uintptr_t va, const char *what)
{
    long rc = HYPERVISOR_update_va_mapping(
        va, mfn_to_maddr(untouched_frame(0)) | PTE_KERNEL_RW, UVMF_INVLPG);

    printf("vamap: %s (0x%lx): %ld\n", what, va, rc);
    CHECK_EQ(rc, -XEN_EINVAL);
}

void test_main(const struct start_info *si)
{
    const uint64_t *l2e;

    pt_init(si);
    trap_set_handler(X86_EXC_PF, trap_fixup);
    map_and_remap();
    map_shared_info(si);
    l2e = pt_lookup(pt_mapped_end(), 2);
    if (!l2e || (*l2e & _PAGE_PRESENT))
        test_error("0x%lx: expected an L2 entry that is free", pt_mapped_end());
    no_l1_entry(pt_mapped_end(), "past the mapped region, no L2 entry");
    no_l1_entry(HYPERVISOR_VIRT_START, "the hypervisor's area");
}
