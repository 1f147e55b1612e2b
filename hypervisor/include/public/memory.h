/**
 * @file
 * @brief Xen guest ABI: HYPERVISOR_memory_op(cmd, arg): reservations,
 *        the memory map, the machine-to-phys table's place.
 *
 * Numbers and layouts are Xen's (its xen/include/public/memory.h); the
 * text is ours.
 */
#ifndef XEN_PUBLIC_MEMORY_H
#define XEN_PUBLIC_MEMORY_H

#include "xen.h"

/** @name memory_op commands */
/**@{*/
#define XENMEM_increase_reservation 0  /**< arg: xen_memory_reservation */
#define XENMEM_decrease_reservation 1  /**< arg: xen_memory_reservation */
#define XENMEM_maximum_ram_page     2  /**< returns the highest mfn */
#define XENMEM_current_reservation  3  /**< arg: domid_t *: its frames */
#define XENMEM_maximum_reservation  4  /**< arg: domid_t *: its limit */
#define XENMEM_populate_physmap     6  /**< arg: xen_memory_reservation */
#define XENMEM_add_to_physmap       7  /**< translated guests (lab 10) */
#define XENMEM_memory_map           9  /**< arg: xen_memory_map */
#define XENMEM_machine_memory_map   10 /**< arg: xen_memory_map (dom0) */
#define XENMEM_machphys_mapping     12 /**< arg: xen_machphys_mapping */
/**@}*/

#ifndef __ASSEMBLER__

/** increase/decrease_reservation and populate_physmap. */
struct xen_memory_reservation {
    uint64_t extent_start;  /**< guest address of an array of frames */
    xen_ulong_t nr_extents; /**< entries in it */
    uint32_t extent_order;  /**< 2^order frames per extent */
    uint32_t mem_flags;     /**< address bits and the like */
    domid_t domid;          /**< DOMID_SELF, or a domain (dom0) */
};
_Static_assert(sizeof(struct xen_memory_reservation) == 32, "reservation");
_Static_assert(offsetof(struct xen_memory_reservation, nr_extents) == 8,
               "nr_extents");
_Static_assert(offsetof(struct xen_memory_reservation, extent_order) == 16,
               "extent_order");
_Static_assert(offsetof(struct xen_memory_reservation, domid) == 24, "domid");

/** XENMEM_machphys_mapping: where the read-only M2P table is. */
struct xen_machphys_mapping {
    xen_ulong_t v_start; /**< its first byte */
    xen_ulong_t v_end;   /**< one past its last */
    xen_ulong_t max_mfn; /**< the highest mfn it covers */
};
_Static_assert(sizeof(struct xen_machphys_mapping) == 24, "machphys");

/** XENMEM_memory_map: an e820-style map, nr_entries in and out. */
struct xen_memory_map {
    uint32_t nr_entries; /**< room in buffer; entries written */
    uint32_t pad;        /**< unused */
    uint64_t buffer;     /**< guest address of the entries */
};
_Static_assert(sizeof(struct xen_memory_map) == 16, "memory_map");

/** One entry of an e820 memory map (20 bytes, packed). */
struct __attribute__((packed)) e820entry {
    uint64_t addr; /**< first byte */
    uint64_t size; /**< length */
    uint32_t type; /**< E820_RAM and friends */
};
_Static_assert(sizeof(struct e820entry) == 20, "e820entry");

/** e820 type of usable RAM. */
#define E820_RAM 1
#endif

#endif /* XEN_PUBLIC_MEMORY_H */
