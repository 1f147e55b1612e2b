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

/**
 * A vCPU's registers as VCPUOP_initialise takes them: Xen's struct
 * cpu_user_regs, x86-64 layout, renamed, since inside the hypervisor that
 * name is Hospes's own exception frame (asm/regs.h), laid out otherwise.
 * Selectors are 16 bits, each padded to 64; saved_upcall_mask is Xen's and
 * unused by Hospes.
 */
struct xen_cpu_user_regs {
    uint64_t r15;              /**< r15 */
    uint64_t r14;              /**< r14 */
    uint64_t r13;              /**< r13 */
    uint64_t r12;              /**< r12 */
    uint64_t rbp;              /**< rbp */
    uint64_t rbx;              /**< rbx */
    uint64_t r11;              /**< r11 */
    uint64_t r10;              /**< r10 */
    uint64_t r9;               /**< r9 */
    uint64_t r8;               /**< r8 */
    uint64_t rax;              /**< rax */
    uint64_t rcx;              /**< rcx */
    uint64_t rdx;              /**< rdx */
    uint64_t rsi;              /**< rsi */
    uint64_t rdi;              /**< rdi: a C function's first argument */
    uint32_t error_code;       /**< unused on VCPUOP_initialise */
    uint32_t entry_vector;     /**< unused on VCPUOP_initialise */
    uint64_t rip;              /**< where the vCPU starts */
    uint16_t cs;               /**< its code selector (RPL 3 forced) */
    uint16_t pad0;             /**< zero */
    uint8_t saved_upcall_mask; /**< unused */
    uint8_t pad1[3];           /**< zero */
    uint64_t rflags;           /**< its flags (IF set, IOPL 0, forced) */
    uint64_t rsp;              /**< its stack */
    uint16_t ss;               /**< its stack selector (RPL 3 forced) */
    uint16_t pad2[3];          /**< zero */
    uint16_t es;               /**< unused by a 64-bit guest */
    uint16_t pad3[3];          /**< zero */
    uint16_t ds;               /**< unused by a 64-bit guest */
    uint16_t pad4[3];          /**< zero */
    uint16_t fs;               /**< unused: fs_base sets the base */
    uint16_t pad5[3];          /**< zero */
    uint16_t gs;               /**< unused: gs_base_* set the bases */
    uint16_t pad6[3];          /**< zero */
};
_Static_assert(sizeof(struct xen_cpu_user_regs) == 200, "cpu_user_regs size");
_Static_assert(offsetof(struct xen_cpu_user_regs, rip) == 128, "user_regs.rip");

/** @name vcpu_guest_context flags (Xen's) */
/**@{*/
#define VGCF_i387_valid               (1 << 0) /**< fpu_ctxt holds state */
#define VGCF_in_kernel                (1 << 2) /**< starts in kernel mode */
#define VGCF_failsafe_disables_events (1 << 3) /**< unused by Hospes */
#define VGCF_syscall_disables_events  (1 << 4) /**< unused by Hospes */
#define VGCF_online                   (1 << 5) /**< unused by Hospes */
/**@}*/

/**
 * The state a PV vCPU starts from: VCPUOP_initialise's argument (Xen's
 * struct vcpu_guest_context, x86-64 layout, 5168 bytes). Hospes reads
 * the registers, trap table, GDT, kernel stack, CR3 (ctrlreg[3]: the
 * L4's machine frame << 12), callbacks and segment bases; an LDT or a
 * debug register must be 0, a user page table (ctrlreg[1]) 0.
 */
struct vcpu_guest_context {
    uint8_t fpu_ctxt[512];              /**< fxsave image, if VGCF_i387_valid */
    uint64_t flags;                     /**< VGCF_* */
    struct xen_cpu_user_regs user_regs; /**< its registers */
    struct trap_info trap_ctxt[256]; /**< its trap table, as set_trap_table */
    uint64_t ldt_base;               /**< its LDT: Hospes has none (0) */
    uint64_t ldt_ents;               /**< (0) */
    uint64_t gdt_frames[16];         /**< its GDT's frames, as set_gdt */
    uint64_t gdt_ents;               /**< entries in them (0: none) */
    uint64_t kernel_ss;              /**< as stack_switch (or 0) */
    uint64_t kernel_sp;              /**< as stack_switch */
    uint64_t ctrlreg[8];             /**< [3]: its L4's MFN << 12 */
    uint64_t debugreg[8];            /**< must be 0 */
    uint64_t event_callback_eip;     /**< as set_callbacks */
    uint64_t failsafe_callback_eip;  /**< as set_callbacks */
    uint64_t syscall_callback_eip;   /**< as set_callbacks */
    uint64_t vm_assist;              /**< ignored: vm_assist is per domain */
    uint64_t fs_base;                /**< its FS base */
    uint64_t gs_base_kernel;         /**< its GS base in kernel mode */
    uint64_t gs_base_user;           /**< its GS base in user mode */
};
_Static_assert(sizeof(struct vcpu_guest_context) == 5168, "vcpu_guest_context");
_Static_assert(offsetof(struct vcpu_guest_context, trap_ctxt) == 720,
               "vcpu_guest_context.trap_ctxt");
_Static_assert(offsetof(struct vcpu_guest_context, ctrlreg) == 4984,
               "vcpu_guest_context.ctrlreg");
_Static_assert(offsetof(struct vcpu_guest_context, event_callback_eip) == 5112,
               "vcpu_guest_context.event_callback_eip");

/** @name HYPERVISOR_set_segment_base() targets */
/**@{*/
#define SEGBASE_FS          0 /**< the FS base */
#define SEGBASE_GS_USER     1 /**< the GS base of guest user mode */
#define SEGBASE_GS_KERNEL   2 /**< the GS base of the guest kernel */
#define SEGBASE_GS_USER_SEL 3 /**< load a user GS selector */
/**@}*/
#endif /* __ASSEMBLER__ */

#endif /* XEN_PUBLIC_ARCH_X86_H */
