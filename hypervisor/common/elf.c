/**
 * @file
 * @brief The ELF loader of PV guest kernels: checks an image, reads its Xen
 *        notes, copies its segments into guest memory.
 *
 * Lab 4 (labs/04-pv-domains/README.md). Design page: docs/pv-guests.md.
 *
 * A PV kernel is an ordinary x86-64 ELF executable that also carries notes
 * of owner "Xen" (public/elfnote.h): where its virtual base is, where to
 * enter it, where it wants the hypercall page, what it is. The domain
 * builder asks elf_guest_parse() for these facts, maps guest memory over
 * [virt_base, virt_kend) and lets elf_guest_load() fill it.
 *
 * The image comes from outside (a boot module, later the toolstack), so
 * it is checked as hostile input: every offset and size in it is tested
 * against the file before anything is read there, with arithmetic that
 * cannot wrap (fits()), and headers are copied out with memcpy() because
 * nothing makes them aligned in the file. tests/unit/test_elf.c fuzzes it.
 *
 * Segments are loaded at p_vaddr. Old Linux kernels described their load
 * address through p_paddr plus the PADDR_OFFSET note, and Xen still
 * supports that; our guests and modern kernels link p_vaddr right, so a
 * PADDR_OFFSET note is checked like any numeric note and then ignored.
 */
#include <hospes/elf.h>
#include <hospes/errno.h>
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/page.h>
#include <hospes/printk.h>
#include <public/arch-x86.h>
#include <public/elfnote.h>

/** Notes are padded to multiples of this (ELF64 for x86-64 uses 4). */
#define NOTE_ALIGN 4

/** The note owner of Xen's notes, NUL included (n_namesz is 4). */
#define XEN_NOTE_NAME "Xen"

/**
 * The highest end a segment may have. The last page of the address
 * space is left out so that rounding an end up to a page never wraps.
 */
#define ADDR_LIMIT (0UL - PAGE_SIZE)

/** One past the lower canonical half: addresses below have bit 47 clear. */
#define CANONICAL_LOW_END (1UL << 47)

/** The start of the upper canonical half: bits 63 to 47 all set. */
#define CANONICAL_HIGH_START (~0UL << 47)

/** The bytes of a segment or a section in the file, named for messages. */
struct area {
    const char *kind;   /**< "segment" or "section" */
    unsigned int index; /**< its index in its header table */
    uint64_t offset;    /**< file offset of its first byte */
    uint64_t size;      /**< its length in the file */
};

/**
 * Record why the image is refused, as one sentence in g->error.
 * @return -EINVAL, so that callers can `return refuse(g, ...)`.
 */
static int __printf(2, 3) refuse(struct elf_guest *g, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    vsnprintf(g->error, sizeof(g->error), fmt, args);
    va_end(args);
    return -EINVAL;
}

/**
 * Whether [@p start, @p start + @p len) lies within [0, @p limit). Written
 * so that no sum is formed: a hostile start + len could wrap to a small
 * number and pass a naive test.
 */
static bool fits(uint64_t start, uint64_t len, uint64_t limit)
{
    return start <= limit && len <= limit - start;
}

/**
 * Copy entry @p i of a header table at file offset @p table, entries of
 * @p size bytes, into @p out. The caller has checked that the table is in
 * the file.
 */
static void read_entry(const struct elf_guest *g, uint64_t table,
                       unsigned int i, void *out, size_t size)
{
    memcpy(out, g->image + table + (uint64_t)i * size, size);
}

/** Whether a program header describes memory to fill (an empty one not). */
static bool loads_memory(const Elf64_Phdr *ph)
{
    return ph->p_type == PT_LOAD && ph->p_memsz;
}

/** Refuse an area whose bytes are not all in the file. */
static int check_in_file(struct elf_guest *g, const struct area *a)
{
    if (a->size && !fits(a->offset, a->size, g->size))
        return refuse(g, "%s %u ends past the end of the file", a->kind,
                      a->index);
    return 0;
}

/** Check the file header, and copy it to @p eh. */
static int check_ehdr(struct elf_guest *g, Elf64_Ehdr *eh)
{
    if (g->size < sizeof(*eh))
        return refuse(g, "the file is too short for an ELF header (%zu bytes)",
                      g->size);
    memcpy(eh, g->image, sizeof(*eh));
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
        return refuse(g, "not an ELF file (bad magic number)");
    if (eh->e_ident[EI_CLASS] != ELFCLASS64)
        return refuse(g, "not a 64-bit ELF file (class %u)",
                      eh->e_ident[EI_CLASS]);
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return refuse(g, "not a little-endian ELF file (data encoding %u)",
                      eh->e_ident[EI_DATA]);
    if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return refuse(g, "unknown ELF version %u/%u", eh->e_ident[EI_VERSION],
                      eh->e_version);
    if (eh->e_machine != EM_X86_64)
        return refuse(g, "not an x86-64 ELF file (machine %u)", eh->e_machine);
    if (eh->e_type != ET_EXEC)
        return refuse(g, "not an executable (ELF type %u, want ET_EXEC)",
                      eh->e_type);
    return 0;
}

/** Check that the program header table is what we expect, in the file. */
static int check_phdr_table(struct elf_guest *g, const Elf64_Ehdr *eh)
{
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return refuse(g, "program headers of %u bytes, expected %zu",
                      eh->e_phentsize, sizeof(Elf64_Phdr));
    if (eh->e_phnum > ELF_GUEST_MAX_PHDRS)
        return refuse(g, "%u program headers, more than %u", eh->e_phnum,
                      ELF_GUEST_MAX_PHDRS);
    if (!fits(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), g->size))
        return refuse(g, "the program headers lie outside the file");
    return 0;
}

/* -------------------------------------------------------------------------
 * Xen notes.
 */

/** A little-endian number of @p size bytes (at most 8), at any alignment. */
static uint64_t read_le(const uint8_t *p, size_t size)
{
    uint64_t value = 0;

    while (size--)
        value = value << 8 | p[size];
    return value;
}

/** Read a numeric note (a 4- or 8-byte value) called @p name into @p out. */
static int note_number(struct elf_guest *g, const char *name,
                       const uint8_t *desc, uint32_t descsz, uint64_t *out)
{
    if (descsz != 4 && descsz != 8)
        return refuse(g, "the %s note has %u bytes, expected 4 or 8", name,
                      descsz);
    *out = read_le(desc, descsz);
    return 0;
}

/**
 * Copy a string note into @p buf of @p size bytes. The note need not be
 * NUL-terminated, and a longer one is cut: the copy stops at the first
 * NUL, the end of the note or the end of the buffer, and is terminated.
 */
static void note_string(char *buf, size_t size, const uint8_t *desc,
                        uint32_t descsz)
{
    size_t len = strnlen((const char *)desc, min((size_t)descsz, size - 1));

    memcpy(buf, desc, len);
    buf[len] = '\0';
}

/**
 * Take in one Xen note of type @p type. Notes that mean nothing to a
 * 64-bit PV loader (PAE_MODE, GUEST_VERSION, ...) are skipped; PADDR_OFFSET
 * is checked and ignored (see the file comment).
 */
static int xen_note(struct elf_guest *g, uint32_t type, const uint8_t *desc,
                    uint32_t descsz)
{
    uint64_t ignored;

    switch (type) {
    case XEN_ELFNOTE_ENTRY:
        return note_number(g, "ENTRY", desc, descsz, &g->entry);
    case XEN_ELFNOTE_HYPERCALL_PAGE:
        g->has_hypercall_page = true;
        return note_number(g, "HYPERCALL_PAGE", desc, descsz,
                           &g->hypercall_page);
    case XEN_ELFNOTE_VIRT_BASE:
        return note_number(g, "VIRT_BASE", desc, descsz, &g->virt_base);
    case XEN_ELFNOTE_PADDR_OFFSET:
        return note_number(g, "PADDR_OFFSET", desc, descsz, &ignored);
    case XEN_ELFNOTE_GUEST_OS:
        note_string(g->guest_os, sizeof(g->guest_os), desc, descsz);
        break;
    case XEN_ELFNOTE_XEN_VERSION:
        note_string(g->xen_version, sizeof(g->xen_version), desc, descsz);
        break;
    case XEN_ELFNOTE_LOADER:
        note_string(g->loader, sizeof(g->loader), desc, descsz);
        break;
    case XEN_ELFNOTE_FEATURES:
        note_string(g->features, sizeof(g->features), desc, descsz);
        break;
    }
    return 0;
}

/**
 * Walk the notes in area @p a (already checked to be in the file) and take
 * in those of owner "Xen" with xen_note(). Other owners' notes are
 * skipped, but a note of any owner whose name or descriptor runs past the
 * area is refused (refuse(g, "note %u of %s %u runs past its end", ...)).
 *
 * A note is an Elf64_Nhdr (namesz, descsz, type), then the name, padded
 * to NOTE_ALIGN bytes, then the descriptor, padded the same way. Copy
 * each header out with memcpy() (the image may be unaligned), and check
 * with fits() before touching what it describes: the sizes are the
 * file's, so they may be anything. A Xen note's name is XEN_NOTE_NAME
 * with its NUL (namesz 4).
 *
 * @return how many Xen notes the area holds, or -EINVAL.
 */
static int walk_notes(struct elf_guest *g, const struct area *a)
{
    // LAB 4 BEGIN exercise 1: walk_notes()
    uint64_t pos = a->offset, end = a->offset + a->size;
    unsigned int n;
    int found = 0;

    for (n = 0; pos < end; n++) {
        Elf64_Nhdr nh;
        uint64_t name, desc;
        int rc;

        if (end - pos < sizeof(nh))
            return refuse(g, "note %u of %s %u runs past its end", n, a->kind,
                          a->index);
        memcpy(&nh, g->image + pos, sizeof(nh));
        name = pos + sizeof(nh);
        /* No wrap: n_namesz < 2^32. If desc is in the area, so is name. */
        desc = name + ROUNDUP((uint64_t)nh.n_namesz, NOTE_ALIGN);
        if (!fits(desc, nh.n_descsz, end))
            return refuse(g, "note %u of %s %u runs past its end", n, a->kind,
                          a->index);

        if (nh.n_namesz == sizeof(XEN_NOTE_NAME) &&
            !memcmp(g->image + name, XEN_NOTE_NAME, sizeof(XEN_NOTE_NAME))) {
            rc = xen_note(g, nh.n_type, g->image + desc, nh.n_descsz);
            if (rc)
                return rc;
            found++;
        }
        /* The last note's padding may be missing: then pos passes end. */
        pos = desc + ROUNDUP((uint64_t)nh.n_descsz, NOTE_ALIGN);
    }
    return found;
    // LAB 4 STUB
    // lab_todo(4, 1, "walk_notes()");
    // (void)xen_note;
    // (void)fits;
    // (void)a;
    // return refuse(g, "ELF notes not read (lab 4, exercise 1)");
    // LAB 4 END
}

/**
 * Check that the @p size bytes at file offset @p offset of @p kind (a
 * segment or a section) number @p i are in the file, then walk their
 * notes. @return as walk_notes().
 */
static int area_notes(struct elf_guest *g, const char *kind, unsigned int i,
                      uint64_t offset, uint64_t size)
{
    struct area a = { kind, i, offset, size };
    int rc = check_in_file(g, &a);

    return rc ? rc : walk_notes(g, &a);
}

/**
 * The fallback for kernels without a PT_NOTE segment: walk the SHT_NOTE
 * sections. Section headers are read only here, so a kernel with good
 * notes in segments may have any section table at all.
 *
 * @return how many Xen notes they hold, or -EINVAL.
 */
static int section_notes(struct elf_guest *g, const Elf64_Ehdr *eh)
{
    Elf64_Shdr sh;
    unsigned int i;
    int found = 0, rc;

    if (!eh->e_shnum)
        return 0; /* no section table */
    if (eh->e_shentsize != sizeof(Elf64_Shdr))
        return refuse(g, "section headers of %u bytes, expected %zu",
                      eh->e_shentsize, sizeof(Elf64_Shdr));
    if (!fits(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), g->size))
        return refuse(g, "the section headers lie outside the file");

    for (i = 0; i < eh->e_shnum; i++) {
        read_entry(g, eh->e_shoff, i, &sh, sizeof(sh));
        if (sh.sh_type != SHT_NOTE)
            continue;
        rc = area_notes(g, "section", i, sh.sh_offset, sh.sh_size);
        if (rc < 0)
            return rc;
        found += rc;
    }
    return found;
}

/**
 * Read the Xen notes: from the PT_NOTE segments, or, if none of those has
 * one, from the SHT_NOTE sections (Xen's order: some kernels have only
 * the sections).
 */
static int read_notes(struct elf_guest *g, const Elf64_Ehdr *eh)
{
    Elf64_Phdr ph;
    unsigned int i;
    int found = 0, rc;

    for (i = 0; i < eh->e_phnum; i++) {
        read_entry(g, eh->e_phoff, i, &ph, sizeof(ph));
        if (ph.p_type != PT_NOTE)
            continue;
        rc = area_notes(g, "segment", i, ph.p_offset, ph.p_filesz);
        if (rc < 0)
            return rc;
        found += rc;
    }
    if (!found)
        found = section_notes(g, eh);
    if (found < 0)
        return found;
    if (!found)
        return refuse(g, "no Xen ELF notes: not a PV kernel");
    return 0;
}

/* -------------------------------------------------------------------------
 * Where the segments go.
 */

/** Whether @p va is canonical: bits 63 to 47 all equal. */
static bool canonical(uint64_t va)
{
    return va < CANONICAL_LOW_END || va >= CANONICAL_HIGH_START;
}

/**
 * What is wrong with placing guest bytes at [@p first, @p last], or NULL
 * if nothing is. The range must be canonical throughout, so both ends in
 * the same half, and must keep out of the hypervisor's slots.
 */
static const char *bad_range(uint64_t first, uint64_t last)
{
    if (!canonical(first) || !canonical(last) ||
        (first < CANONICAL_LOW_END) != (last < CANONICAL_LOW_END))
        return "is not canonical";
    if (first < HYPERVISOR_VIRT_END && last >= HYPERVISOR_VIRT_START)
        return "overlaps the hypervisor's area";
    return NULL;
}

/** Check one PT_LOAD segment, number @p i, on its own. */
static int check_load(struct elf_guest *g, unsigned int i, const Elf64_Phdr *ph)
{
    struct area file = { "segment", i, ph->p_offset, ph->p_filesz };
    const char *why;
    int rc;

    if (ph->p_filesz > ph->p_memsz)
        return refuse(g, "segment %u has p_filesz > p_memsz", i);
    rc = check_in_file(g, &file);
    if (rc || !ph->p_memsz)
        return rc; /* an empty segment places nothing */
    if (!fits(ph->p_vaddr, ph->p_memsz, ADDR_LIMIT))
        return refuse(g, "segment %u runs off the top of the address space", i);
    why = bad_range(ph->p_vaddr, ph->p_vaddr + ph->p_memsz - 1);
    if (why)
        return refuse(g, "segment %u %s", i, why);
    if (ph->p_vaddr < g->virt_base)
        return refuse(g, "segment %u starts below the virtual base 0x%lx", i,
                      g->virt_base);
    return 0;
}

/** Refuse segment @p i if it overlaps one of the segments before it. */
static int check_overlap(struct elf_guest *g, const Elf64_Ehdr *eh,
                         unsigned int i, const Elf64_Phdr *ph)
{
    Elf64_Phdr other;
    unsigned int j;

    for (j = 0; j < i; j++) {
        read_entry(g, eh->e_phoff, j, &other, sizeof(other));
        if (loads_memory(&other) && other.p_vaddr < ph->p_vaddr + ph->p_memsz &&
            ph->p_vaddr < other.p_vaddr + other.p_memsz)
            return refuse(g, "segments %u and %u overlap", j, i);
    }
    return 0;
}

/**
 * Check the range the builder will map, [virt_base, virt_kend): like a
 * segment it must be canonical and the guest's, and it must be small.
 */
static int check_span(struct elf_guest *g)
{
    const char *why = bad_range(g->virt_base, g->virt_kend - 1);

    if (why)
        return refuse(g, "the range from the virtual base 0x%lx %s",
                      g->virt_base, why);
    if (g->virt_kend - g->virt_base > ELF_GUEST_MAX_SPAN)
        return refuse(g, "the image spans 0x%lx bytes, more than %lu GiB",
                      g->virt_kend - g->virt_base, ELF_GUEST_MAX_SPAN >> 30);
    return 0;
}

/**
 * Check every PT_LOAD segment, alone and against the others, and set
 * virt_kstart and virt_kend around them.
 */
static int check_segments(struct elf_guest *g, const Elf64_Ehdr *eh)
{
    uint64_t lowest = UINT64_MAX, end = 0;
    Elf64_Phdr ph;
    unsigned int i;
    int rc;

    if (g->virt_base & ~PAGE_MASK)
        return refuse(g, "the virtual base 0x%lx is not page-aligned",
                      g->virt_base);
    for (i = 0; i < eh->e_phnum; i++) {
        read_entry(g, eh->e_phoff, i, &ph, sizeof(ph));
        if (ph.p_type != PT_LOAD)
            continue;
        rc = check_load(g, i, &ph);
        if (!rc && loads_memory(&ph))
            rc = check_overlap(g, eh, i, &ph);
        if (rc)
            return rc;
        if (loads_memory(&ph)) {
            lowest = min(lowest, ph.p_vaddr);
            end = max(end, ph.p_vaddr + ph.p_memsz);
        }
    }
    if (!end)
        return refuse(g, "no loadable segment (PT_LOAD)");
    g->virt_kstart = lowest & PAGE_MASK;
    g->virt_kend = ROUNDUP(end, PAGE_SIZE);
    return check_span(g);
}

/** Whether @p va is a byte of some PT_LOAD segment. */
static bool in_segment(const struct elf_guest *g, const Elf64_Ehdr *eh,
                       uint64_t va)
{
    Elf64_Phdr ph;
    unsigned int i;

    for (i = 0; i < eh->e_phnum; i++) {
        read_entry(g, eh->e_phoff, i, &ph, sizeof(ph));
        if (loads_memory(&ph) && va >= ph.p_vaddr &&
            va - ph.p_vaddr < ph.p_memsz)
            return true;
    }
    return false;
}

/**
 * Check the addresses the notes gave: the entry point must be loaded
 * code's, the hypercall page a whole page of the image (the builder maps
 * every page of it, and writes the stubs there).
 */
static int check_addresses(struct elf_guest *g, const Elf64_Ehdr *eh)
{
    if (!in_segment(g, eh, g->entry))
        return refuse(g, "the entry point 0x%lx is not in a loaded segment",
                      g->entry);
    if (!g->has_hypercall_page)
        return 0;
    if (g->hypercall_page & ~PAGE_MASK)
        return refuse(g, "the hypercall page 0x%lx is not page-aligned",
                      g->hypercall_page);
    if (g->hypercall_page < g->virt_kstart || g->hypercall_page >= g->virt_kend)
        return refuse(g, "the hypercall page 0x%lx is outside the image",
                      g->hypercall_page);
    return 0;
}

int elf_guest_parse(struct elf_guest *g, const void *image, size_t size)
{
    Elf64_Ehdr eh;
    int rc;

    memset(g, 0, sizeof(*g));
    g->image = image;
    g->size = size;

    rc = check_ehdr(g, &eh);
    if (!rc)
        rc = check_phdr_table(g, &eh);
    if (rc)
        return rc;
    g->entry = eh.e_entry; /* unless an ENTRY note says otherwise */
    rc = read_notes(g, &eh);
    if (!rc)
        rc = check_segments(g, &eh);
    if (!rc)
        rc = check_addresses(g, &eh);
    return rc;
}

/* -------------------------------------------------------------------------
 * Loading.
 */

/**
 * Write @p len bytes at guest virtual address @p va, page by page: a copy
 * of @p src, or zeros if @p src is NULL.
 *
 * @return 0, or -EFAULT if a page is missing.
 */
static int write_guest(elf_guest_page_fn page_at, void *arg, uint64_t va,
                       const uint8_t *src, uint64_t len)
{
    while (len) {
        uint64_t offset = va & ~PAGE_MASK;
        uint64_t chunk = min(len, PAGE_SIZE - offset);
        uint8_t *page = page_at(arg, va - offset);

        if (!page)
            return -EFAULT;
        if (src) {
            memcpy(page + offset, src, chunk);
            src += chunk;
        } else {
            memset(page + offset, 0, chunk);
        }
        va += chunk;
        len -= chunk;
    }
    return 0;
}

int elf_guest_load(const struct elf_guest *g, elf_guest_page_fn page_at,
                   void *arg)
{
    Elf64_Ehdr eh;
    Elf64_Phdr ph;
    unsigned int i;
    int rc;

    memcpy(&eh, g->image, sizeof(eh));
    for (i = 0; i < eh.e_phnum; i++) {
        read_entry(g, eh.e_phoff, i, &ph, sizeof(ph));
        if (!loads_memory(&ph))
            continue;
        /* Only a segment with file bytes has a checked p_offset. */
        rc = write_guest(page_at, arg, ph.p_vaddr,
                         ph.p_filesz ? g->image + ph.p_offset : NULL,
                         ph.p_filesz);
        if (!rc)
            rc = write_guest(page_at, arg, ph.p_vaddr + ph.p_filesz, NULL,
                             ph.p_memsz - ph.p_filesz);
        if (rc)
            return rc;
    }
    return 0;
}
