/**
 * @file
 * @brief Architectural constants of x86-64: control registers, MSRs, page
 *        table bits. Shared by C and (through asm-offsets.inc) NASM.
 */
#ifndef ASM_X86_DEFS_H
#define ASM_X86_DEFS_H

#include <hospes/page.h>

/** @name CR0 bits */
/**@{*/
#define X86_CR0_PE (1 << 0)   /**< protected mode */
#define X86_CR0_MP (1 << 1)   /**< wait/fwait honour TS */
#define X86_CR0_ET (1 << 4)   /**< x87 present (always 1) */
#define X86_CR0_TS (1 << 3)   /**< task switched: next FPU use faults */
#define X86_CR0_NE (1 << 5)   /**< x87 errors as exceptions */
#define X86_CR0_WP (1 << 16)  /**< honour read-only pages in ring 0 */
#define X86_CR0_PG (1u << 31) /**< paging */
/**@}*/

/** @name CR4 bits */
/**@{*/
#define X86_CR4_PAE        (1 << 5)  /**< 64-bit page table entries */
#define X86_CR4_PGE        (1 << 7)  /**< honour _PAGE_GLOBAL */
#define X86_CR4_OSFXSR     (1 << 9)  /**< fxsave/fxrstor and SSE */
#define X86_CR4_OSXMMEXCPT (1 << 10) /**< SSE errors as SIMD exceptions */
/**@}*/

/** @name MSRs */
/**@{*/
#define MSR_EFER    0xc0000080 /**< extended features */
#define EFER_SCE    (1 << 0)   /**< syscall/sysret enable */
#define EFER_LME    (1 << 8)   /**< long mode enable */
#define EFER_NXE    (1 << 11)  /**< no-execute page bit enable */
#define MSR_STAR    0xc0000081 /**< syscall and sysret selectors */
#define MSR_LSTAR   0xc0000082 /**< 64-bit syscall entry point */
#define MSR_CSTAR   0xc0000083 /**< compatibility-mode syscall entry */
#define MSR_SFMASK  0xc0000084 /**< RFLAGS bits syscall clears */
#define MSR_FS_BASE 0xc0000100 /**< base of the FS segment */
#define MSR_GS_BASE 0xc0000101 /**< base of the GS segment */
/** The GS base swapgs exchanges with MSR_GS_BASE. */
#define MSR_SHADOW_GS_BASE 0xc0000102
/**@}*/

/**
 * @name Segment descriptors the hypervisor uses
 * Flat, ring 0, with the accessed bit already set so the CPU never writes
 * to the GDT (AMD64 manual vol. 2, 4.8).
 */
/**@{*/
#define DESC_CODE64 _AC(0x00af9b000000ffff, UL) /**< 64-bit code (L = 1) */
#define DESC_DATA   _AC(0x00cf93000000ffff, UL) /**< data, 4 GiB */
#define DESC_CODE32 _AC(0x00cf9b000000ffff, UL) /**< 32-bit code, 4 GiB */
/**@}*/

/** @name Fields of a segment descriptor (AMD64 manual vol. 2, 4.7) */
/**@{*/
#define SEG_TYPE_MASK    (_AC(0xf, UL) << 40) /**< the type */
#define SEG_CODE_OR_DATA (_AC(1, UL) << 44)   /**< S: not a system one */
#define SEG_DPL3         (_AC(3, UL) << 45)   /**< DPL 3: usable in ring 3 */
#define SEG_PRESENT      (_AC(1, UL) << 47)   /**< P */
/**@}*/

/** @name Page table entry bits */
/**@{*/
#define _PAGE_PRESENT  0x001 /**< the entry maps something */
#define _PAGE_RW       0x002 /**< writable */
#define _PAGE_USER     0x004 /**< ring 3 may use it */
#define _PAGE_PCD      0x010 /**< not cacheable: device memory */
#define _PAGE_ACCESSED 0x020 /**< the CPU has used the entry */
#define _PAGE_DIRTY    0x040 /**< the CPU has written the page */
#define _PAGE_PSE      0x080 /**< a large page (in an L2 or L3) */
#define _PAGE_GLOBAL   0x100 /**< survives CR3 reloads */
/** Never execute from this page (needs EFER.NXE). */
#define _PAGE_NX (_AC(1, UL) << 63)
/** The frame address bits of an entry. */
#define PADDR_MASK _AC(0x000ffffffffff000, UL)
/** Entries in a page-table page, at every level. */
#define PT_ENTRIES 512
/**@}*/

#ifndef __ASSEMBLER__
/**
 * @brief The index of @p va's entry in a page table of @p level (1 = L1
 *        ... 4 = L4): 9 bits a level, above the page offset's 12.
 */
static inline unsigned int pt_index(unsigned long va, unsigned int level)
{
    return (va >> (PAGE_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1);
}
#endif

/** @name CPUID */
/**@{*/
#define CPUID_FEATURES     0x00000001 /**< basic feature flags */
#define CPUID_EDX_PGE      (1 << 13)  /**< global pages */
#define CPUID_EXT_BASE     0x80000000 /**< highest extended leaf */
#define CPUID_EXT_FEATURES 0x80000001 /**< extended feature flags */
#define CPUID_EXT_EDX_LM   (1 << 29)  /**< long mode */
#define CPUID_EXT_EDX_NX   (1 << 20)  /**< no-execute pages */
/**@}*/

/** @name Exception vectors (the ones the code names) */
/**@{*/
#define X86_EXC_BP        3  /**< breakpoint (int3) */
#define X86_EXC_OF        4  /**< overflow (into) */
#define X86_EXC_UD        6  /**< invalid opcode */
#define X86_EXC_NM        7  /**< device not available (CR0.TS) */
#define X86_EXC_DF        8  /**< double fault */
#define X86_EXC_GP        13 /**< general protection */
#define X86_EXC_PF        14 /**< page fault */
#define X86_NR_EXCEPTIONS 32 /**< vectors 0-31 are exceptions */
/**@}*/

/**
 * The exceptions for which the CPU pushes an error code, by vector:
 * double fault 8, invalid TSS 10, segment not present 11, stack 12,
 * general protection 13, page fault 14, alignment check 17, control
 * protection 21, VMM communication 29, security 30.
 */
#define X86_EXC_HAVE_EC                                                        \
    ((1U << 8) | (1U << 10) | (1U << 11) | (1U << 12) | (1U << 13) |           \
     (1U << 14) | (1U << 17) | (1U << 21) | (1U << 29) | (1U << 30))

/** @name RFLAGS bits */
/**@{*/
#define X86_EFLAGS_CF   (1UL << 0)  /**< carry */
#define X86_EFLAGS_MBS  (1UL << 1)  /**< always 1 */
#define X86_EFLAGS_PF   (1UL << 2)  /**< parity */
#define X86_EFLAGS_AF   (1UL << 4)  /**< auxiliary carry */
#define X86_EFLAGS_ZF   (1UL << 6)  /**< zero */
#define X86_EFLAGS_SF   (1UL << 7)  /**< sign */
#define X86_EFLAGS_TF   (1UL << 8)  /**< single step */
#define X86_EFLAGS_IF   (1UL << 9)  /**< interrupts enabled */
#define X86_EFLAGS_DF   (1UL << 10) /**< string direction */
#define X86_EFLAGS_OF   (1UL << 11) /**< overflow */
#define X86_EFLAGS_IOPL (3UL << 12) /**< I/O privilege level */
#define X86_EFLAGS_NT   (1UL << 14) /**< nested task */
#define X86_EFLAGS_RF   (1UL << 16) /**< resume (no debug fault) */
#define X86_EFLAGS_AC   (1UL << 18) /**< alignment check */
#define X86_EFLAGS_ID   (1UL << 21) /**< CPUID available */
/**@}*/

/** @name Page-fault error code bits */
/**@{*/
#define PFEC_PRESENT  (1 << 0) /**< the page was present (a rights fault) */
#define PFEC_WRITE    (1 << 1) /**< a write (else a read) */
#define PFEC_USER     (1 << 2) /**< in user mode (ring 3) */
#define PFEC_RESERVED (1 << 3) /**< a reserved bit set in an entry */
#define PFEC_FETCH    (1 << 4) /**< an instruction fetch */
#define PFEC_PROT_KEY (1 << 5) /**< a protection-key violation */
/**@}*/

#endif /* ASM_X86_DEFS_H */
