/**
 * @file
 * @brief The Multiboot (version 1) boot protocol, as far as Hospes uses it.
 *
 * The loader (QEMU's `-kernel`, or GRUB) leaves EAX = MULTIBOOT_BOOTLOADER_MAGIC
 * and EBX = the physical address of a struct multiboot_info. Every address in
 * these structures is physical and 32 bits wide. Reference: the Multiboot
 * Specification 0.6.96, section 3.3.
 */
#ifndef HOSPES_MULTIBOOT_H
#define HOSPES_MULTIBOOT_H

#include <hospes/types.h>

/** First word of the header that marks an image as Multiboot-bootable. */
#define MULTIBOOT_HEADER_MAGIC 0x1BADB002

/** @name Header flags: what we ask of the loader. */
/**@{*/
#define MBH_PAGE_ALIGN  (1u << 0)  /**< modules on page boundaries */
#define MBH_MEMORY_INFO (1u << 1)  /**< give us the memory map */
#define MBH_AOUT_KLUDGE (1u << 16) /**< load by the header's address fields */
/**@}*/

/** EAX at entry when a Multiboot loader started us. */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

/** @name struct multiboot_info flags: which fields are valid. */
/**@{*/
#define MBI_MEMLIMITS  (1u << 0) /**< mem_lower, mem_upper */
#define MBI_CMDLINE    (1u << 2) /**< cmdline */
#define MBI_MODULES    (1u << 3) /**< mods_count, mods_addr */
#define MBI_MEMMAP     (1u << 6) /**< mmap_length, mmap_addr */
#define MBI_LOADERNAME (1u << 9) /**< boot_loader_name */
/**@}*/

/** What the loader tells us (only the fields up to the loader name). */
struct multiboot_info {
    uint32_t flags;            /**< MBI_* bits. */
    uint32_t mem_lower;        /**< KiB of memory below 1 MiB. */
    uint32_t mem_upper;        /**< KiB of memory from 1 MiB up to a hole. */
    uint32_t boot_device;      /**< BIOS disk (unused). */
    uint32_t cmdline;          /**< the command line, a C string. */
    uint32_t mods_count;       /**< number of modules. */
    uint32_t mods_addr;        /**< array of struct multiboot_module. */
    uint32_t syms[4];          /**< a.out or ELF symbols (unused). */
    uint32_t mmap_length;      /**< bytes of memory map. */
    uint32_t mmap_addr;        /**< first struct multiboot_mmap_entry. */
    uint32_t drives_length;    /**< BIOS drives (unused). */
    uint32_t drives_addr;      /**< BIOS drives (unused). */
    uint32_t config_table;     /**< BIOS configuration table (unused). */
    uint32_t boot_loader_name; /**< the loader's name, a C string. */
};

/** One module (`-initrd "a,b"` gives two). */
struct multiboot_module {
    uint32_t mod_start; /**< first byte. */
    uint32_t mod_end;   /**< one past the last byte. */
    uint32_t string;    /**< its string, a C string. */
    uint32_t reserved;  /**< zero. */
};

/** @name Memory map entry types (the BIOS's e820 numbers). */
/**@{*/
#define MULTIBOOT_MEMORY_AVAILABLE 1 /**< usable RAM */
#define MULTIBOOT_MEMORY_RESERVED  2 /**< reserved */
#define MULTIBOOT_MEMORY_ACPI      3 /**< ACPI tables, reclaimable */
#define MULTIBOOT_MEMORY_NVS       4 /**< ACPI non-volatile storage */
#define MULTIBOOT_MEMORY_BADRAM    5 /**< defective RAM */
/**@}*/

/**
 * One memory map entry. Entries are not a plain array: each one starts with
 * its own size, which does not count the size field itself, so the next
 * entry is at `(char *)e + e->size + sizeof(e->size)`.
 */
struct multiboot_mmap_entry {
    uint32_t size; /**< bytes that follow this field. */
    uint64_t addr; /**< first byte of the range. */
    uint64_t len;  /**< length of the range in bytes. */
    uint32_t type; /**< MULTIBOOT_MEMORY_*. */
} __packed;

#endif /* HOSPES_MULTIBOOT_H */
