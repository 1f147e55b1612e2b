/**
 * @file
 * @brief Lab 5 test guest: the machine-to-phys table (M2P) is readable and
 *        right, it is read-only, and memory_op describes the domain's
 *        memory.
 *
 * Nothing here changes a page table: it works before any exercise of
 * lab 5 is done. The checks, each printed:
 *  - XENMEM_machphys_mapping says where the M2P is (Xen's address) and
 *    which frames it covers; XENMEM_maximum_ram_page fits in it;
 *  - for every pfn of the domain, M2P[mfn_list[pfn]] == pfn (the domain
 *    builder filled both);
 *  - a write to the M2P faults (a \#PF bounced to the guest), and the entry
 *    is unchanged;
 *  - current and maximum reservation (by DOMID_SELF and by its own id)
 *    and the memory map say nr_pages frames, one RAM range;
 *  - another domain's reservation: -EPERM for a domU; for dom0, which may
 *    ask about any domain, -ESRCH for one that does not exist.
 *
 * Command line: `domid=N`, the domain's own id (default 0): a PV guest
 * has no other way to learn it.
 */
#include <public/errno.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/memory.h>
#include <guest/pagetable.h>
#include <guest/test.h>
#include <guest/traps.h>

/** Room for the memory map: more than the one entry expected. */
#define MAP_ROOM 4

/** A domain id that no boot of the grader gives out. */
#define ABSENT_DOMID 42

/**
 * The \#PF error code of the guest kernel's write to a present, read-only
 * page. The CPU sets X86_PFEC_USER too (the kernel runs in ring 3); the
 * hypervisor clears it, as Xen does, because the guest was in kernel mode.
 */
#define PFEC_WRITE_RO (X86_PFEC_PRESENT | X86_PFEC_WRITE)

/** XENMEM_machphys_mapping and maximum_ram_page agree with each other. */
static void check_mapping(void)
{
    long max_page = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    struct xen_machphys_mapping m = { 0 };

    CHECK_EQ(HYPERVISOR_memory_op(XENMEM_machphys_mapping, &m), 0);
    printf("m2p: machphys_mapping: 0x%lx-0x%lx, max_mfn 0x%lx; "
           "maximum_ram_page 0x%lx\n",
           m.v_start, m.v_end, m.max_mfn, max_page);
    CHECK_EQ(m.v_start, MACH2PHYS_VIRT_START);
    CHECK(max_page > 0 && (unsigned long)max_page - 1 <= m.max_mfn,
          "maximum_ram_page 0x%lx is not covered by max_mfn 0x%lx", max_page,
          m.max_mfn);
    CHECK(m.v_end > m.v_start &&
              (m.v_end - m.v_start) / sizeof(uint64_t) > m.max_mfn,
          "0x%lx-0x%lx is too small for max_mfn 0x%lx", m.v_start, m.v_end,
          m.max_mfn);
}

/** M2P[mfn_list[pfn]] == pfn for all the domain's pfns. */
static void check_m2p(const struct start_info *si)
{
    unsigned long wrong = m2p_mismatches(si);

    CHECK(!wrong, "%lu of %lu pfns have a wrong M2P entry", wrong,
          si->nr_pages);
    printf("m2p: M2P[mfn_list[pfn]] == pfn for %lu of %lu pfns\n",
           si->nr_pages - wrong, si->nr_pages);
}

/** A write to the M2P entry of @p mfn faults and changes nothing. */
static void check_read_only(unsigned long mfn)
{
    volatile uint64_t *entry = (volatile uint64_t *)&m2p_table()[mfn];
    uint64_t before = *entry;
    unsigned long seen = traps_seen.count;

    trap_set_handler(X86_EXC_PF, trap_fixup);
    /* The value is the entry's own: a write that wrongly works harms none. */
    asm volatile(ASM_FIXUP_BEGIN "movq %[v], (%[p])" ASM_FIXUP_END
                 :
                 : [p] "r"(entry), [v] "r"(before)
                 : ASM_FIXUP_CLOBBERS);
    trap_set_handler(X86_EXC_PF, NULL);
    CHECK_EQ(traps_seen.count, seen + 1);
    CHECK_EQ(traps_seen.vector, X86_EXC_PF);
    CHECK_EQ(traps_seen.error_code, PFEC_WRITE_RO);
    CHECK_EQ(traps_seen.cr2, (uintptr_t)entry);
    CHECK_EQ(*entry, before);
    printf("m2p: writing M2P[0x%lx] at %p: vector %lu, error code 0x%lx\n", mfn,
           (void *)entry, traps_seen.vector, traps_seen.error_code);
}

/** XENMEM_@p cmd (current or maximum reservation) of domain @p id. */
static long reservation(unsigned int cmd, domid_t id)
{
    return HYPERVISOR_memory_op(cmd, &id);
}

/** What memory_op says about the domain's own memory. */
static void check_own_memory(const struct start_info *si, domid_t self)
{
    struct e820entry map[MAP_ROOM] = { 0 };
    struct xen_memory_map mm = { .nr_entries = MAP_ROOM,
                                 .buffer = (uintptr_t)map };
    long max = reservation(XENMEM_maximum_reservation, DOMID_SELF);

    CHECK_EQ(reservation(XENMEM_current_reservation, DOMID_SELF), si->nr_pages);
    CHECK_EQ(reservation(XENMEM_current_reservation, self), si->nr_pages);
    CHECK(max >= (long)si->nr_pages,
          "maximum_reservation %ld is below nr_pages %lu", max, si->nr_pages);
    CHECK_EQ(reservation(XENMEM_maximum_reservation, self), max);
    printf("m2p: current_reservation %lu, maximum_reservation %ld\n",
           si->nr_pages, max);

    CHECK_EQ(HYPERVISOR_memory_op(XENMEM_memory_map, &mm), 0);
    CHECK_EQ(mm.nr_entries, 1);
    CHECK_EQ(map[0].addr, 0);
    CHECK_EQ(map[0].size, si->nr_pages * PAGE_SIZE);
    CHECK_EQ(map[0].type, E820_RAM);
    printf("m2p: memory_map: %u entry, 0x%lx bytes of type %u\n", mm.nr_entries,
           map[0].size, map[0].type);
}

/** Another domain's reservation: only dom0 may ask. */
static void check_other_domain(const struct start_info *si, domid_t self)
{
    domid_t other = self ? 0 : 1;
    long rc;

    if (si->flags & SIF_PRIVILEGED) {
        rc = reservation(XENMEM_current_reservation, ABSENT_DOMID);
        CHECK_EQ(rc, -XEN_ESRCH);
        printf("m2p: current_reservation of d%u, which does not exist: "
               "%ld\n",
               ABSENT_DOMID, rc);
        return;
    }
    rc = reservation(XENMEM_current_reservation, other);
    CHECK_EQ(rc, -XEN_EPERM);
    CHECK_EQ(reservation(XENMEM_maximum_reservation, other), -XEN_EPERM);
    printf("m2p: current_reservation of d%u from unprivileged d%u: %ld\n",
           other, self, rc);
}

void test_main(const struct start_info *si)
{
    unsigned long self = 0;

    cmdline_get_ulong(si->cmd_line, "domid", &self);
    pt_init(si);
    check_mapping();
    check_m2p(si);
    check_read_only(pfn_to_mfn(0));
    check_own_memory(si, (domid_t)self);
    check_other_domain(si, (domid_t)self);
}
