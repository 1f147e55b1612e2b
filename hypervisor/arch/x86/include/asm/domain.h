/**
 * @file
 * @brief The x86 parts of a vCPU and a domain (PV guests).
 *
 * Lab 4 (labs/04-pv-domains/README.md). Design page: docs/pv-guests.md.
 * Common code sees these only as pointers (hospes/domain.h).
 */
#ifndef ASM_DOMAIN_H
#define ASM_DOMAIN_H

#include <asm/regs.h>
#include <hospes/domain.h>
#include <hospes/spinlock.h>
#include <public/xen.h>

/** Size of the fxsave area: x87, MMX and SSE state. */
#define FXSAVE_SIZE 512
/** fxsave area: MXCSR's offset. */
#define FXSAVE_MXCSR 24
/**
 * The MXCSR bits every CPU with SSE accepts (the architectural default
 * mask: all but DAZ). fxrstor of any other raises \#GP, in the hypervisor:
 * a guest's MXCSR is masked with it before it is ever loaded.
 */
#define MXCSR_SAFE_MASK 0xffbf

/** The entry points a PV guest registers (set_callbacks, callback_op). */
struct pv_callbacks {
    uint64_t event;    /**< event upcalls (lab 6) */
    uint64_t failsafe; /**< a return to the guest that failed */
    uint64_t syscall;  /**< `syscall` from guest user mode */
    uint64_t nmi;      /**< NMIs */
};

/** The x86 state of a PV vCPU that is kept while it does not run. */
struct arch_vcpu {
    /** The guest's registers when it is not running. */
    struct cpu_user_regs user_regs;
    /** Its exception handlers (set_trap_table), one per vector. */
    struct trap_info trap_ctxt[256];
    /** Its callbacks. */
    struct pv_callbacks callbacks;
    uint64_t kernel_ss;      /**< kernel stack for user-mode traps */
    uint64_t kernel_sp;      /**< (stack_switch) */
    uint64_t fs_base;        /**< its FS base */
    uint64_t gs_base_kernel; /**< its GS base in kernel mode */
    uint64_t gs_base_user;   /**< its GS base in user mode */
    uint64_t cr2; /**< its virtual CR2: the last page fault bounced */
    /** Its top-level page table (its CR3), held with an L4 type ref. */
    mfn_t guest_table;
    /** Its user-mode L4 (mmuext_op NEW_USER_BASEPTR), held the same way,
     *  or INVALID_MFN_RAW. Kept for Xen's ABI: Hospes has no guest user
     *  mode to switch to yet. */
    mfn_t guest_table_user;
    /** Its own GDT's frames (set_gdt), each held with a descriptor-page
     *  type reference... */
    mfn_t gdt_frames[FIRST_RESERVED_GDT_PAGE];
    /** ...and its number of entries (0: none). */
    unsigned int gdt_ents;
    /** The guest frame its vcpu_info moved to (VCPUOP_register_vcpu_info),
     *  held with a writable type reference, or INVALID_MFN_RAW. */
    mfn_t vcpu_info_mfn;
    bool fpu_ts; /**< its virtual CR0.TS (fpu_taskswitch) */
    /** Exceptions bounced since its last `iret`: a guest that faults in
     *  its own handler again and again is stopped. */
    unsigned int bounce_depth;
    /** Its x87/SSE registers (fxsave format). */
    uint8_t fpu[FXSAVE_SIZE] __aligned(16);
};

/** The x86 state of a PV domain. */
struct arch_domain {
    /** Orders every change to its page tables and their types. */
    spinlock_t page_lock;
};

#endif /* ASM_DOMAIN_H */
