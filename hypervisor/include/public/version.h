/**
 * @file
 * @brief Xen guest ABI: HYPERVISOR_xen_version(cmd, arg).
 *
 * Numbers and layouts are Xen's (its xen/include/public/); the text is ours.
 */
#ifndef XEN_PUBLIC_VERSION_H
#define XEN_PUBLIC_VERSION_H

/** @name xen_version commands */
/**@{*/
#define XENVER_version             0 /**< returns major << 16 | minor */
#define XENVER_extraversion        1 /**< arg: char[16] */
#define XENVER_compile_info        2 /**< arg: struct xen_compile_info */
#define XENVER_capabilities        3 /**< arg: char[1024] */
#define XENVER_changeset           4 /**< arg: char[64] */
#define XENVER_platform_parameters 5 /**< arg: xen_platform_parameters */
#define XENVER_get_features        6 /**< arg: struct xen_feature_info */
#define XENVER_pagesize            7 /**< returns the page size */
/**@}*/

#ifndef __ASSEMBLER__
#include <stdint.h>

/** XENVER_extraversion's buffer, e.g. "-hospes". */
typedef char xen_extraversion_t[16];
/** XENVER_capabilities' buffer, e.g. "xen-3.0-x86_64". */
typedef char xen_capabilities_info_t[1024];
/** XENVER_changeset's buffer. */
typedef char xen_changeset_info_t[64];

/** XENVER_compile_info's answer. */
struct xen_compile_info {
    char compiler[64];       /**< the compiler */
    char compile_by[16];     /**< who built it */
    char compile_domain[32]; /**< where */
    char compile_date[32];   /**< when */
};
_Static_assert(sizeof(struct xen_compile_info) == 144, "compile_info");

/** XENVER_platform_parameters' answer. */
struct xen_platform_parameters {
    uint64_t virt_start; /**< where the hypervisor's reserved area starts */
};

/** XENVER_get_features: the guest names a word, the hypervisor fills it. */
struct xen_feature_info {
    uint32_t submap_idx; /**< which 32-bit word of the feature map */
    uint32_t submap;     /**< out: its bits, XENFEAT_* */
};
_Static_assert(sizeof(struct xen_feature_info) == 8, "feature_info");
#endif

/** @name Feature bits (XENVER_get_features, word 0) */
/**@{*/
#define XENFEAT_writable_page_tables       0  /**< not offered */
#define XENFEAT_writable_descriptor_tables 1  /**< not offered */
#define XENFEAT_auto_translated_physmap    2  /**< HVM-style physmap */
#define XENFEAT_supervisor_mode_kernel     3  /**< not offered */
#define XENFEAT_pae_pgdir_above_4gb        4  /**< 32-bit only */
#define XENFEAT_mmu_pt_update_preserve_ad  5  /**< keep A/D bits */
#define XENFEAT_gnttab_map_avail_bits      7  /**< grant map flags */
#define XENFEAT_dom0                       11 /**< this is dom0 */
/**@}*/

#endif /* XEN_PUBLIC_VERSION_H */
