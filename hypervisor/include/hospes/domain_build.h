/**
 * @file
 * @brief Building a PV domain from a kernel image, and the boot-time
 *        domains: dom0 and the `domu=` ones.
 *
 * Lab 4 (labs/04-pv-domains/README.md). Design page: docs/pv-guests.md
 * (section "The start-of-day layout").
 */
#ifndef HOSPES_DOMAIN_BUILD_H
#define HOSPES_DOMAIN_BUILD_H

#include <hospes/domain.h>

/**
 * @brief Fill paused domain @p d (vCPU 0 created, max_pages set) from
 *        the ELF PV kernel @p image of @p size bytes, Xen's way: memory,
 *        initial page tables, start_info with @p cmdline and @p si_flags
 *        (SIF_*), P2M list, boot stack, hypercall page, vCPU 0's
 *        registers (arch/x86/pv/dom_build.c).
 * @return 0, or -errno with the reason logged
 */
int pv_build_domain(struct domain *d, const void *image, size_t size,
                    const char *cmdline, uint32_t si_flags);

/**
 * @brief Build and start dom0 from the first Multiboot module and the
 *        `domu=` domains from theirs (common/boot_domains.c).
 */
void create_boot_domains(void);

#endif /* HOSPES_DOMAIN_BUILD_H */
