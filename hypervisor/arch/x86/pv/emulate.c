/**
 * @file
 * @brief Emulating what a PV kernel may not do itself in ring 3: reading
 *        control registers, the FS/GS base MSRs, `clts`, and CPUID with
 *        Xen's forced-emulation prefix.
 *
 * Lab 4 (labs/04-pv-domains/README.md). Design page: docs/pv-guests.md
 * (section "Emulated instructions").
 *
 * A privileged instruction in ring 3 raises a general-protection fault.
 * Before bouncing that to the guest, the hypervisor looks at the
 * instruction: the few that PV kernels use at start of day it carries out
 * on the guest's virtual state and steps over. CPUID is not privileged, so a guest that wants
 * the hypervisor's answer (with the Xen leaves 0x40000000 on) prefixes it
 * with `ud2; .ascii "xen"`: the invalid-opcode fault brings it here.
 */
#include <asm/current.h>
#include <asm/io.h>
#include <asm/x86-defs.h>
#include <hospes/errno.h>
#include <hospes/hypercall.h>
#include <hospes/lib.h>
#include <hospes/version.h>
#include <public/xen.h>

#include "pv.h"

/** Bytes of instruction we read: enough for everything we emulate. */
#define INSN_FETCH 8

/** Xen's forced-emulation prefix and the CPUID it guards. */
static const uint8_t forced_cpuid[] = { 0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2 };

/** The last hypervisor CPUID leaf Hospes fills in. */
#define XEN_CPUID_LAST (XEN_CPUID_FIRST_LEAF + 2)
/** CPUID leaf 1, ECX: running under a hypervisor. */
#define CPUID_ECX_HYPERVISOR (1U << 31)

/** The general register numbered @p n in an instruction (0 = rax ...). */
static uint64_t *gpr(struct cpu_user_regs *regs, unsigned int n)
{
    uint64_t *const table[16] = {
        &regs->rax, &regs->rcx, &regs->rdx, &regs->rbx, &regs->rsp, &regs->rbp,
        &regs->rsi, &regs->rdi, &regs->r8,  &regs->r9,  &regs->r10, &regs->r11,
        &regs->r12, &regs->r13, &regs->r14, &regs->r15,
    };

    return table[n & 15];
}

unsigned long pv_guest_cr0(const struct vcpu *v)
{
    return X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP |
           X86_CR0_PG | (v->arch->fpu_ts ? X86_CR0_TS : 0);
}

/** The value of control register @p cr as the guest sees it. */
static bool read_guest_cr(unsigned int cr, uint64_t *val)
{
    const struct vcpu *v = current;

    switch (cr) {
    case 0:
        *val = pv_guest_cr0(v);
        return true;
    case 2:
        *val = v->arch->cr2;
        return true;
    case 3: /* PV guests deal in machine frames: the real base */
        *val = mfn_to_maddr(v->arch->guest_table);
        return true;
    case 4:
        *val = read_cr4() & (X86_CR4_PAE | X86_CR4_PGE | X86_CR4_OSFXSR |
                             X86_CR4_OSXMMEXCPT);
        return true;
    default:
        return false;
    }
}

long pv_set_segment_base(unsigned int which, uint64_t base)
{
    struct arch_vcpu *a = current->arch;

    if (((int64_t)base >> 47) != 0 && ((int64_t)base >> 47) != -1)
        return -EINVAL; /* not canonical: loading it would fault */
    switch (which) {
    case SEGBASE_FS:
        a->fs_base = base;
        wrmsr(MSR_FS_BASE, base);
        return 0;
    case SEGBASE_GS_KERNEL: /* the guest's GS waits in the shadow MSR */
        a->gs_base_kernel = base;
        wrmsr(MSR_SHADOW_GS_BASE, base);
        return 0;
    case SEGBASE_GS_USER:
        a->gs_base_user = base;
        return 0;
    case SEGBASE_GS_USER_SEL:
        return -ENOSYS; /* no guest user mode yet */
    default:
        return -EINVAL;
    }
}

/** The segment-base target of MSR @p msr, or -1. */
static int msr_segbase(uint32_t msr)
{
    switch (msr) {
    case MSR_FS_BASE:
        return SEGBASE_FS;
    case MSR_GS_BASE:
        return SEGBASE_GS_KERNEL;
    case MSR_SHADOW_GS_BASE:
        return SEGBASE_GS_USER;
    default:
        return -1;
    }
}

/** rdmsr of the FS/GS bases: the guest's values. */
static bool emulate_rdmsr(struct cpu_user_regs *regs)
{
    const struct arch_vcpu *a = current->arch;
    uint64_t val;

    switch (msr_segbase(regs->rcx)) {
    case SEGBASE_FS:
        val = a->fs_base;
        break;
    case SEGBASE_GS_KERNEL:
        val = a->gs_base_kernel;
        break;
    case SEGBASE_GS_USER:
        val = a->gs_base_user;
        break;
    default:
        return false;
    }
    regs->rax = (uint32_t)val;
    regs->rdx = val >> 32;
    return true;
}

/** wrmsr of the FS/GS bases. */
static bool emulate_wrmsr(struct cpu_user_regs *regs)
{
    int which = msr_segbase(regs->rcx);
    uint64_t val = (regs->rdx << 32) | (uint32_t)regs->rax;

    return which >= 0 && !pv_set_segment_base(which, val);
}

/**
 * Emulate the two-byte opcode 0f @p op at @p b (after any REX prefix
 * @p rex). @return the instruction's length from @p b, or 0 if it is not
 * one we emulate
 */
static unsigned int emulate_0f(struct cpu_user_regs *regs, const uint8_t *b,
                               uint8_t rex)
{
    unsigned int modrm = b[2], reg = (modrm >> 3 & 7) | (rex & 4 ? 8 : 0);
    unsigned int rm = (modrm & 7) | (rex & 1 ? 8 : 0);
    uint64_t val;

    switch (b[1]) {
    case 0x20: /* mov %crN, %reg */
        if (modrm >> 6 != 3 || !read_guest_cr(reg, &val))
            return 0;
        *gpr(regs, rm) = val;
        return 3;
    case 0x22: /* mov %reg, %cr0: only TS may change */
        if (modrm >> 6 != 3 || reg != 0 ||
            (*gpr(regs, rm) ^ pv_guest_cr0(current)) & ~X86_CR0_TS)
            return 0;
        do_fpu_taskswitch(*gpr(regs, rm) & X86_CR0_TS);
        return 3;
    case 0x06: /* clts */
        do_fpu_taskswitch(0);
        return 2;
    case 0x30:
        return emulate_wrmsr(regs) ? 2 : 0;
    case 0x32:
        return emulate_rdmsr(regs) ? 2 : 0;
    default:
        return 0;
    }
}

/** CPUID as a PV guest sees it: the host's, plus Xen's leaves. */
static void pv_cpuid(struct cpu_user_regs *regs)
{
    uint32_t leaf = regs->rax, a = 0, b = 0, c = 0, d = 0;

    if (leaf == XEN_CPUID_FIRST_LEAF) {
        a = XEN_CPUID_LAST;
        memcpy(&b, "XenV", 4);
        memcpy(&c, "MMXe", 4);
        memcpy(&d, "nVMM", 4);
    } else if (leaf == XEN_CPUID_FIRST_LEAF + 1) {
        a = XEN_VERSION_MAJOR << 16 | XEN_VERSION_MINOR;
    } else if (leaf == XEN_CPUID_FIRST_LEAF + 2) {
        a = 1;                    /* one hypercall page */
        b = XEN_CPUID_FIRST_LEAF; /* MSR base for HVM guests' page (lab 10) */
    } else if (leaf < XEN_CPUID_FIRST_LEAF ||
               leaf > XEN_CPUID_FIRST_LEAF + 0xff) {
        __asm__ volatile("cpuid"
                         : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
                         : "a"(leaf), "c"((uint32_t)regs->rcx));
        if (leaf == 1)
            c |= CPUID_ECX_HYPERVISOR;
    }
    regs->rax = a;
    regs->rbx = b;
    regs->rcx = c;
    regs->rdx = d;
}

bool pv_emulate(struct cpu_user_regs *regs)
{
    uint8_t insn[INSN_FETCH] = { 0 };
    size_t to_page_end = PAGE_SIZE - (regs->rip & (PAGE_SIZE - 1));
    size_t len = to_page_end < INSN_FETCH ? to_page_end : INSN_FETCH;
    unsigned int rex = 0, n;

    if (copy_from_guest(insn, regs->rip, len))
        return false;
    if (regs->entry_vector == X86_EXC_UD) {
        if (memcmp(insn, forced_cpuid, sizeof(forced_cpuid)))
            return false;
        pv_cpuid(regs);
        regs->rip += sizeof(forced_cpuid);
        return true;
    }
    if ((insn[0] & 0xf0) == 0x40) /* a REX prefix */
        rex = insn[0];
    if (insn[!!rex] != 0x0f)
        return false;
    n = emulate_0f(regs, insn + !!rex, rex);
    if (!n)
        return false;
    regs->rip += n + !!rex;
    return true;
}
