/**
 * @file
 * @brief Xen guest ABI, x86-64 part: address layout, selectors, trap
 *        table entries, the iret frame, the arch parts of vcpu_info and
 *        shared_info.
 *
 * Numbers and layouts are Xen's (its xen/include/public/); the text is ours.
 * Included by public/xen.h; guests include that.
 */
#ifndef XEN_PUBLIC_ARCH_X86_H
#define XEN_PUBLIC_ARCH_X86_H

/** @name The hypervisor's part of every address space (PML4 slots 256-271) */
/**@{*/
#define HYPERVISOR_VIRT_START 0xFFFF800000000000UL /**< first reserved byte */
#define HYPERVISOR_VIRT_END   0xFFFF880000000000UL /**< first byte after */
/** The read-only machine-to-phys table, readable by guests (lab 5). */
#define MACH2PHYS_VIRT_START 0xFFFF800000000000UL
/**@}*/

/**
 * @name Flat selectors of a PV guest's kernel (which runs in ring 3)
 *
 * They live in GDT entries 7168 and up (GDT pages 14 and 15), which the
 * hypervisor reserves. RPL 3: the guest kernel runs in ring 3.
 */
/**@{*/
#define FLAT_RING3_CS32 0xe023          /**< 32-bit code */
#define FLAT_RING3_SS32 0xe02b          /**< 32-bit stack */
#define FLAT_RING3_DS32 0xe02b          /**< 32-bit data */
#define FLAT_RING3_CS64 0xe033          /**< 64-bit code */
#define FLAT_RING3_SS64 0xe02b          /**< 64-bit stack */
#define FLAT_RING3_DS64 0x0000          /**< 64-bit data: the null selector */
#define FLAT_KERNEL_CS  FLAT_RING3_CS64 /**< the guest kernel's code */
#define FLAT_KERNEL_SS  FLAT_RING3_SS64 /**< the guest kernel's stack */
#define FLAT_KERNEL_DS  FLAT_RING3_DS64 /**< the guest kernel's data */
#define FLAT_USER_CS    FLAT_RING3_CS64 /**< guest user code */
#define FLAT_USER_SS    FLAT_RING3_SS64 /**< guest user stack */
/** First GDT page the hypervisor reserves: a guest's GDT has at most 14. */
#define FIRST_RESERVED_GDT_PAGE 14
/** First GDT entry the hypervisor reserves (byte offset 0xe000). */
#define FIRST_RESERVED_GDT_ENTRY 7168
/**@}*/

/**
 * The first CPUID leaf of the hypervisor's range: "XenVMMXenVMM" in
 * EBX, ECX, EDX and the last leaf in EAX. A PV guest reaches it through
 * the forced-emulation prefix `ud2; .ascii "xen"; cpuid`.
 */
#define XEN_CPUID_FIRST_LEAF 0x40000000

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/** A guest-sized unsigned long in the ABI (64 bits here). */
typedef uint64_t xen_ulong_t;

/**
 * One entry of the table given to HYPERVISOR_set_trap_table(): the
 * guest's handler for one vector. The table ends with address 0.
 */
struct trap_info {
    uint8_t vector;   /**< exception vector (0-255) */
    uint8_t flags;    /**< bits 0-1: lowest ring allowed to `int n`;
                           bit 2: mask events on entry (TI_SET_IF) */
    uint16_t cs;      /**< code selector of the handler */
    uint32_t pad;     /**< zero */
    uint64_t address; /**< handler address; 0 ends the table */
};
_Static_assert(sizeof(struct trap_info) == 16, "trap_info size");
_Static_assert(offsetof(struct trap_info, address) == 8, "trap_info.address");

/** @name trap_info flags */
/**@{*/
#define TI_GET_DPL(ti) ((ti)->flags & 3) /**< ring allowed to `int n` */
#define TI_GET_IF(ti)  ((ti)->flags & 4) /**< mask events on entry */
/**@}*/

/**
 * What the `iret` hypercall pops from the guest stack: the stub pushed
 * rax, r11 and rcx; the guest pushed flags and a hardware iret frame.
 */
struct iret_context {
    uint64_t rax;    /**< restored */
    uint64_t r11;    /**< restored unless VGCF_in_syscall */
    uint64_t rcx;    /**< restored unless VGCF_in_syscall */
    uint64_t flags;  /**< VGCF_in_syscall or 0 */
    uint64_t rip;    /**< where to return */
    uint64_t cs;     /**< the guest's code selector */
    uint64_t rflags; /**< flags to restore */
    uint64_t rsp;    /**< stack to restore */
    uint64_t ss;     /**< stack selector */
};
_Static_assert(sizeof(struct iret_context) == 72, "iret_context size");

/** iret_context.flags: returning from a system call (rcx, r11 clobbered). */
#define VGCF_in_syscall (1 << 8)

/** The x86 part of vcpu_info. */
struct arch_vcpu_info {
    uint64_t cr2; /**< faulting address of the last page fault bounced */
    uint64_t pad; /**< unused */
};
_Static_assert(sizeof(struct arch_vcpu_info) == 16, "arch_vcpu_info size");

/** The x86 part of shared_info. */
struct arch_shared_info {
    uint64_t max_pfn;                    /**< the P2M's size in frames */
    uint64_t pfn_to_mfn_frame_list_list; /**< for save/restore (lab 11) */
    uint64_t nmi_reason;                 /**< unused */
    uint64_t p2m_cr3;                    /**< unused */
    uint64_t p2m_vaddr;                  /**< unused */
    uint64_t p2m_generation;             /**< unused */
};
_Static_assert(sizeof(struct arch_shared_info) == 48, "arch_shared_info");

/** @name HYPERVISOR_set_segment_base() targets */
/**@{*/
#define SEGBASE_FS          0 /**< the FS base */
#define SEGBASE_GS_USER     1 /**< the GS base of guest user mode */
#define SEGBASE_GS_KERNEL   2 /**< the GS base of the guest kernel */
#define SEGBASE_GS_USER_SEL 3 /**< load a user GS selector */
/**@}*/
#endif /* __ASSEMBLER__ */

#endif /* XEN_PUBLIC_ARCH_X86_H */
