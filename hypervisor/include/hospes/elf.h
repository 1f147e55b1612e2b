/**
 * @file
 * @brief ELF64 file format, and the loader of PV guest kernels.
 *
 * The first half defines the parts of the ELF64 format (System V ABI,
 * "Object Files", with the x86-64 supplement) that a loader reads: the
 * file header, program headers (segments), section headers and notes.
 * Only little-endian x86-64 executables are loaded, so no other class,
 * byte order or machine is described.
 *
 * The second half is the loader the PV domain builder uses: elf_guest_parse()
 * checks an image and reads the Xen notes that tell the builder where the
 * kernel wants to live (public/elfnote.h), elf_guest_load() copies its
 * segments into the guest's memory. Lab 4 (labs/04-pv-domains/README.md).
 * Design page: docs/pv-guests.md.
 */
#ifndef HOSPES_ELF_H
#define HOSPES_ELF_H

#include <hospes/types.h>

/** @name ELF64 basic types */
/**@{*/
typedef uint64_t Elf64_Addr;  /**< a virtual or physical address */
typedef uint64_t Elf64_Off;   /**< a byte offset in the file */
typedef uint16_t Elf64_Half;  /**< a small unsigned number */
typedef uint32_t Elf64_Word;  /**< an unsigned number */
typedef uint64_t Elf64_Xword; /**< a large unsigned number (a size) */
/**@}*/

/** @name Indices into Elf64_Ehdr::e_ident */
/**@{*/
#define EI_MAG0    0  /**< magic byte 0: 0x7f */
#define EI_MAG1    1  /**< magic byte 1: 'E' */
#define EI_MAG2    2  /**< magic byte 2: 'L' */
#define EI_MAG3    3  /**< magic byte 3: 'F' */
#define EI_CLASS   4  /**< 32- or 64-bit: ELFCLASS64 */
#define EI_DATA    5  /**< byte order: ELFDATA2LSB */
#define EI_VERSION 6  /**< format version: EV_CURRENT */
#define EI_NIDENT  16 /**< size of e_ident */
/**@}*/

/** @name Values of the identification bytes and header fields */
/**@{*/
#define ELFMAG      "\177ELF" /**< the four magic bytes */
#define SELFMAG     4         /**< how many bytes ELFMAG has */
#define ELFCLASS64  2         /**< e_ident[EI_CLASS]: 64-bit objects */
#define ELFDATA2LSB 1         /**< e_ident[EI_DATA]: little-endian */
#define EV_CURRENT  1         /**< e_ident[EI_VERSION], e_version */
#define ET_EXEC     2         /**< e_type: an executable (fixed addresses) */
#define EM_X86_64   62        /**< e_machine: AMD x86-64 */
/**@}*/

/** The ELF file header, at offset 0 of every ELF file. */
typedef struct {
    unsigned char e_ident[EI_NIDENT]; /**< magic, class, byte order, ... */
    Elf64_Half e_type;                /**< file type: ET_EXEC */
    Elf64_Half e_machine;             /**< architecture: EM_X86_64 */
    Elf64_Word e_version;             /**< format version: EV_CURRENT */
    Elf64_Addr e_entry;               /**< virtual address of the entry */
    Elf64_Off e_phoff;                /**< file offset of program headers */
    Elf64_Off e_shoff;                /**< file offset of section headers */
    Elf64_Word e_flags;               /**< machine flags (none on x86-64) */
    Elf64_Half e_ehsize;              /**< size of this header */
    Elf64_Half e_phentsize;           /**< size of one program header */
    Elf64_Half e_phnum;               /**< number of program headers */
    Elf64_Half e_shentsize;           /**< size of one section header */
    Elf64_Half e_shnum;               /**< number of section headers */
    Elf64_Half e_shstrndx;            /**< section of the section names */
} Elf64_Ehdr;

/** @name Program header types (Elf64_Phdr::p_type) */
/**@{*/
#define PT_NULL 0 /**< unused entry */
#define PT_LOAD 1 /**< a segment to load into memory */
#define PT_NOTE 4 /**< notes (Elf64_Nhdr records) */
/**@}*/

/** @name Segment permissions (Elf64_Phdr::p_flags) */
/**@{*/
#define PF_X 1 /**< executable */
#define PF_W 2 /**< writable */
#define PF_R 4 /**< readable */
/**@}*/

/**
 * A program header: one segment, as the loader sees the file. A loadable
 * segment is p_filesz bytes of the file at p_offset, placed at p_vaddr
 * and followed by zeros up to p_memsz (the bss).
 */
typedef struct {
    Elf64_Word p_type;    /**< what it is: PT_LOAD, PT_NOTE, ... */
    Elf64_Word p_flags;   /**< PF_R, PF_W, PF_X */
    Elf64_Off p_offset;   /**< file offset of its bytes */
    Elf64_Addr p_vaddr;   /**< virtual address of its first byte */
    Elf64_Addr p_paddr;   /**< physical address (unused by us) */
    Elf64_Xword p_filesz; /**< bytes in the file */
    Elf64_Xword p_memsz;  /**< bytes in memory (>= p_filesz) */
    Elf64_Xword p_align;  /**< alignment of p_offset and p_vaddr */
} Elf64_Phdr;

/** Section type (Elf64_Shdr::sh_type) of a section of notes. */
#define SHT_NOTE 7

/**
 * A section header: one section, as the linker sees the file. We read
 * them only to find notes in kernels that have no PT_NOTE segment.
 */
typedef struct {
    Elf64_Word sh_name;       /**< name: offset in the name section */
    Elf64_Word sh_type;       /**< what it holds: SHT_NOTE, ... */
    Elf64_Xword sh_flags;     /**< writable, allocated, executable */
    Elf64_Addr sh_addr;       /**< virtual address, if loaded */
    Elf64_Off sh_offset;      /**< file offset of its bytes */
    Elf64_Xword sh_size;      /**< its size in bytes */
    Elf64_Word sh_link;       /**< a related section (type-specific) */
    Elf64_Word sh_info;       /**< extra information (type-specific) */
    Elf64_Xword sh_addralign; /**< alignment of sh_addr */
    Elf64_Xword sh_entsize;   /**< size of one entry, for tables */
} Elf64_Shdr;

/**
 * A note's header. The owner's name (n_namesz bytes, NUL included)
 * follows, then the descriptor (n_descsz bytes); each is padded with
 * zeros to a multiple of 4 bytes.
 */
typedef struct {
    Elf64_Word n_namesz; /**< size of the owner's name, NUL included */
    Elf64_Word n_descsz; /**< size of the descriptor */
    Elf64_Word n_type;   /**< meaning of the note, chosen by the owner */
} Elf64_Nhdr;

/**
 * The largest virtual range a PV kernel may span, from its virtual base
 * to the end of its last segment. Our kernels are a few MiB; the limit
 * keeps a bad image from asking the builder for absurd mappings.
 */
#define ELF_GUEST_MAX_SPAN (1UL << 30)

/**
 * The most program headers an image may have. Kernels have a handful; the
 * overlap check compares every pair of segments, and the limit keeps it
 * quick on any file.
 */
#define ELF_GUEST_MAX_PHDRS 64

/** What the PV domain builder needs to know about a kernel image. */
struct elf_guest {
    const uint8_t *image;    /**< the file in memory */
    size_t size;             /**< its length in bytes */
    uint64_t virt_base;      /**< XEN_ELFNOTE_VIRT_BASE, or 0 */
    uint64_t entry;          /**< XEN_ELFNOTE_ENTRY, else e_entry */
    uint64_t hypercall_page; /**< XEN_ELFNOTE_HYPERCALL_PAGE's address */
    bool has_hypercall_page; /**< whether that note was there */
    uint64_t virt_kstart;    /**< lowest PT_LOAD byte, page-aligned down */
    uint64_t virt_kend;      /**< one past the highest, page-aligned up */
    char guest_os[32];       /**< XEN_ELFNOTE_GUEST_OS, or "" */
    char xen_version[16];    /**< XEN_ELFNOTE_XEN_VERSION, or "" */
    char loader[16];         /**< XEN_ELFNOTE_LOADER, or "" */
    char features[128];      /**< XEN_ELFNOTE_FEATURES, or "" */
    char error[96];          /**< why elf_guest_parse() refused the image */
};

/**
 * @brief Check a PV kernel image and read its Xen notes.
 *
 * The image must be a little-endian x86-64 ELF64 executable with at least
 * one PT_LOAD segment, at most ELF_GUEST_MAX_PHDRS program headers, and
 * Xen notes (owner "Xen") in a PT_NOTE segment or, if no PT_NOTE segment
 * has any, in an SHT_NOTE section. Its segments must lie in the file, not
 * overlap, stay in the canonical guest part of the address space (outside
 * HYPERVISOR_VIRT_START..HYPERVISOR_VIRT_END) and not start below the
 * virtual base, which must be page-aligned; from the virtual base to the
 * end of the last segment is at most ELF_GUEST_MAX_SPAN. The entry point
 * must be in a segment, the hypercall page (if any) a page of the image.
 * Empty PT_LOAD segments (p_memsz 0) are ignored.
 *
 * The image is untrusted: whatever its bytes, nothing outside
 * [@p image, @p image + @p size) is read. The result points into it.
 *
 * @param g      filled in; on failure only g->error is meaningful.
 * @param image  the file in memory (any alignment).
 * @param size   its length in bytes.
 * @return 0, or -EINVAL with g->error set to one sentence saying why.
 */
int elf_guest_parse(struct elf_guest *g, const void *image, size_t size);

/**
 * A function that finds guest memory for elf_guest_load().
 *
 * @param arg  the caller's context, as given to elf_guest_load().
 * @param va   a page-aligned guest virtual address.
 * @return a hypervisor pointer to the 4 KiB guest page at @p va, or NULL
 *         if the guest has no page there.
 */
typedef void *(*elf_guest_page_fn)(void *arg, uint64_t va);

/**
 * @brief Copy every PT_LOAD segment of a parsed image into guest memory
 *        and zero its bss part.
 *
 * Only bytes of the segments are written: the rest of their first and
 * last pages is left as it was, so the builder hands in cleared pages.
 * Call only after elf_guest_parse() returned 0 for @p g.
 *
 * @param g        the parsed image.
 * @param page_at  finds the page of each virtual address written.
 * @param arg      passed to @p page_at.
 * @return 0, or -EFAULT if @p page_at returned NULL for a page.
 */
int elf_guest_load(const struct elf_guest *g, elf_guest_page_fn page_at,
                   void *arg);

#endif /* HOSPES_ELF_H */
