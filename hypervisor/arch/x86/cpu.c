/**
 * @file
 * @brief Identify the boot CPU: vendor, model, and the features Hospes
 *        cares about (SVM and nested paging for HVM guests in lab 10).
 *
 * Leaf numbers and bits: AMD64 Architecture Programmer's Manual, volume 3,
 * appendix E (CPUID).
 */
#include <asm/io.h>
#include <asm/x86-defs.h>
#include <hospes/lib.h>
#include <hospes/printk.h>

#include "setup.h"

#define CPUID_VENDOR 0x00000000 /**< highest basic leaf, vendor name */
#define CPUID_SVM    0x8000000a /**< SVM revision and features */

/** One feature bit to report. */
struct cpu_feature {
    const char *name; /**< as Linux's /proc/cpuinfo names it */
    uint32_t leaf;    /**< CPUID leaf */
    char reg;         /**< 'c' or 'd': ECX or EDX */
    unsigned int bit; /**< bit number */
};

/** The features cpu_print_info() reports, in the order it prints them. */
static const struct cpu_feature features[] = {
    { "apic", CPUID_FEATURES, 'd', 9 },
    { "x2apic", CPUID_FEATURES, 'c', 21 },
    { "hypervisor", CPUID_FEATURES, 'c', 31 },
    { "lm", CPUID_EXT_FEATURES, 'd', 29 },
    { "nx", CPUID_EXT_FEATURES, 'd', 20 },
    { "pdpe1gb", CPUID_EXT_FEATURES, 'd', 26 },
    { "svm", CPUID_EXT_FEATURES, 'c', 2 },
    { "npt", CPUID_SVM, 'd', 0 },
};

/** Is @p f reported, given the highest basic and extended leaves? */
static bool has_feature(const struct cpu_feature *f, uint32_t max_basic,
                        uint32_t max_ext)
{
    uint32_t a, b, c, d;
    uint32_t max = f->leaf >= CPUID_EXT_BASE ? max_ext : max_basic;

    if (f->leaf > max)
        return false;
    cpuid(f->leaf, &a, &b, &c, &d);
    return ((f->reg == 'c' ? c : d) >> f->bit) & 1;
}

void cpu_print_info(void)
{
    uint32_t max_basic, max_ext, a, b, c, d;
    char vendor[13];
    char list[128] = "";
    size_t len = 0;
    unsigned int i;

    cpuid(CPUID_VENDOR, &max_basic, &b, &c, &d);
    memcpy(vendor, &b, 4); /* the vendor string is EBX, EDX, ECX */
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    vendor[12] = '\0';
    cpuid(CPUID_EXT_BASE, &max_ext, &b, &c, &d);

    cpuid(CPUID_FEATURES, &a, &b, &c, &d);
    printk("CPU: %s family 0x%x model 0x%x stepping %u\n", vendor,
           ((a >> 8) & 0xf) + ((a >> 20) & 0xff),
           ((a >> 4) & 0xf) | ((a >> 12) & 0xf0), a & 0xf);

    for (i = 0; i < ARRAY_SIZE(features) && len < sizeof(list); i++)
        if (has_feature(&features[i], max_basic, max_ext))
            len += snprintf(list + len, sizeof(list) - len, " %s",
                            features[i].name);
    printk("CPU features:%s\n", list);
}

/**
 * Every x86-64 CPU has the FPU and SSE (fxsave, fxrstor), but SSE stays
 * off until CR4.OSFXSR says the OS saves its registers. Guests compiled
 * for x86-64 use SSE freely, and the context switch saves their state
 * with fxsave (arch/x86/domain.c). The hypervisor itself is built with
 * -mgeneral-regs-only and never touches these registers.
 */
void cpu_init_fpu(void)
{
    write_cr0((read_cr0() & ~X86_CR0_TS) | X86_CR0_MP | X86_CR0_NE);
    write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
    __asm__ volatile("fninit");
}
