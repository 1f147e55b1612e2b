/**
 * @file
 * @brief Checking the M2P against the domain's own P2M. Design:
 *        guest/memory.h.
 */
#include <guest/console.h>
#include <guest/memory.h>

unsigned long m2p_mismatches(const struct start_info *si)
{
    struct xen_machphys_mapping m;
    unsigned long pfn, wrong = 0;

    if (HYPERVISOR_memory_op(XENMEM_machphys_mapping, &m)) {
        printf("m2p: XENMEM_machphys_mapping failed: the M2P is unknown\n");
        return si->nr_pages;
    }
    for (pfn = 0; pfn < si->nr_pages; pfn++) {
        unsigned long mfn = pfn_to_mfn(pfn);
        uint64_t entry = mfn <= m.max_mfn ? m2p_table()[mfn] : ~0UL;

        if (entry != pfn && !wrong++)
            printf("m2p: pfn 0x%lx is mfn 0x%lx, whose M2P entry is 0x%lx\n",
                   pfn, mfn, entry);
    }
    return wrong;
}
