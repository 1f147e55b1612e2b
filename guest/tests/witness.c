/**
 * @file
 * @brief Lab 5 test guest: dom0 that watches its own memory while another
 *        domain attacks; nothing of it may change.
 *
 * The witness runs as dom0, next to an attacker (attack.elf) in another
 * domain. It fills a buffer with a pattern, then yields the CPU until the
 * attacker's domain is gone (dom0 may ask memory_op about any domain:
 * -ESRCH once it has been destroyed), and checks its memory against what
 * it must be, whenever the attacker ran:
 *  - the buffer holds the pattern (and was all zeroes, as the builder
 *    left .bss, before the witness wrote it);
 *  - every page of the builder's mapped region still maps its own frame,
 *    read-only if it is a page table and writable if not;
 *  - the M2P entry of each of its frames is still its pfn.
 *
 * It prints the runs of consecutive machine frames it owns, so that the
 * grader can tell whether the attacker's stand-in for "another domain's
 * frame" (attack.c) is one of the witness's.
 *
 * Command line: `attacker=N`, the attacker's domain id (default 1);
 * `max-yields=N`, how long to wait at most (default 1000000).
 */
#include <public/errno.h>
#include <public/sched.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/memory.h>
#include <guest/pagetable.h>
#include <guest/test.h>

/** Bytes of the watched buffer. */
#define BUFFER_SIZE (64UL << 10)

/** What byte @p i of the buffer holds once filled. */
#define PATTERN(i) ((uint8_t)((i)*31 + ((i) >> 8) + 0x5a))

/** Yields without a max-yields= option. */
#define DEFAULT_MAX_YIELDS 1000000UL

/** The watched buffer, in .bss: the builder zeroed it. */
static uint8_t buffer[BUFFER_SIZE];

/** The buffer's bytes that are not the pattern (or 0 if not @p filled). */
static unsigned long buffer_damage(bool filled)
{
    unsigned long i, wrong = 0;

    for (i = 0; i < BUFFER_SIZE; i++)
        wrong += buffer[i] != (filled ? PATTERN(i) : 0);
    return wrong;
}

/**
 * The pages of the builder's mapped region whose L1 entry is not as the
 * builder wrote it: present, mapping the page's own frame, read-only if
 * that frame is a page table and writable if not. (pt_lookup() walks the
 * builder's tables only, so a changed L4, L3 or L2 entry shows too.)
 */
static unsigned long mapping_damage(void)
{
    uintptr_t va;
    unsigned long wrong = 0;

    for (va = (uintptr_t)_image_start; va < pt_mapped_end(); va += PAGE_SIZE) {
        const uint64_t *e = pt_lookup(va, 1);
        unsigned long mfn = virt_to_mfn((const void *)va);
        bool writable = !pt_table_virt(mfn);

        wrong += !e || !(*e & _PAGE_PRESENT) || pte_mfn(*e) != mfn ||
                 !!(*e & _PAGE_RW) != writable;
    }
    return wrong;
}

/**
 * Print the runs of consecutive machine frames among its own, in pfn
 * order, as "witness: frames 0x<first>-0x<last>". @return how many
 */
static unsigned long print_runs(const struct start_info *si)
{
    unsigned long pfn, start = 0, runs = 0;

    for (pfn = 1; pfn <= si->nr_pages; pfn++) {
        if (pfn < si->nr_pages && pfn_to_mfn(pfn) == pfn_to_mfn(pfn - 1) + 1)
            continue;
        printf("witness: frames 0x%lx-0x%lx\n", pfn_to_mfn(start),
               pfn_to_mfn(pfn - 1));
        start = pfn;
        runs++;
    }
    return runs;
}

/** Domain @p id's current reservation: its frames, or -ESRCH. */
static long frames_of(domid_t id)
{
    return HYPERVISOR_memory_op(XENMEM_current_reservation, &id);
}

/**
 * Yield until domain @p id is gone, at most @p max_yields times.
 * @return the yields, or -1 if it is still there (a failed check)
 */
static long wait_until_gone(domid_t id, unsigned long max_yields)
{
    unsigned long n;
    long rc;

    for (n = 0; (rc = frames_of(id)) >= 0; n++) {
        if (!CHECK(n < max_yields, "d%u is still there after %lu yields", id,
                   n))
            return -1;
        CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
    }
    return CHECK_EQ(rc, -XEN_ESRCH) ? (long)n : -1;
}

void test_main(const struct start_info *si)
{
    unsigned long attacker = 1, max_yields = DEFAULT_MAX_YIELDS, i, runs;
    long frames, yields;
    bool intact;

    cmdline_get_ulong(si->cmd_line, "attacker", &attacker);
    cmdline_get_ulong(si->cmd_line, "max-yields", &max_yields);
    pt_init(si);
    CHECK_EQ(buffer_damage(false), 0);
    for (i = 0; i < BUFFER_SIZE; i++)
        buffer[i] = PATTERN(i);
    runs = print_runs(si);
    printf("witness: %lu frames in %lu runs; buffer at mfn 0x%lx\n",
           si->nr_pages, runs, virt_to_mfn(buffer));

    frames = frames_of((domid_t)attacker);
    if (frames >= 0)
        printf("witness: d%lu has %ld frames; waiting until it is gone\n",
               attacker, frames);
    yields = wait_until_gone((domid_t)attacker, max_yields);
    if (yields < 0)
        return;

    intact = CHECK_EQ(buffer_damage(true), 0);
    intact = CHECK_EQ(mapping_damage(), 0) && intact;
    intact = CHECK_EQ(m2p_mismatches(si), 0) && intact;
    printf("witness: d%lu gone after %ld yields; buffer (%lu bytes), page "
           "tables and M2P entries %s\n",
           attacker, yields, BUFFER_SIZE, intact ? "intact" : "CHANGED");
}
