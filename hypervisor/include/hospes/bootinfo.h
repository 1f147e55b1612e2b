/**
 * @file
 * @brief What the hypervisor learns at boot: memory map, modules, reserved
 *        ranges, command line.
 *
 * arch/x86/multiboot.c fills struct boot_info from the Multiboot information
 * before anything allocates memory; the page allocator (lab 2) takes its free
 * memory from here, minus the reserved ranges. Design page: docs/boot.md.
 */
#ifndef HOSPES_BOOTINFO_H
#define HOSPES_BOOTINFO_H

#include <hospes/types.h>

/** Most memory map entries we keep (QEMU gives about six). */
#define BOOT_MAX_REGIONS 64
/** Most modules we accept. */
#define BOOT_MAX_MODULES 16
/** Most reserved ranges (image, boot data, modules). */
#define BOOT_MAX_RESERVED (BOOT_MAX_MODULES + 4)
/** Longest command line we keep, NUL included. */
#define BOOT_CMDLINE_SIZE 1024

/** What a range of machine memory is. */
enum mem_type {
    MEM_USABLE,   /**< RAM we may allocate. */
    MEM_RESERVED, /**< firmware or device memory: never touch. */
    MEM_ACPI,     /**< ACPI tables: keep until they have been read. */
    MEM_NVS,      /**< ACPI non-volatile storage: never touch. */
    MEM_BAD,      /**< defective RAM: never touch. */
};

/** A half-open range of machine addresses, [start, end). */
struct mem_region {
    paddr_t start;      /**< first byte. */
    paddr_t end;        /**< one past the last byte. */
    enum mem_type type; /**< what the range holds. */
};

/** A module the loader placed in memory (a guest kernel, a ramdisk). */
struct boot_module {
    paddr_t start;      /**< first byte. */
    paddr_t end;        /**< one past the last byte. */
    const char *string; /**< its string: file name and arguments. */
};

/** A range that must not be allocated, and why. */
struct boot_reserved {
    paddr_t start;    /**< first byte. */
    paddr_t end;      /**< one past the last byte. */
    const char *what; /**< for the log: "hypervisor image", ... */
};

/** Everything the boot loader told us, in our own form. */
struct boot_info {
    struct mem_region map[BOOT_MAX_REGIONS];      /**< sorted by start. */
    unsigned int nr_map;                          /**< entries in map. */
    struct boot_module modules[BOOT_MAX_MODULES]; /**< in loader order. */
    unsigned int nr_modules;                      /**< entries in modules. */
    struct boot_reserved reserved[BOOT_MAX_RESERVED]; /**< not to allocate. */
    unsigned int nr_reserved; /**< entries in reserved. */
    const char *cmdline;      /**< options, the image name removed. */
    const char *loader;       /**< the boot loader's name, or "unknown". */
};

/** Filled in by multiboot_init(); read-only afterwards. */
extern struct boot_info boot_info;

/** @brief A region type's name as Xen prints it: "usable", "reserved", ... */
const char *mem_type_name(enum mem_type type);

/** @brief Total bytes of the map's regions of type @p type. */
uint64_t boot_mem_total(const struct boot_info *bi, enum mem_type type);

/**
 * @brief Record that [@p start, @p end) must never be allocated.
 * @param what  a few words for the log; must stay valid (a literal).
 */
void boot_reserve(struct boot_info *bi, paddr_t start, paddr_t end,
                  const char *what);

/**
 * @brief Apply the `mem=` option: forget usable RAM at or above it.
 *
 * Call once, after the map is read and before anything uses it.
 */
void boot_mem_limit(struct boot_info *bi);

/** @brief Print the memory map, the modules and the reserved ranges. */
void boot_info_print(const struct boot_info *bi);

/**
 * @brief Check the map: sorted, non-overlapping, non-empty regions, and
 *        every module and reserved range inside usable RAM.
 * @return 0 if all holds; otherwise the number of problems, each printed.
 */
int boot_info_check(const struct boot_info *bi);

#endif /* HOSPES_BOOTINFO_H */
