/**
 * @file
 * @brief Xen guest ABI, core: hypercall numbers, domain ids, start_info,
 *        shared_info and vcpu_info.
 *
 * Every number and layout here is Xen's for x86-64 (Xen's xen/include/public/),
 * so a PV kernel written for Xen boots on Hospes and a Hospes guest boots
 * on Xen; the text is our own. Each offset the ABI fixes is checked below
 * at compile time. The public headers are the only hypervisor headers that
 * guest/ and toolstack/ include; they need only the compiler's own
 * <stdint.h> and <stddef.h>.
 *
 * Calling convention (PV, x86-64): number in RAX, arguments in RDI, RSI,
 * RDX, R10, R8, result in RAX: 0 or more on success, a negated XEN_E*
 * (public/errno.h) on failure.
 */
#ifndef XEN_PUBLIC_XEN_H
#define XEN_PUBLIC_XEN_H

#include "arch-x86.h"

/** @name Hypercall numbers */
/**@{*/
#define __HYPERVISOR_set_trap_table 0 /**< register exception handlers */
#define __HYPERVISOR_mmu_update     1 /**< write page-table entries */
#define __HYPERVISOR_set_gdt        2 /**< install a GDT */
#define __HYPERVISOR_stack_switch   3 /**< set the kernel stack */
#define __HYPERVISOR_set_callbacks                                             \
    4 /**< register event/failsafe/syscall entries */
#define __HYPERVISOR_fpu_taskswitch    5  /**< set or clear CR0.TS */
#define __HYPERVISOR_platform_op       7  /**< dom0 platform control */
#define __HYPERVISOR_update_descriptor 10 /**< write one descriptor */
#define __HYPERVISOR_memory_op         12 /**< reservations, physmap */
#define __HYPERVISOR_multicall         13 /**< several hypercalls at once */
#define __HYPERVISOR_update_va_mapping 14 /**< map one page */
#define __HYPERVISOR_set_timer_op      15 /**< one-shot timer */
#define __HYPERVISOR_xen_version       17 /**< version and features */
#define __HYPERVISOR_console_io        18 /**< hypervisor console */
#define __HYPERVISOR_grant_table_op    20 /**< grant tables */
#define __HYPERVISOR_vm_assist         21 /**< optional behaviours */
#define __HYPERVISOR_iret              23 /**< return from an exception */
#define __HYPERVISOR_vcpu_op           24 /**< vCPU control */
#define __HYPERVISOR_set_segment_base  25 /**< FS and GS bases */
#define __HYPERVISOR_mmuext_op         26 /**< pin, baseptr, flushes */
#define __HYPERVISOR_xsm_op            27 /**< security modules */
#define __HYPERVISOR_sched_op          29 /**< yield, block, shutdown */
#define __HYPERVISOR_callback_op       30 /**< register callbacks */
#define __HYPERVISOR_event_channel_op  32 /**< event channels */
#define __HYPERVISOR_physdev_op        33 /**< physical devices */
#define __HYPERVISOR_hvm_op            34 /**< HVM parameters */
#define __HYPERVISOR_sysctl            35 /**< system control (dom0) */
#define __HYPERVISOR_domctl            36 /**< domain control (dom0) */
/** Hypercalls numbers are below this: one 32-byte stub each in the page. */
#define NR_HYPERCALLS 64
/**@}*/

/** @name HYPERVISOR_console_io() commands */
/**@{*/
#define CONSOLEIO_write 0 /**< write count bytes from buffer */
#define CONSOLEIO_read  1 /**< read into buffer (dom0 only) */
/**@}*/

/** @name HYPERVISOR_vm_assist() commands and types */
/**@{*/
#define VMASST_CMD_enable                0  /**< turn an assist on */
#define VMASST_CMD_disable               1  /**< turn it off */
#define VMASST_TYPE_4gb_segments         0  /**< 32-bit guests only */
#define VMASST_TYPE_4gb_segments_notify  1  /**< 32-bit guests only */
#define VMASST_TYPE_writable_pagetables  2  /**< emulate page-table writes */
#define VMASST_TYPE_pae_extended_cr3     3  /**< 32-bit guests only */
#define VMASST_TYPE_architectural_iopl   4  /**< IOPL as hardware has it */
#define VMASST_TYPE_runstate_update_flag 5  /**< runstate update bit */
#define VMASST_TYPE_m2p_strict           32 /**< strict M2P in user mode */
/**@}*/

/** @name Special domain ids */
/**@{*/
#define DOMID_FIRST_RESERVED 0x7FF0 /**< ids from here on are special */
#define DOMID_SELF           0x7FF0 /**< the calling domain */
#define DOMID_IO             0x7FF1 /**< owner of I/O memory */
#define DOMID_XEN            0x7FF2 /**< owner of hypervisor memory */
#define DOMID_COW            0x7FF3 /**< copy-on-write pages */
#define DOMID_INVALID        0x7FF4 /**< no domain */
#define DOMID_IDLE           0x7FFF /**< the idle domain */
/**@}*/

/** @name mmu_update: the command in the low 2 bits of ptr */
/**@{*/
#define MMU_NORMAL_PT_UPDATE       0 /**< ptr: machine address of a PTE */
#define MMU_MACHPHYS_UPDATE        1 /**< ptr: mfn << 12; val: its pfn */
#define MMU_PT_UPDATE_PRESERVE_AD  2 /**< as NORMAL, keep accessed/dirty */
#define MMU_PT_UPDATE_NO_TRANSLATE 3 /**< as NORMAL, for translated guests */
/**@}*/

/** @name mmuext_op commands */
/**@{*/
#define MMUEXT_PIN_L1_TABLE     0  /**< arg1.mfn: validate and pin an L1 */
#define MMUEXT_PIN_L2_TABLE     1  /**< ... an L2 */
#define MMUEXT_PIN_L3_TABLE     2  /**< ... an L3 */
#define MMUEXT_PIN_L4_TABLE     3  /**< ... an L4 */
#define MMUEXT_UNPIN_TABLE      4  /**< arg1.mfn: drop the pin */
#define MMUEXT_NEW_BASEPTR      5  /**< arg1.mfn: switch to this L4 */
#define MMUEXT_TLB_FLUSH_LOCAL  6  /**< flush this vCPU's TLB */
#define MMUEXT_INVLPG_LOCAL     7  /**< arg1.linear_addr: one page */
#define MMUEXT_TLB_FLUSH_MULTI  8  /**< arg2.vcpumask: their TLBs */
#define MMUEXT_INVLPG_MULTI     9  /**< one page on arg2.vcpumask */
#define MMUEXT_TLB_FLUSH_ALL    10 /**< every vCPU's TLB */
#define MMUEXT_INVLPG_ALL       11 /**< one page on every vCPU */
#define MMUEXT_FLUSH_CACHE      12 /**< wbinvd (privileged) */
#define MMUEXT_SET_LDT          13 /**< arg1.linear_addr, arg2.nr_ents */
#define MMUEXT_NEW_USER_BASEPTR 15 /**< arg1.mfn: user-mode L4 */
/**@}*/

/** @name update_va_mapping flags */
/**@{*/
#define UVMF_NONE           0 /**< no flush */
#define UVMF_TLB_FLUSH      1 /**< flush the whole TLB */
#define UVMF_INVLPG         2 /**< flush this one page */
#define UVMF_FLUSHTYPE_MASK 3 /**< which of the above */
#define UVMF_MULTI          0 /**< flush on the vCPUs of a mask in flags */
#define UVMF_LOCAL          0 /**< flush on this vCPU */
#define UVMF_ALL            4 /**< flush on all the domain's vCPUs */
/**@}*/

#ifndef __ASSEMBLER__

/** A frame number (machine or pseudo-physical) in the ABI. */
typedef xen_ulong_t xen_pfn_t;

/** One request of HYPERVISOR_mmu_update(). */
struct mmu_update {
    uint64_t ptr; /**< address of the entry, command in bits 0-1 */
    uint64_t val; /**< the new entry (or pfn, for MACHPHYS) */
};
_Static_assert(sizeof(struct mmu_update) == 16, "mmu_update");

/** One request of HYPERVISOR_mmuext_op(). */
struct mmuext_op {
    uint32_t cmd; /**< MMUEXT_* */
    uint32_t pad; /**< unused */
    union {
        xen_pfn_t mfn;           /**< pin, unpin, baseptr */
        xen_ulong_t linear_addr; /**< invlpg, set_ldt */
    } arg1;                      /**< first argument */
    union {
        uint32_t nr_ents;  /**< set_ldt */
        uint64_t vcpumask; /**< *_MULTI: guest address of a bitmap */
        xen_pfn_t src_mfn; /**< copy_page */
    } arg2;                /**< second argument */
};
_Static_assert(sizeof(struct mmuext_op) == 24, "mmuext_op size");
_Static_assert(offsetof(struct mmuext_op, arg1) == 8, "mmuext_op.arg1");
_Static_assert(offsetof(struct mmuext_op, arg2) == 16, "mmuext_op.arg2");

/** One call of HYPERVISOR_multicall(): op, result, up to 6 arguments. */
struct multicall_entry {
    xen_ulong_t op;      /**< hypercall number */
    xen_ulong_t result;  /**< its result, written back */
    xen_ulong_t args[6]; /**< its arguments */
};
_Static_assert(sizeof(struct multicall_entry) == 64, "multicall_entry");

/** A domain id. */
typedef uint16_t domid_t;

/**
 * The time information of one vCPU: system time (ns since boot) at the
 * last update and how to extrapolate it from the TSC (lab 6).
 */
struct vcpu_time_info {
    uint32_t version;           /**< odd while the hypervisor updates */
    uint32_t pad0;              /**< unused */
    uint64_t tsc_timestamp;     /**< TSC at the update */
    uint64_t system_time;       /**< ns since boot at the update */
    uint32_t tsc_to_system_mul; /**< ns per TSC tick, 32.32 fixed point */
    int8_t tsc_shift;           /**< shift the TSC delta by this first */
    uint8_t flags;              /**< XEN_PVCLOCK_* */
    uint8_t pad1[2];            /**< unused */
};
_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info");

/** What one vCPU shares with the hypervisor (64 bytes, in shared_info). */
struct vcpu_info {
    uint8_t evtchn_upcall_pending;  /**< an event waits (lab 6) */
    uint8_t evtchn_upcall_mask;     /**< events masked: the guest's IF */
    uint8_t pad0[6];                /**< unused */
    xen_ulong_t evtchn_pending_sel; /**< which words of the bitmap */
    struct arch_vcpu_info arch;     /**< cr2 of the last page fault bounced */
    struct vcpu_time_info time;     /**< this vCPU's clock */
};
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info size");
_Static_assert(offsetof(struct vcpu_info, evtchn_upcall_mask) == 1, "mask");
_Static_assert(offsetof(struct vcpu_info, evtchn_pending_sel) == 8, "sel");
_Static_assert(offsetof(struct vcpu_info, arch.cr2) == 16, "cr2");
_Static_assert(offsetof(struct vcpu_info, time.version) == 32, "time");
_Static_assert(offsetof(struct vcpu_info, time.tsc_timestamp) == 40, "tsc");
_Static_assert(offsetof(struct vcpu_info, time.system_time) == 48, "systime");
_Static_assert(offsetof(struct vcpu_info, time.tsc_to_system_mul) == 56, "mul");
_Static_assert(offsetof(struct vcpu_info, time.tsc_shift) == 60, "shift");

/** vCPUs whose vcpu_info is in shared_info. */
#define XEN_LEGACY_MAX_VCPUS 32

/** The page every domain shares with the hypervisor. */
struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS]; /**< one per vCPU */
    xen_ulong_t evtchn_pending[64]; /**< 2-level event channels: pending */
    xen_ulong_t evtchn_mask[64];    /**< 2-level event channels: masked */
    uint32_t wc_version;            /**< odd while the wall clock changes */
    uint32_t wc_sec;                /**< wall clock at boot: seconds */
    uint32_t wc_nsec;               /**< wall clock at boot: nanoseconds */
    uint32_t wc_sec_hi;             /**< seconds, upper 32 bits */
    struct arch_shared_info arch;   /**< max_pfn and friends */
};
_Static_assert(offsetof(struct shared_info, evtchn_pending) == 2048, "pend");
_Static_assert(offsetof(struct shared_info, evtchn_mask) == 2560, "mask");
_Static_assert(offsetof(struct shared_info, wc_version) == 3072, "wc_ver");
_Static_assert(offsetof(struct shared_info, wc_sec) == 3076, "wc_sec");
_Static_assert(offsetof(struct shared_info, wc_nsec) == 3080, "wc_nsec");
_Static_assert(offsetof(struct shared_info, arch.max_pfn) == 3088, "max_pfn");
_Static_assert(sizeof(struct shared_info) <= 4096, "one page");

/** start_info.magic of a 64-bit PV guest. */
#define XEN_START_INFO_MAGIC "xen-3.0-x86_64"
/** Size of start_info.cmd_line. */
#define MAX_GUEST_CMDLINE 1024

/**
 * What a PV guest finds at RSI when it starts: its memory, where things
 * are, its command line. All addresses are guest virtual unless named
 * machine (mfn, maddr).
 */
struct start_info {
    char magic[32];        /**< XEN_START_INFO_MAGIC */
    uint64_t nr_pages;     /**< frames the domain has */
    uint64_t shared_info;  /**< machine address of its shared_info */
    uint32_t flags;        /**< SIF_* */
    uint32_t pad0;         /**< unused */
    xen_ulong_t store_mfn; /**< XenStore ring frame (lab 8) */
    uint32_t store_evtchn; /**< XenStore event channel (lab 8) */
    uint32_t pad1;         /**< unused */
    union {
        struct {
            xen_ulong_t mfn; /**< console ring frame */
            uint32_t evtchn; /**< console event channel */
            uint32_t pad;    /**< unused */
        } domU;              /**< a domU's console ring */
        struct {
            uint32_t info_off;  /**< console info offset in start_info */
            uint32_t info_size; /**< its size */
        } dom0;                 /**< dom0's console information */
    } console;                  /**< the console */
    uint64_t pt_base;           /**< virtual address of the top page table */
    uint64_t nr_pt_frames;      /**< frames of initial page tables */
    uint64_t mfn_list;          /**< virtual address of the P2M list */
    uint64_t mod_start;         /**< virtual address of the module (initrd) */
    uint64_t mod_len;           /**< its length in bytes */
    char cmd_line[MAX_GUEST_CMDLINE]; /**< the guest's command line */
    uint64_t first_p2m_pfn;           /**< unused: 0 */
    uint64_t nr_p2m_frames;           /**< unused: 0 */
};
_Static_assert(sizeof(struct start_info) == 1168, "start_info size");
_Static_assert(offsetof(struct start_info, nr_pages) == 32, "nr_pages");
_Static_assert(offsetof(struct start_info, shared_info) == 40, "shared_info");
_Static_assert(offsetof(struct start_info, flags) == 48, "flags");
_Static_assert(offsetof(struct start_info, store_mfn) == 56, "store_mfn");
_Static_assert(offsetof(struct start_info, store_evtchn) == 64, "store_ev");
_Static_assert(offsetof(struct start_info, console.domU.mfn) == 72, "con");
_Static_assert(offsetof(struct start_info, console.domU.evtchn) == 80, "cev");
_Static_assert(offsetof(struct start_info, pt_base) == 88, "pt_base");
_Static_assert(offsetof(struct start_info, nr_pt_frames) == 96, "nr_pt");
_Static_assert(offsetof(struct start_info, mfn_list) == 104, "mfn_list");
_Static_assert(offsetof(struct start_info, mod_start) == 112, "mod_start");
_Static_assert(offsetof(struct start_info, mod_len) == 120, "mod_len");
_Static_assert(offsetof(struct start_info, cmd_line) == 128, "cmd_line");
_Static_assert(offsetof(struct start_info, first_p2m_pfn) == 1152, "p2m");
_Static_assert(offsetof(struct start_info, nr_p2m_frames) == 1160, "nr_p2m");

/** @name start_info.flags */
/**@{*/
#define SIF_PRIVILEGED 1 /**< may use privileged hypercalls */
#define SIF_INITDOMAIN 2 /**< is the initial control domain (dom0) */
/**@}*/

#endif /* __ASSEMBLER__ */

#endif /* XEN_PUBLIC_XEN_H */
