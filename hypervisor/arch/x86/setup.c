/**
 * @file
 * @brief start_hospes(): the first C code, and the order of the boot.
 *
 * Lab 1 reading (labs/01-boot/README.md). Design page: docs/boot.md.
 *
 * head.asm calls start_hospes() in 64-bit mode on the boot stack, with the
 * early page tables (identity, direct map and image mappings of the first
 * 4 GiB) and interrupts off. Later labs insert their steps where the
 * comments below say; the order is ARCHITECTURE.md's.
 */
#include <asm/apic.h>
#include <asm/io.h>
#include <asm/layout.h>
#include <hospes/bootinfo.h>
#include <hospes/console.h>
#include <hospes/domain_build.h>
#include <hospes/keyhandler.h>
#include <hospes/mm.h>
#include <hospes/param.h>
#include <hospes/printk.h>
#include <hospes/sched.h>
#include <hospes/selftest.h>
#include <hospes/shutdown.h>
#include <hospes/smp.h>
#include <hospes/softirq.h>
#include <hospes/time.h>
#include <hospes/timer.h>
#include <hospes/version.h>

#include "setup.h"

/** Say who we are. The art is Hospes in a small figlet font. */
static void print_banner(void)
{
    printk(" _   _\n");
    printk("| | | | ___  ___ _ __   ___  ___\n");
    printk("| |_| |/ _ \\/ __| '_ \\ / _ \\/ __|\n");
    printk("|  _  | (_) \\__ \\ |_) |  __/\\__ \\\n");
    printk("|_| |_|\\___/|___/ .__/ \\___||___/\n");
    printk("                |_|\n");
    printk("Hospes %s, a teaching hypervisor for x86-64 (gcc %s)\n",
           HOSPES_VERSION, __VERSION__);
}

void start_hospes(paddr_t mbi_pa)
{
    uint64_t tsc_start = rdtsc();

    /* The console first, so that everything after it can speak; then
     * the descriptor tables, so that every exception is reported. */
    console_init();
    smp_prepare_boot_cpu();
    load_descriptor_tables(0);

    print_banner();

    /* Options next: they change how everything else behaves. */
    multiboot_cmdline(mbi_pa);
    printk("Command line: %s\n", boot_info.cmdline);
    cmdline_parse(boot_info.cmdline);
    param_dump();
    cpu_print_info();
    cpu_init_fpu();

    /* What memory there is, and what must not be touched. */
    multiboot_init(mbi_pa);
    boot_mem_limit(&boot_info);
    boot_info_print(&boot_info);
    acpi_init(); /* while the boot page tables map the firmware's tables */

    /* Machine memory: page tables, frame table, heap (lab 2). */
    if (!boot_allocator_init(&boot_info))
        printk(LOG_ERR "No usable RAM above 1 MiB: no page tables, no heap\n");
    else if (!arch_init_memory())
        heap_init();
    mem_report();

    /* Time: the local APIC, calibration, timers (lab 3). */
    apic_init();
    time_init();
    timer_init();
    smp_boot_cpus();
    scheduler_init();

    selftest_run();
    printk(LOG_DEBUG "Boot took %lu TSC ticks in start_hospes(), %lu since "
                     "reset\n",
           (unsigned long)(rdtsc() - tsc_start), (unsigned long)rdtsc());
    keyhandler_init();

    /* Domains: dom0 from the first module, `domu=` ones (lab 4). */
    create_boot_domains();
    printk("Boot complete; debug keys: 'h'.\n");
    idle_loop(); /* the scheduler takes it from here */
}
