/**
 * @file
 * @brief Xen guest ABI: the ELF notes a PV kernel carries (owner "Xen").
 *
 * A PV kernel tells the domain builder where it wants to run in notes of
 * owner "Xen" in a PT_NOTE segment or, failing that, an SHT_NOTE section.
 * Numbers are Xen's (xen/include/public/elfnote.h); the text is ours.
 */
#ifndef XEN_PUBLIC_ELFNOTE_H
#define XEN_PUBLIC_ELFNOTE_H

/** @name Note types */
/**@{*/
#define XEN_ELFNOTE_ENTRY              1  /**< virtual entry point */
#define XEN_ELFNOTE_HYPERCALL_PAGE     2  /**< virtual address of the page */
#define XEN_ELFNOTE_VIRT_BASE          3  /**< virtual base; default 0 */
#define XEN_ELFNOTE_PADDR_OFFSET       4  /**< virtual minus load address */
#define XEN_ELFNOTE_XEN_VERSION        5  /**< string, "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS           6  /**< string, the OS's name */
#define XEN_ELFNOTE_GUEST_VERSION      7  /**< string */
#define XEN_ELFNOTE_LOADER             8  /**< string, "generic" */
#define XEN_ELFNOTE_PAE_MODE           9  /**< string, 32-bit only */
#define XEN_ELFNOTE_FEATURES           10 /**< string, '|'-separated */
#define XEN_ELFNOTE_BSD_SYMTAB         11 /**< load symbols */
#define XEN_ELFNOTE_HV_START_LOW       12 /**< 32-bit only */
#define XEN_ELFNOTE_L1_MFN_VALID       13 /**< mask/value pairs */
#define XEN_ELFNOTE_SUSPEND_CANCEL     14 /**< supports suspend cancel */
#define XEN_ELFNOTE_INIT_P2M           15 /**< where to put the P2M */
#define XEN_ELFNOTE_MOD_START_PFN      16 /**< mod_start is a pfn */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17 /**< bitmap of features */
#define XEN_ELFNOTE_PHYS32_ENTRY       18 /**< PVH entry point */
/**@}*/

#endif /* XEN_PUBLIC_ELFNOTE_H */
