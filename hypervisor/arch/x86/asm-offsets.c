/**
 * @file
 * @brief Constants for NASM code, taken from the C headers.
 *
 * NASM cannot read C headers. The build compiles this file to assembly
 * (never to an object) and turns each DEFINE() line into a NASM `%define`
 * in build/hypervisor/asm-offsets.inc, so the numbers have one source.
 * Structure offsets (offsetof) for the entry code come the same way.
 */
#include <asm/current.h>
#include <asm/layout.h>
#include <asm/regs.h>
#include <asm/x86-defs.h>
#include <hospes/multiboot.h>
#include <public/xen.h>

/** Emit a marker line the build turns into `%define sym value`. */
#define DEFINE(sym, val)                                                       \
    __asm__ volatile("\n.ascii \"->" #sym " %P0\"" : : "i"(val))

/** Never called: compiled with -S only. */
void asm_offsets(void);
void asm_offsets(void)
{
    DEFINE(HV_PHYS_START, HV_PHYS_START);
    DEFINE(HV_VIRT_START, HV_VIRT_START);
    DEFINE(DIRECTMAP_VIRT_START, DIRECTMAP_VIRT_START);
    DEFINE(STACK_SIZE, STACK_SIZE);
    DEFINE(TRAMPOLINE_PHYS, TRAMPOLINE_PHYS);
    DEFINE(EFER_NXE, EFER_NXE);
    DEFINE(BOOT_CS64, BOOT_CS64);
    DEFINE(BOOT_DS, BOOT_DS);
    DEFINE(DESC_CODE64, DESC_CODE64);
    DEFINE(DESC_DATA, DESC_DATA);
    DEFINE(DESC_CODE32, DESC_CODE32);
    DEFINE(X86_CR0_PE, X86_CR0_PE);
    DEFINE(X86_CR0_WP, X86_CR0_WP);
    DEFINE(X86_CR0_PG, X86_CR0_PG);
    DEFINE(X86_CR4_PAE, X86_CR4_PAE);
    DEFINE(MSR_EFER, MSR_EFER);
    DEFINE(EFER_LME, EFER_LME);
    DEFINE(_PAGE_PRESENT, _PAGE_PRESENT);
    DEFINE(_PAGE_RW, _PAGE_RW);
    DEFINE(_PAGE_PSE, _PAGE_PSE);
    DEFINE(CPUID_EXT_BASE, CPUID_EXT_BASE);
    DEFINE(CPUID_EXT_FEATURES, CPUID_EXT_FEATURES);
    DEFINE(CPUID_EXT_EDX_LM, CPUID_EXT_EDX_LM);
    DEFINE(MULTIBOOT_BOOTLOADER_MAGIC, MULTIBOOT_BOOTLOADER_MAGIC);
    DEFINE(MULTIBOOT_HEADER_MAGIC, MULTIBOOT_HEADER_MAGIC);
    DEFINE(X86_EXC_HAVE_EC, X86_EXC_HAVE_EC);
    DEFINE(SYSCALL_VECTOR, SYSCALL_VECTOR);
    DEFINE(FLAT_KERNEL_CS, FLAT_KERNEL_CS);
    DEFINE(FLAT_KERNEL_SS, FLAT_KERNEL_SS);
    DEFINE(CPU_INFO_stack_top, offsetof(struct cpu_info, stack_top));
    DEFINE(CPU_INFO_guest_rsp, offsetof(struct cpu_info, guest_rsp));
    DEFINE(REGS_cs, offsetof(struct cpu_user_regs, cs));
    DEFINE(REGS_SIZE, sizeof(struct cpu_user_regs));
    DEFINE(MULTIBOOT_HEADER_FLAGS,
           MBH_PAGE_ALIGN | MBH_MEMORY_INFO | MBH_AOUT_KLUDGE);
}
