/**
 * @file
 * @brief CPUID as the hypervisor answers it, through Xen's forced-emulation
 *        prefix.
 *
 * A plain `cpuid` in a PV guest runs on the real CPU: the hypervisor never
 * sees it (without CPUID faulting) and cannot add its own leaves or hide
 * features. So PV guests put a marker in front of it: `ud2` followed by the
 * bytes "xen". The `ud2` raises \#UD; the hypervisor sees the marker and
 * `cpuid` after it, emulates the `cpuid` and resumes after all seven bytes.
 * Its leaves start at XEN_CPUID_FIRST_LEAF.
 */
#ifndef GUEST_CPUID_H
#define GUEST_CPUID_H

#include <stdint.h>

#include <public/arch-x86.h>

/** What leaf XEN_CPUID_FIRST_LEAF spells in EBX, ECX and EDX. */
#define XEN_CPUID_SIGNATURE "XenVMMXenVMM"

/** Asm text: the forced-emulation prefix, `ud2` and "xen" (0f 0b 78 65 6e). */
#define XEN_EMULATE_PREFIX "ud2; .ascii \"xen\"; "

/**
 * @brief CPUID leaf @p leaf, subleaf @p subleaf, as the hypervisor emulates it.
 * @param leaf     the leaf (EAX).
 * @param subleaf  the subleaf (ECX).
 * @param eax      receives EAX; and so on for @p ebx, @p ecx, @p edx.
 * @param ebx      receives EBX.
 * @param ecx      receives ECX.
 * @param edx      receives EDX.
 */
static inline void xen_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *eax,
                             uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
    asm volatile(XEN_EMULATE_PREFIX "cpuid"
                 : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx)
                 : "0"(leaf), "2"(subleaf));
}

#endif /* GUEST_CPUID_H */
