/**
 * @file
 * @brief Reading what the Multiboot loader tells us into struct boot_info.
 *
 * Lab 1, exercise 3 (labs/01-boot/README.md): multiboot_parse_mmap().
 * Design page: docs/boot.md (section "Memory map and modules").
 *
 * The loader's data sits in memory we will soon hand to the page allocator
 * (QEMU puts the information at 0x9000 and the strings after the modules),
 * so everything we keep is copied into the hypervisor's own .bss here.
 */
#include <asm/layout.h>
#include <hospes/bootinfo.h>
#include <hospes/errno.h>
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/multiboot.h>
#include <hospes/printk.h>

#include "setup.h"

/** Room for all module strings, NULs included. */
#define MODULE_STRINGS_SIZE 2048

/** Our copy of the command line, which boot_info.cmdline points at. */
static char cmdline_buf[BOOT_CMDLINE_SIZE];
/** Our copy of the boot loader's name. */
static char loader_buf[64];
/** Our copies of the module strings, one after another. */
static char module_strings[MODULE_STRINGS_SIZE];

/** Image bounds from the linker script (hospes.lds.S). */
extern const char __bss_end[];

/** Our memory type for a Multiboot (e820) type number. */
static enum mem_type mem_type_from_multiboot(uint32_t type)
{
    switch (type) {
    case MULTIBOOT_MEMORY_AVAILABLE:
        return MEM_USABLE;
    case MULTIBOOT_MEMORY_ACPI:
        return MEM_ACPI;
    case MULTIBOOT_MEMORY_NVS:
        return MEM_NVS;
    case MULTIBOOT_MEMORY_BADRAM:
        return MEM_BAD;
    default:
        return MEM_RESERVED; /* unknown types must never be used */
    }
}

/**
 * Copy the loader's memory map into bi->map.
 *
 * The map is mbi->mmap_length bytes at physical address mbi->mmap_addr
 * (reach it with __va()). Entries have different sizes: each begins with
 * a size field that does not count itself (see struct multiboot_mmap_entry).
 * For each entry, store [addr, addr + len) with its type converted by
 * mem_type_from_multiboot(). Skip entries of length 0. If bi->map is full,
 * warn and stop.
 *
 * @return the number of regions stored, or -ENOENT if the loader gave no
 *         map (MBI_MEMMAP clear).
 */
static int multiboot_parse_mmap(const struct multiboot_info *mbi,
                                struct boot_info *bi)
{
    // LAB 1 BEGIN exercise 3: multiboot_parse_mmap()
    const char *p, *end;

    if (!(mbi->flags & MBI_MEMMAP))
        return -ENOENT;

    p = __va(mbi->mmap_addr);
    end = p + mbi->mmap_length;
    bi->nr_map = 0;
    while (p < end) {
        const struct multiboot_mmap_entry *e = (const void *)p;

        p += e->size + sizeof(e->size);
        if (!e->len)
            continue;
        if (bi->nr_map == BOOT_MAX_REGIONS) {
            printk(LOG_WARNING "Memory map: more than %u regions; "
                               "ignoring the rest\n",
                   BOOT_MAX_REGIONS);
            break;
        }
        bi->map[bi->nr_map++] = (struct mem_region){
            .start = e->addr,
            .end = e->addr + e->len,
            .type = mem_type_from_multiboot(e->type),
        };
    }
    return bi->nr_map;
    // LAB 1 STUB
    // lab_todo(1, 3, "multiboot_parse_mmap()");
    // (void)mbi;
    // (void)bi;
    // (void)mem_type_from_multiboot;
    // return -ENOSYS;
    // LAB 1 END
}

/** Without a full map, make one from mem_lower and mem_upper (in KiB). */
static void map_from_memlimits(const struct multiboot_info *mbi,
                               struct boot_info *bi)
{
    bi->nr_map = 0;
    if (!(mbi->flags & MBI_MEMLIMITS))
        return;
    bi->map[0] = (struct mem_region){ 0, mbi->mem_lower * 1024ul, MEM_USABLE };
    bi->map[1] =
        (struct mem_region){ 0x100000, 0x100000 + mbi->mem_upper * 1024ul,
                             MEM_USABLE };
    bi->nr_map = 2;
}

/** Copy a loader string into our own storage; return the copy. */
static const char *keep_string(char **pool, size_t *room, uint32_t pa)
{
    const char *s = pa ? __va(pa) : "";
    char *copy = *pool;
    size_t n;

    if (!*room)
        return "";
    n = strnlen(s, *room - 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    *pool += n + 1;
    *room -= n + 1;
    return copy;
}

/** Record the modules and reserve their memory. */
static void multiboot_modules(const struct multiboot_info *mbi,
                              struct boot_info *bi)
{
    const struct multiboot_module *mod = __va(mbi->mods_addr);
    char *pool = module_strings;
    size_t room = sizeof(module_strings);
    unsigned int i;

    if (!(mbi->flags & MBI_MODULES))
        return;
    if (mbi->mods_count > BOOT_MAX_MODULES)
        printk(LOG_WARNING "Modules: %u given, only the first %u used\n",
               mbi->mods_count, BOOT_MAX_MODULES);
    for (i = 0; i < mbi->mods_count && i < BOOT_MAX_MODULES; i++) {
        struct boot_module *m = &bi->modules[bi->nr_modules++];

        m->start = mod[i].mod_start;
        m->end = mod[i].mod_end;
        m->string = keep_string(&pool, &room, mod[i].string);
        boot_reserve(bi, m->start, m->end, "module");
    }
}

/**
 * The command line without its first word, which QEMU and GRUB set to the
 * image's file name (Xen drops it the same way).
 */
static const char *skip_image_name(const char *s)
{
    while (*s == ' ')
        s++;
    while (*s && *s != ' ')
        s++;
    while (*s == ' ')
        s++;
    return s;
}

void multiboot_cmdline(paddr_t mbi_pa)
{
    const struct multiboot_info *mbi = __va(mbi_pa);
    const char *s = "";

    if (mbi->flags & MBI_CMDLINE)
        s = skip_image_name(__va(mbi->cmdline));
    if (strlcpy(cmdline_buf, s, sizeof(cmdline_buf)) >= sizeof(cmdline_buf))
        printk(LOG_WARNING "Command line longer than %zu bytes, cut\n",
               sizeof(cmdline_buf) - 1);
    boot_info.cmdline = cmdline_buf;
}

void multiboot_init(paddr_t mbi_pa)
{
    const struct multiboot_info *mbi = __va(mbi_pa);
    struct boot_info *bi = &boot_info;
    int rc;

    bi->loader = "unknown";
    if (mbi->flags & MBI_LOADERNAME) {
        char *pool = loader_buf;
        size_t room = sizeof(loader_buf);

        bi->loader = keep_string(&pool, &room, mbi->boot_loader_name);
    }

    rc = multiboot_parse_mmap(mbi, bi);
    if (rc == -ENOENT) {
        printk(LOG_WARNING "No Multiboot memory map; using mem_lower and "
                           "mem_upper\n");
        map_from_memlimits(mbi, bi);
    } else if (rc < 0) {
        printk(LOG_ERR "Memory map could not be read (error %d)\n", rc);
        bi->nr_map = 0;
    }

    boot_reserve(bi, HV_PHYS_START, __pa_image(__bss_end), "hypervisor");
    multiboot_modules(mbi, bi);
}
