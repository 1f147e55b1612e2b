/**
 * @file
 * @brief The boot memory map: printing, checking, reserving, `mem=`.
 *
 * The architecture code fills struct boot_info (arch/x86/multiboot.c);
 * everything here works on that neutral form. Design page: docs/boot.md
 * (section "Memory map and modules").
 */
#include <hospes/bootinfo.h>
#include <hospes/lib.h>
#include <hospes/param.h>
#include <hospes/printk.h>

struct boot_info boot_info;

/** `mem=<size>`: ignore RAM at and above this address (0: no limit). */
static uint64_t opt_mem;
size_param("mem", opt_mem);

const char *mem_type_name(enum mem_type type)
{
    switch (type) {
    case MEM_USABLE:
        return "usable";
    case MEM_ACPI:
        return "ACPI data";
    case MEM_NVS:
        return "ACPI NVS";
    case MEM_BAD:
        return "unusable";
    default:
        return "reserved";
    }
}

uint64_t boot_mem_total(const struct boot_info *bi, enum mem_type type)
{
    uint64_t total = 0;
    unsigned int i;

    for (i = 0; i < bi->nr_map; i++)
        if (bi->map[i].type == type)
            total += bi->map[i].end - bi->map[i].start;
    return total;
}

void boot_reserve(struct boot_info *bi, paddr_t start, paddr_t end,
                  const char *what)
{
    if (bi->nr_reserved == BOOT_MAX_RESERVED) {
        /* Allocating over it would destroy data we need: stop here. */
        panic("boot_reserve: no room to reserve %s", what);
    }
    bi->reserved[bi->nr_reserved++] =
        (struct boot_reserved){ .start = start, .end = end, .what = what };
}

void boot_mem_limit(struct boot_info *bi)
{
    unsigned int i, kept = 0;

    if (!opt_mem)
        return;
    for (i = 0; i < bi->nr_map; i++) {
        struct mem_region r = bi->map[i];

        if (r.type == MEM_USABLE && r.start >= opt_mem)
            continue;
        if (r.type == MEM_USABLE && r.end > opt_mem)
            r.end = opt_mem;
        bi->map[kept++] = r;
    }
    bi->nr_map = kept;
    printk(LOG_INFO "mem=: RAM at and above 0x%lx ignored\n",
           (unsigned long)opt_mem);
}

/** Print @p bytes as a whole number of KiB, MiB or GiB. */
static void print_size(const char *label, uint64_t bytes)
{
    if (bytes >= (1ul << 30) && !(bytes & ((1ul << 30) - 1)))
        printk("%s%lu GiB\n", label, (unsigned long)(bytes >> 30));
    else if (bytes >= (1ul << 20))
        printk("%s%lu MiB (%lu KiB)\n", label, (unsigned long)(bytes >> 20),
               (unsigned long)(bytes >> 10));
    else
        printk("%s%lu KiB\n", label, (unsigned long)(bytes >> 10));
}

void boot_info_print(const struct boot_info *bi)
{
    unsigned int i;

    printk("Multiboot memory map (%u regions), from %s:\n", bi->nr_map,
           bi->loader);
    for (i = 0; i < bi->nr_map; i++)
        printk(" [%" PRIpaddr ", %" PRIpaddr ") (%s)\n", bi->map[i].start,
               bi->map[i].end, mem_type_name(bi->map[i].type));
    print_size("Usable RAM: ", boot_mem_total(bi, MEM_USABLE));

    printk("Modules: %u\n", bi->nr_modules);
    for (i = 0; i < bi->nr_modules; i++)
        printk(" module %u: [%" PRIpaddr ", %" PRIpaddr ") '%s'\n", i,
               bi->modules[i].start, bi->modules[i].end, bi->modules[i].string);

    printk("Reserved at boot:\n");
    for (i = 0; i < bi->nr_reserved; i++)
        printk(" [%" PRIpaddr ", %" PRIpaddr ") %s\n", bi->reserved[i].start,
               bi->reserved[i].end, bi->reserved[i].what);
}

/** Is [start, end) wholly inside one usable region? */
static bool in_usable_ram(const struct boot_info *bi, paddr_t start,
                          paddr_t end)
{
    unsigned int i;

    for (i = 0; i < bi->nr_map; i++)
        if (bi->map[i].type == MEM_USABLE && bi->map[i].start <= start &&
            end <= bi->map[i].end)
            return true;
    return false;
}

int boot_info_check(const struct boot_info *bi)
{
    int problems = 0;
    unsigned int i;

    if (!bi->nr_map || !boot_mem_total(bi, MEM_USABLE)) {
        printk(LOG_ERR "memory map: no usable RAM\n");
        problems++;
    }
    for (i = 0; i < bi->nr_map; i++) {
        const struct mem_region *r = &bi->map[i];

        if (r->start >= r->end) {
            printk(LOG_ERR "memory map: region %u is empty or inverted\n", i);
            problems++;
        }
        if (i && r->start < bi->map[i - 1].end) {
            printk(LOG_ERR "memory map: region %u overlaps or is out of "
                           "order\n",
                   i);
            problems++;
        }
    }
    for (i = 0; i < bi->nr_reserved; i++) {
        if (!in_usable_ram(bi, bi->reserved[i].start, bi->reserved[i].end)) {
            printk(LOG_ERR "memory map: reserved %s is not in usable RAM\n",
                   bi->reserved[i].what);
            problems++;
        }
    }
    return problems;
}
