/*
 * test_elf.c: unit tests of the PV kernel loader, hypervisor/common/elf.c
 * (lab 4: elf_guest_parse() and elf_guest_load()).
 *
 * hv-sources: hypervisor/common/elf.c hypervisor/common/vsnprintf.c
 *
 * build_image() writes a small PV kernel the way a linker would: a text
 * and a data+bss segment, a PT_NOTE segment with the notes our guests
 * carry (and a note of another owner), and a section table whose SHT_NOTE
 * section holds the same notes. Each test breaks one thing in it and
 * checks what the loader says. The image is always handed over in a heap
 * block of exactly its size, so that AddressSanitizer reports any read
 * past its end; UBSan reports misaligned or wrapping accesses.
 *
 * The fuzz test mutates the image thousands of times and checks that the
 * loader only ever accepts or refuses, and that what it accepts loads
 * within the span it announced.
 */
#include "unit.h"

#include <stdlib.h>

#include <hospes/elf.h>
#include <hospes/errno.h>
#include <hospes/page.h>
#include <public/arch-x86.h>
#include <public/elfnote.h>

/* -------------------------------------------------------------------------
 * The test image.
 */

/* Where our guests are linked by default, and a low base for 4-byte notes. */
#define HIGH_BASE 0xffffffff80000000UL
#define LOW_BASE  0x400000UL

/* The first non-canonical address, above the lower half. */
#define CANONICAL_HOLE 0x0000800000000000UL

/* Virtual layout, from the base: two text pages, then data and bss. */
#define TEXT_VA      0x0000UL
#define TEXT_SIZE    0x2000UL
#define ENTRY_VA     0x0010UL /* in the first text page */
#define E_ENTRY_VA   0x0020UL /* the header's e_entry: not the note's */
#define HYPERCALL_VA 0x1000UL /* the second text page */
#define DATA_VA      0x2000UL
#define DATA_FILESZ  0x0234UL
#define DATA_MEMSZ   0x1e00UL
#define SPAN         0x4000UL /* DATA_VA + DATA_MEMSZ, page-aligned up */
#define SPAN_PAGES   (SPAN / PAGE_SIZE)

#define GUEST_OS "Hospes-test"
#define FEATURES "writable_descriptor_tables|auto_translated_physmap"

/* The program headers and sections of the image. */
enum { SEG_TEXT, SEG_DATA, SEG_NOTE, NR_PHDRS };
enum { SEC_NULL, SEC_NOTE, NR_SHDRS };

/* The file, laid out as a struct so that tests can name its parts. */
struct file {
    Elf64_Ehdr eh;
    Elf64_Phdr ph[NR_PHDRS];
    Elf64_Shdr sh[NR_SHDRS];
    uint8_t notes[512];
    uint8_t text[TEXT_SIZE];
    uint8_t data[DATA_FILESZ]; /* last: the file ends with it */
};

/* Room for a note of every Xen type (public/elfnote.h). */
#define NR_NOTE_TYPES 32

/* A built image and where its parts are. */
struct image {
    struct file f;
    size_t size;                   /* file length: may be cut */
    size_t notes_len;              /* bytes of notes written */
    size_t note_at[NR_NOTE_TYPES]; /* file offset of each Xen note */
};

/* What build_image() makes: a knob for each variation the tests need. */
struct spec {
    uint64_t base;        /* where it is linked; the VIRT_BASE note */
    uint32_t num_size;    /* bytes of each numeric note: 8, 4, or bad */
    const char *owner;    /* owner of the Xen notes: "Xen", or not */
    const char *guest_os; /* the GUEST_OS note */
    unsigned long omit;   /* bit n set: no Xen note of type n */
};

/* Bit for spec.omit. */
#define NOTE(type) (1UL << (type))
/* Every Xen note the image has. */
#define ALL_NOTES ~0UL

static struct spec default_spec(void)
{
    return (struct spec){
        .base = HIGH_BASE, .num_size = 8, .owner = "Xen", .guest_os = GUEST_OS
    };
}

static size_t round4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

/* Append a note to the note area; return its file offset. */
static size_t add_note(struct image *im, const char *owner, uint32_t type,
                       const void *desc, uint32_t descsz)
{
    Elf64_Nhdr nh = { strlen(owner) + 1, descsz, type };
    size_t at = im->notes_len;
    uint8_t *p = im->f.notes + at;

    ck_assert(at + sizeof(nh) + round4(nh.n_namesz) + round4(descsz) <=
              sizeof(im->f.notes));
    memcpy(p, &nh, sizeof(nh));
    memcpy(p + sizeof(nh), owner, nh.n_namesz);
    memcpy(p + sizeof(nh) + round4(nh.n_namesz), desc, descsz);
    im->notes_len += sizeof(nh) + round4(nh.n_namesz) + round4(descsz);
    return offsetof(struct file, notes) + at;
}

/* Append Xen note @p type, unless @p s omits it. */
static void add_xen_note(struct image *im, const struct spec *s, uint32_t type,
                         const void *desc, uint32_t descsz)
{
    if (!(s->omit & NOTE(type)))
        im->note_at[type] = add_note(im, s->owner, type, desc, descsz);
}

/* Write @p value little-endian into @p size bytes (zeros past 8 bytes). */
static void put_le(uint8_t *p, uint64_t value, size_t size)
{
    for (size_t i = 0; i < size; i++)
        p[i] = i < 8 ? (uint8_t)(value >> (8 * i)) : 0;
}

static void add_number_note(struct image *im, const struct spec *s,
                            uint32_t type, uint64_t value)
{
    uint8_t desc[16];

    ck_assert(s->num_size <= sizeof(desc));
    put_le(desc, value, s->num_size);
    add_xen_note(im, s, type, desc, s->num_size);
}

static void add_string_note(struct image *im, const struct spec *s,
                            uint32_t type, const char *text)
{
    add_xen_note(im, s, type, text, strlen(text) + 1);
}

/* The notes a guest of ours carries, after a note of another owner. */
static void fill_notes(struct image *im, const struct spec *s)
{
    static const uint8_t build_id[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

    add_note(im, "GNU", 3, build_id, sizeof(build_id));
    add_string_note(im, s, XEN_ELFNOTE_GUEST_OS, s->guest_os);
    add_string_note(im, s, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_string_note(im, s, XEN_ELFNOTE_LOADER, "generic");
    add_string_note(im, s, XEN_ELFNOTE_FEATURES, FEATURES);
    add_number_note(im, s, XEN_ELFNOTE_VIRT_BASE, s->base);
    add_number_note(im, s, XEN_ELFNOTE_PADDR_OFFSET, 0);
    add_number_note(im, s, XEN_ELFNOTE_ENTRY, s->base + ENTRY_VA);
    add_number_note(im, s, XEN_ELFNOTE_HYPERCALL_PAGE, s->base + HYPERCALL_VA);
}

static void fill_ehdr(struct image *im, const struct spec *s)
{
    Elf64_Ehdr *eh = &im->f.eh;

    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = s->base + E_ENTRY_VA;
    eh->e_phoff = offsetof(struct file, ph);
    eh->e_shoff = offsetof(struct file, sh);
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = NR_PHDRS;
    eh->e_shentsize = sizeof(Elf64_Shdr);
    eh->e_shnum = NR_SHDRS;
}

/* A PT_LOAD program header, physical address = virtual as ld makes it. */
static Elf64_Phdr load_segment(uint32_t flags, size_t offset, uint64_t va,
                               uint64_t filesz, uint64_t memsz)
{
    return (Elf64_Phdr){ .p_type = PT_LOAD,
                         .p_flags = flags,
                         .p_offset = offset,
                         .p_vaddr = va,
                         .p_paddr = va,
                         .p_filesz = filesz,
                         .p_memsz = memsz,
                         .p_align = PAGE_SIZE };
}

static void fill_headers(struct image *im, const struct spec *s)
{
    Elf64_Phdr *ph = im->f.ph;

    ph[SEG_TEXT] = load_segment(PF_R | PF_X, offsetof(struct file, text),
                                s->base + TEXT_VA, TEXT_SIZE, TEXT_SIZE);
    ph[SEG_DATA] = load_segment(PF_R | PF_W, offsetof(struct file, data),
                                s->base + DATA_VA, DATA_FILESZ, DATA_MEMSZ);
    ph[SEG_NOTE] = (Elf64_Phdr){ .p_type = PT_NOTE,
                                 .p_flags = PF_R,
                                 .p_offset = offsetof(struct file, notes),
                                 .p_filesz = im->notes_len,
                                 .p_memsz = im->notes_len,
                                 .p_align = 4 };
    im->f.sh[SEC_NOTE] =
        (Elf64_Shdr){ .sh_type = SHT_NOTE,
                      .sh_offset = offsetof(struct file, notes),
                      .sh_size = im->notes_len,
                      .sh_addralign = 4 };
}

/* Build the image @p s describes into @p im. */
static void build_image(struct image *im, const struct spec *s)
{
    memset(im, 0, sizeof(*im));
    fill_notes(im, s);
    fill_ehdr(im, s);
    fill_headers(im, s);
    for (size_t i = 0; i < TEXT_SIZE; i++)
        im->f.text[i] = (uint8_t)(7 * i + 1);
    for (size_t i = 0; i < DATA_FILESZ; i++)
        im->f.data[i] = (uint8_t)(13 * i + 5);
    im->size = sizeof(struct file);
}

/* The image as bytes, for mutations. */
static uint8_t *bytes(struct image *im)
{
    return (uint8_t *)&im->f;
}

/* Overwrite the value of numeric note @p type (as many bytes as it has). */
static void set_number(struct image *im, uint32_t type, uint64_t value)
{
    Elf64_Nhdr nh;
    size_t at = im->note_at[type];

    ck_assert_msg(at, "the image has no note of type %u", type);
    memcpy(&nh, bytes(im) + at, sizeof(nh));
    put_le(bytes(im) + at + sizeof(nh) + round4(nh.n_namesz), value,
           nh.n_descsz);
}

/* The header of Xen note @p type, to change its sizes. */
static Elf64_Nhdr *note_header(struct image *im, uint32_t type)
{
    ck_assert_msg(im->note_at[type], "the image has no note of type %u", type);
    return (Elf64_Nhdr *)(bytes(im) + im->note_at[type]);
}

/* -------------------------------------------------------------------------
 * Parsing, on an exact copy.
 */

/* The heap copy elf_guest_parse() last saw (its g->image points into it). */
static uint8_t *copy;

static void free_copy(void)
{
    free(copy);
    copy = NULL;
}

/* Parse @p im from a heap block of exactly its size. */
static int parse(struct elf_guest *g, struct image *im)
{
    free_copy();
    copy = malloc(im->size ? im->size : 1);
    ck_assert(copy);
    memcpy(copy, bytes(im), im->size);
    return elf_guest_parse(g, copy, im->size);
}

/* Parse @p im and expect success. */
static void parse_ok(struct elf_guest *g, struct image *im)
{
    int rc = parse(g, im);

    ck_assert_msg(rc == 0, "refused (%d): %s", rc, g->error);
    ck_assert_str_eq(g->error, "");
}

/* Check every field parsed from an image built from @p s. */
static void check_fields(const struct elf_guest *g, const struct spec *s)
{
    ck_assert_ptr_eq(g->image, copy);
    ck_assert_uint_eq(g->size, sizeof(struct file));
    ck_assert_uint_eq(g->virt_base, s->base);
    ck_assert_uint_eq(g->entry, s->base + ENTRY_VA);
    ck_assert(g->has_hypercall_page);
    ck_assert_uint_eq(g->hypercall_page, s->base + HYPERCALL_VA);
    ck_assert_uint_eq(g->virt_kstart, s->base);
    ck_assert_uint_eq(g->virt_kend, s->base + SPAN);
    ck_assert_str_eq(g->guest_os, s->guest_os);
    ck_assert_str_eq(g->xen_version, "xen-3.0");
    ck_assert_str_eq(g->loader, "generic");
    ck_assert_str_eq(g->features, FEATURES);
}

/* The image most tests start from, built before each test. */
static struct image image;
static struct spec spec;

static void setup(void)
{
    spec = default_spec();
    build_image(&image, &spec);
}

/* -------------------------------------------------------------------------
 * Fake guest memory.
 */

/* Guest pages over [base, base + SPAN), as elf_guest_load() sees them. */
static struct memory {
    uint64_t base;
    size_t nr; /* pages present, from base */
    uint8_t bytes[SPAN];
} mem;

/* The page_at() of @p mem: its pages, NULL elsewhere. */
static void *page_in_memory(void *arg, uint64_t va)
{
    struct memory *m = arg;

    unit_assert(va % PAGE_SIZE == 0, "page_at(0x%lx): not page-aligned", va);
    if (va < m->base || (va - m->base) / PAGE_SIZE >= m->nr)
        return NULL;
    return m->bytes + (va - m->base);
}

/* Guest memory as dirty as a recycled page: bss must not stay so. */
#define DIRTY 0xa5

static void dirty_memory(uint64_t base, size_t nr)
{
    mem.base = base;
    mem.nr = nr;
    memset(mem.bytes, DIRTY, sizeof(mem.bytes));
}

/* Check that the bytes of [from, to) (offsets from the base) are @p c. */
static void check_filled(size_t from, size_t to, uint8_t c)
{
    for (size_t i = from; i < to; i++)
        unit_assert(mem.bytes[i] == c,
                    "byte base+0x%zx is 0x%02x, expected 0x%02x", i,
                    mem.bytes[i], c);
}

/* -------------------------------------------------------------------------
 * Accepted images.
 */

START_TEST(test_parse_valid)
{
    struct elf_guest g;

    parse_ok(&g, &image);
    check_fields(&g, &spec);
}
END_TEST

START_TEST(test_load_copies_and_zeroes_bss)
{
    const uint8_t *m = mem.bytes;
    struct elf_guest g;

    parse_ok(&g, &image);
    dirty_memory(spec.base, SPAN_PAGES);
    ck_assert_int_eq(elf_guest_load(&g, page_in_memory, &mem), 0);

    ck_assert(!memcmp(m + TEXT_VA, image.f.text, TEXT_SIZE));
    ck_assert(!memcmp(m + DATA_VA, image.f.data, DATA_FILESZ));
    check_filled(DATA_VA + DATA_FILESZ, DATA_VA + DATA_MEMSZ, 0);
    /* Past the bss, the last page is not the loader's to touch. */
    check_filled(DATA_VA + DATA_MEMSZ, SPAN, DIRTY);
}
END_TEST

START_TEST(test_load_missing_page)
{
    struct elf_guest g;

    parse_ok(&g, &image);
    dirty_memory(spec.base, SPAN_PAGES - 1); /* the bss's last page */
    ck_assert_int_eq(elf_guest_load(&g, page_in_memory, &mem), -EFAULT);
}
END_TEST

/* Without PT_NOTE (the note header is the last), the sections serve. */
START_TEST(test_notes_in_sections_only)
{
    struct elf_guest g;

    image.f.eh.e_phnum = SEG_NOTE;
    parse_ok(&g, &image);
    check_fields(&g, &spec);
}
END_TEST

/* A PT_NOTE without Xen notes (only the GNU one) sends us to the sections. */
START_TEST(test_sections_when_segment_has_no_xen_note)
{
    struct elf_guest g;

    image.f.ph[SEG_NOTE].p_filesz =
        image.note_at[XEN_ELFNOTE_GUEST_OS] - offsetof(struct file, notes);
    parse_ok(&g, &image);
    check_fields(&g, &spec);
}
END_TEST

/* Notes found in segments: the section table is never read. */
START_TEST(test_sections_unread_when_segment_has_notes)
{
    struct elf_guest g;

    image.f.eh.e_shentsize = 1;
    image.f.eh.e_shoff = ~0UL;
    parse_ok(&g, &image);
    check_fields(&g, &spec);
}
END_TEST

START_TEST(test_four_byte_numbers)
{
    struct elf_guest g;

    spec.base = LOW_BASE;
    spec.num_size = 4;
    build_image(&image, &spec);
    parse_ok(&g, &image);
    check_fields(&g, &spec);
}
END_TEST

START_TEST(test_entry_defaults_to_e_entry)
{
    struct elf_guest g;

    spec.omit = NOTE(XEN_ELFNOTE_ENTRY);
    build_image(&image, &spec);
    parse_ok(&g, &image);
    ck_assert_uint_eq(g.entry, spec.base + E_ENTRY_VA);
}
END_TEST

START_TEST(test_without_hypercall_page)
{
    struct elf_guest g;

    spec.omit = NOTE(XEN_ELFNOTE_HYPERCALL_PAGE);
    build_image(&image, &spec);
    parse_ok(&g, &image);
    ck_assert(!g.has_hypercall_page);
    ck_assert_uint_eq(g.hypercall_page, 0);
}
END_TEST

/* No VIRT_BASE note: the base is 0 (a guest linked low, as mini-OS). */
START_TEST(test_virt_base_defaults_to_zero)
{
    struct elf_guest g;

    spec.base = LOW_BASE;
    spec.omit = NOTE(XEN_ELFNOTE_VIRT_BASE);
    build_image(&image, &spec);
    parse_ok(&g, &image);
    ck_assert_uint_eq(g.virt_base, 0);
    ck_assert_uint_eq(g.virt_kstart, LOW_BASE);
}
END_TEST

/* PADDR_OFFSET is checked for size, its value ignored. */
START_TEST(test_paddr_offset_ignored)
{
    struct elf_guest g;

    set_number(&image, XEN_ELFNOTE_PADDR_OFFSET, 0x123456789abcdef0UL);
    parse_ok(&g, &image);
    check_fields(&g, &spec);
}
END_TEST

/* A long string note is cut, an unterminated one terminated. */
START_TEST(test_string_notes_bounded)
{
    static const char longer[] = "An operating system with a long name";
    struct elf_guest g;
    Elf64_Nhdr *loader;

    spec.guest_os = longer;
    build_image(&image, &spec);
    /* "generic" of 7 bytes (the padding keeps the note's length); the
     * byte after it is no NUL, and is no part of the string. */
    loader = note_header(&image, XEN_ELFNOTE_LOADER);
    loader->n_descsz = strlen("generic");
    ((uint8_t *)(loader + 1))[round4(loader->n_namesz) + 7] = 'X';
    parse_ok(&g, &image);
    ck_assert_uint_eq(strlen(g.guest_os), sizeof(g.guest_os) - 1);
    ck_assert(!strncmp(g.guest_os, longer, sizeof(g.guest_os) - 1));
    ck_assert_str_eq(g.loader, "generic");
}
END_TEST

/* An empty PT_LOAD places nothing, wherever it claims to be. */
START_TEST(test_empty_segment_ignored)
{
    struct elf_guest g;

    image.f.ph[SEG_NOTE] = (Elf64_Phdr){ .p_type = PT_LOAD,
                                         .p_offset = ~0UL,
                                         .p_vaddr = CANONICAL_HOLE };
    image.f.eh.e_phnum = NR_PHDRS;
    parse_ok(&g, &image); /* the notes are found in the section */
    check_fields(&g, &spec);
    dirty_memory(spec.base, SPAN_PAGES);
    ck_assert_int_eq(elf_guest_load(&g, page_in_memory, &mem), 0);
}
END_TEST

/* The span is whole pages, even if the segments are not. */
START_TEST(test_span_rounded_to_pages)
{
    Elf64_Phdr *text = &image.f.ph[SEG_TEXT];
    struct elf_guest g;

    text->p_offset += 0x10;
    text->p_vaddr += 0x10;
    text->p_filesz -= 0x10;
    text->p_memsz -= 0x10;
    parse_ok(&g, &image);
    ck_assert_uint_eq(g.virt_kstart, spec.base);
    ck_assert_uint_eq(g.virt_kend, spec.base + SPAN);
}
END_TEST

/* A segment of bss only: its file offset is neither checked nor used. */
START_TEST(test_bss_only_segment)
{
    Elf64_Phdr *data = &image.f.ph[SEG_DATA];
    struct elf_guest g;

    data->p_offset = 0x8000000000000000UL; /* UBSan: a pointer would wrap */
    data->p_filesz = 0;
    parse_ok(&g, &image);
    dirty_memory(spec.base, SPAN_PAGES);
    ck_assert_int_eq(elf_guest_load(&g, page_in_memory, &mem), 0);
    check_filled(DATA_VA, DATA_VA + DATA_MEMSZ, 0);
}
END_TEST

/* Headers need no alignment in the file. */
START_TEST(test_unaligned_image)
{
    static uint8_t shifted[sizeof(struct file) + 1];
    struct elf_guest g;
    int rc;

    memcpy(shifted + 1, bytes(&image), image.size);
    rc = elf_guest_parse(&g, shifted + 1, image.size);
    ck_assert_msg(rc == 0, "refused: %s", g.error);
    ck_assert_uint_eq(g.entry, spec.base + ENTRY_VA);
}
END_TEST

/* -------------------------------------------------------------------------
 * Refused images: one loop test per way of breaking the image.
 */

/* Rebuild the image linked at @p base. */
static void link_at(struct image *m, uint64_t base)
{
    struct spec s = default_spec();

    s.base = base;
    build_image(m, &s);
}

static void in_hypervisor_area(struct image *m)
{
    link_at(m, HYPERVISOR_VIRT_START + 0x100000);
}

static void crosses_hypervisor_end(struct image *m)
{
    link_at(m, HYPERVISOR_VIRT_END - PAGE_SIZE);
}

static void non_canonical(struct image *m)
{
    link_at(m, CANONICAL_HOLE);
}

static void crosses_canonical_hole(struct image *m)
{
    link_at(m, CANONICAL_HOLE - PAGE_SIZE);
}

/* Both ends canonical, but one in each half: all of the hole between. */
static void spans_canonical_hole(struct image *m)
{
    link_at(m, LOW_BASE);
    m->f.ph[SEG_DATA].p_memsz = HYPERVISOR_VIRT_END;
}

static void base_in_hypervisor_area(struct image *m)
{
    link_at(m, HYPERVISOR_VIRT_END);
    set_number(m, XEN_ELFNOTE_VIRT_BASE, HYPERVISOR_VIRT_END - PAGE_SIZE);
}

static void too_short(struct image *m)
{
    m->size = sizeof(Elf64_Ehdr) - 1;
}

static void numbers_of_2_bytes(struct image *m)
{
    struct spec s = default_spec();

    s.num_size = 2;
    build_image(m, &s);
}

static void no_xen_notes(struct image *m)
{
    struct spec s = default_spec();

    s.omit = ALL_NOTES;
    build_image(m, &s);
}

static void other_owner(struct image *m)
{
    struct spec s = default_spec();

    s.owner = "XEN"; /* the owner is case-sensitive */
    build_image(m, &s);
}

/* No section table at all, as some tools write it: all three fields 0. */
static void no_section_table(struct image *m)
{
    m->f.eh.e_shoff = 0;
    m->f.eh.e_shentsize = 0;
    m->f.eh.e_shnum = 0;
}

/* The owner "Xen" without its NUL: n_namesz 3 (the padding is the same). */
static void owner_without_nul(struct image *m)
{
    for (uint32_t type = 0; type < NR_NOTE_TYPES; type++)
        if (m->note_at[type])
            note_header(m, type)->n_namesz = 3;
}

static void e_entry_outside(struct image *m)
{
    struct spec s = default_spec();

    s.omit = NOTE(XEN_ELFNOTE_ENTRY);
    build_image(m, &s);
    m->f.eh.e_entry = 0;
}

static void last_note_cut(struct image *m)
{
    m->f.ph[SEG_NOTE].p_filesz -= 4;
    m->f.sh[SEC_NOTE].sh_size -= 4;
}

/*
 * 8 bytes after the last note: part of a header. The file ends there too,
 * so that reading the whole header would be caught by AddressSanitizer.
 */
static void note_header_cut(struct image *m)
{
    m->f.ph[SEG_NOTE].p_filesz += 8;
    m->size = m->f.ph[SEG_NOTE].p_offset + m->f.ph[SEG_NOTE].p_filesz;
}

static void note_name_too_long(struct image *m)
{
    note_header(m, XEN_ELFNOTE_ENTRY)->n_namesz = ~0U;
}

static void note_desc_too_long(struct image *m)
{
    note_header(m, XEN_ELFNOTE_ENTRY)->n_descsz = 0x1000;
}

/*
 * A way to break the image, and what the refusal must say. The break is
 * one of: a field of the file gets a value (SET), a numeric note gets a
 * value (SET_NOTE), or a function changes the image (CALL).
 */
struct refusal {
    const char *name;
    size_t at, width;                /* SET: the field */
    uint32_t note;                   /* SET_NOTE: the note's type */
    uint64_t value;                  /* SET, SET_NOTE: the new value */
    void (*mutate)(struct image *m); /* CALL */
    const char *why;                 /* a substring of g->error */
};

#define SET(field, v)                                                          \
    offsetof(struct file, field), sizeof(((struct file *)0)->field), 0, (v),   \
        NULL
#define SET_NOTE(type, v) 0, 0, (type), (v), NULL
#define CALL(fn)          0, 0, 0, 0, (fn)

/* The virtual address @p off bytes into the default image. */
#define VA(off) (HIGH_BASE + (off))

static const struct refusal refusals[] = {
    { "bad magic", SET(eh.e_ident[EI_MAG1], 'e'), "bad magic" },
    { "32-bit", SET(eh.e_ident[EI_CLASS], 1),
      "not a 64-bit ELF file (class 1)" },
    { "big-endian", SET(eh.e_ident[EI_DATA], 2),
      "not a little-endian ELF file" },
    { "e_ident version", SET(eh.e_ident[EI_VERSION], 0),
      "unknown ELF version 0/1" },
    { "e_version", SET(eh.e_version, 2), "unknown ELF version 1/2" },
    { "i386", SET(eh.e_machine, 3), "not an x86-64 ELF file (machine 3)" },
    { "ET_DYN", SET(eh.e_type, 3), "not an executable (ELF type 3" },
    { "too short", CALL(too_short), "too short for an ELF header (63 bytes)" },
    { "e_phentsize", SET(eh.e_phentsize, 32),
      "program headers of 32 bytes, expected 56" },
    { "phdrs past end", SET(eh.e_phoff, sizeof(struct file) - 0x38),
      "program headers lie outside" },
    { "phdrs wrap", SET(eh.e_phoff, ~0UL - 8), "program headers lie outside" },
    { "too many phdrs", SET(eh.e_phnum, ELF_GUEST_MAX_PHDRS + 1),
      "65 program headers, more than 64" },
    { "no PT_LOAD", SET(eh.e_phnum, 0), "no loadable segment (PT_LOAD)" },
    { "filesz > memsz", SET(ph[SEG_DATA].p_filesz, DATA_MEMSZ + 1),
      "segment 1 has p_filesz > p_memsz" },
    { "segment past file",
      SET(ph[SEG_DATA].p_offset, sizeof(struct file) - 0x10),
      "segment 1 ends past the end of the file" },
    { "segment offset wraps", SET(ph[SEG_DATA].p_offset, ~0UL - 0x100),
      "segment 1 ends past the end of the file" },
    { "PT_NOTE past file", SET(ph[SEG_NOTE].p_offset, sizeof(struct file)),
      "segment 2 ends past the end of the file" },
    { "vaddr wraps", SET(ph[SEG_DATA].p_vaddr, ~0UL - 0x100),
      "segment 1 runs off the top of the address space" },
    /* The last page is refused too: virt_kend would wrap to 0. */
    { "in last page", SET(ph[SEG_DATA].p_vaddr, ~0UL - DATA_MEMSZ - 0x100),
      "segment 1 runs off the top of the address space" },
    { "overlap", SET(ph[SEG_DATA].p_vaddr, VA(TEXT_VA + TEXT_SIZE - 1)),
      "segments 0 and 1 overlap" },
    { "in hypervisor area", CALL(in_hypervisor_area),
      "segment 0 overlaps the hypervisor's area" },
    { "crosses hypervisor end", CALL(crosses_hypervisor_end),
      "segment 0 overlaps the hypervisor's area" },
    { "non-canonical", CALL(non_canonical), "segment 0 is not canonical" },
    { "crosses canonical hole", CALL(crosses_canonical_hole),
      "segment 0 is not canonical" },
    { "spans canonical hole", CALL(spans_canonical_hole),
      "segment 1 is not canonical" },
    { "below virt_base", SET_NOTE(XEN_ELFNOTE_VIRT_BASE, VA(PAGE_SIZE)),
      "segment 0 starts below the virtual base 0xffffffff80001000" },
    { "virt_base unaligned", SET_NOTE(XEN_ELFNOTE_VIRT_BASE, VA(-0x10)),
      "virtual base 0xffffffff7ffffff0 is not page-aligned" },
    { "virt_base in hypervisor area", CALL(base_in_hypervisor_area),
      "the range from the virtual base 0xffff87fffffff000 overlaps the "
      "hypervisor's area" },
    { "span > 1 GiB", SET(ph[SEG_DATA].p_memsz, ELF_GUEST_MAX_SPAN),
      "the image spans 0x40002000 bytes, more than 1 GiB" },
    { "base > 1 GiB below",
      SET_NOTE(XEN_ELFNOTE_VIRT_BASE, VA(-ELF_GUEST_MAX_SPAN)),
      "the image spans 0x40004000 bytes, more than 1 GiB" },
    { "entry in gap", SET_NOTE(XEN_ELFNOTE_ENTRY, VA(DATA_VA + DATA_MEMSZ)),
      "entry point 0xffffffff80003e00 is not in a loaded segment" },
    { "e_entry outside", CALL(e_entry_outside),
      "entry point 0x0 is not in a loaded segment" },
    { "hypercall page unaligned",
      SET_NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, VA(HYPERCALL_VA + 8)),
      "hypercall page 0xffffffff80001008 is not page-aligned" },
    { "hypercall page outside", SET_NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, VA(SPAN)),
      "hypercall page 0xffffffff80004000 is outside the image" },
    { "numeric note size", CALL(numbers_of_2_bytes),
      "the VIRT_BASE note has 2 bytes, expected 4 or 8" },
    { "last note cut", CALL(last_note_cut),
      "note 8 of segment 2 runs past its end" },
    { "note header cut", CALL(note_header_cut),
      "note 9 of segment 2 runs past its end" },
    { "note name too long", CALL(note_name_too_long),
      "note 7 of segment 2 runs past its end" },
    { "note desc too long", CALL(note_desc_too_long),
      "note 7 of segment 2 runs past its end" },
    { "no Xen notes", CALL(no_xen_notes), "no Xen ELF notes: not a PV kernel" },
    { "other owner", CALL(other_owner), "no Xen ELF notes: not a PV kernel" },
    { "owner without NUL", CALL(owner_without_nul),
      "no Xen ELF notes: not a PV kernel" },
};

/*
 * Breaks of the section table, tested on an image without PT_NOTE. (The
 * main table's "no Xen notes" and "other owner" read the sections too.)
 */
static const struct refusal section_refusals[] = {
    { "last note cut", CALL(last_note_cut),
      "note 8 of section 1 runs past its end" },
    { "shdrs past end", SET(eh.e_shoff, sizeof(struct file) - 0x40),
      "section headers lie outside" },
    { "shdrs wrap", SET(eh.e_shoff, ~0UL - 0x40),
      "section headers lie outside" },
    { "e_shentsize", SET(eh.e_shentsize, 40),
      "section headers of 40 bytes, expected 64" },
    { "section past file",
      SET(sh[SEC_NOTE].sh_offset, sizeof(struct file) - 0x10),
      "section 1 ends past the end of the file" },
    { "no section table", CALL(no_section_table),
      "no Xen ELF notes: not a PV kernel" },
};

/* Break the image as @p r says; check that it is refused for its reason. */
static void check_refusal(const struct refusal *r, struct image *m)
{
    struct elf_guest g;
    int rc;

    if (r->mutate)
        r->mutate(m);
    else if (r->note)
        set_number(m, r->note, r->value);
    else
        memcpy(bytes(m) + r->at, &r->value, r->width); /* little-endian */
    rc = parse(&g, m);
    ck_assert_msg(rc == -EINVAL && strstr(g.error, r->why),
                  "%s: got %d \"%s\", expected %d \"...%s...\"", r->name, rc,
                  g.error, -EINVAL, r->why);
}

START_TEST(test_refusal)
{
    check_refusal(&refusals[_i], &image);
}
END_TEST

START_TEST(test_section_refusal)
{
    image.f.eh.e_phnum = SEG_NOTE; /* no PT_NOTE: the sections are read */
    check_refusal(&section_refusals[_i], &image);
}
END_TEST

/* -------------------------------------------------------------------------
 * Fuzzing.
 */

#define FUZZ_ROUNDS 5000
#define FUZZ_SEED   0x5eed0e1fUL

/* Values that break sizes and offsets: edges, wraps, the file's size. */
/* One value a line, as clang-format has it, would be 19 lines. */
/* clang-format off */
static const uint64_t boundary[] = {
    0, 1, 4, 0xfff, PAGE_SIZE, 0x7fffffff, 0xffffffff, 0x100000000UL,
    1UL << 47, HYPERVISOR_VIRT_START, HYPERVISOR_VIRT_END - 1,
    0x7fffffffffffffffUL, 0x8000000000000000UL, ~0UL - PAGE_SIZE, ~0UL - 1,
    ~0UL, sizeof(struct file) - 1, sizeof(struct file), sizeof(struct file) + 1
};
/* clang-format on */

/* Fake memory for fuzzed loads: one page stands for each page of a span. */
static struct {
    uint64_t start, end;
    uint8_t page[PAGE_SIZE];
} span;

/* Refuse, by returning NULL, any page outside the span the parse gave. */
static void *page_in_span(void *arg, uint64_t va)
{
    (void)arg;
    unit_assert(va % PAGE_SIZE == 0, "page_at(0x%lx): not page-aligned", va);
    return va >= span.start && va < span.end ? span.page : NULL;
}

/* One random mutation of @p m, in its headers and notes (or its length). */
static void mutate(struct image *m, unsigned long *seed)
{
    size_t headers = offsetof(struct file, notes) + m->notes_len;
    unsigned long r = unit_random(seed);
    size_t width = 1UL << (r % 4); /* 1, 2, 4 or 8 bytes */
    size_t at = (unit_random(seed) % headers) & ~(width - 1);
    uint64_t value = boundary[unit_random(seed) % ARRAY_SIZE(boundary)];

    switch (r / 4 % 4) {
    case 0: /* flip bits of a byte */
        bytes(m)[at] ^= (uint8_t)(1 + unit_random(seed) % 255);
        break;
    case 1: /* a field gets a value from the edges */
        memcpy(bytes(m) + at, &value, width);
        break;
    case 2: /* a field moves a little */
        bytes(m)[at] += (uint8_t)(unit_random(seed) % 9) - 4;
        break;
    default: /* the file is cut */
        m->size = unit_random(seed) % (m->size + 1);
        break;
    }
}

/* Check what the loader said about a fuzzed image; load it if accepted. */
static void check_verdict(const struct elf_guest *g, int rc, unsigned int n)
{
    unit_assert(rc == 0 || rc == -EINVAL, "round %u: returned %d", n, rc);
    unit_assert(strnlen(g->error, sizeof(g->error)) < sizeof(g->error),
                "round %u: error not terminated", n);
    unit_assert(!rc == !g->error[0], "round %u: rc %d with error \"%s\"", n, rc,
                g->error);
    if (rc)
        return;
    unit_assert(g->virt_kstart < g->virt_kend &&
                    g->virt_kend - g->virt_base <= ELF_GUEST_MAX_SPAN,
                "round %u: accepted span 0x%lx-0x%lx from 0x%lx", n,
                g->virt_kstart, g->virt_kend, g->virt_base);
    span.start = g->virt_kstart;
    span.end = g->virt_kend;
    rc = elf_guest_load(g, page_in_span, NULL);
    unit_assert(rc == 0, "round %u: accepted, but loading gave %d", n, rc);
}

START_TEST(test_fuzz)
{
    unsigned long seed = FUZZ_SEED;
    unsigned int accepted = 0, refused = 0;
    static struct image m;
    struct elf_guest g;

    for (unsigned int n = 0; n < FUZZ_ROUNDS; n++) {
        unsigned int mutations = 1 + unit_random(&seed) % 3;
        int rc;

        m = image;
        while (mutations--)
            mutate(&m, &seed);
        rc = parse(&g, &m);
        check_verdict(&g, rc, n);
        if (rc)
            refused++;
        else
            accepted++;
    }
    ck_assert_msg(accepted && refused, "%u accepted, %u refused", accepted,
                  refused);
}
END_TEST

Suite *unit_suite(void)
{
    Suite *s = suite_create("elf");
    TCase *accept = tcase_create("accept");
    TCase *refuse = tcase_create("refuse");
    TCase *fuzz = tcase_create("fuzz");

    tcase_add_checked_fixture(accept, setup, free_copy);
    tcase_add_test(accept, test_parse_valid);
    tcase_add_test(accept, test_load_copies_and_zeroes_bss);
    tcase_add_test(accept, test_load_missing_page);
    tcase_add_test(accept, test_notes_in_sections_only);
    tcase_add_test(accept, test_sections_when_segment_has_no_xen_note);
    tcase_add_test(accept, test_sections_unread_when_segment_has_notes);
    tcase_add_test(accept, test_four_byte_numbers);
    tcase_add_test(accept, test_entry_defaults_to_e_entry);
    tcase_add_test(accept, test_without_hypercall_page);
    tcase_add_test(accept, test_virt_base_defaults_to_zero);
    tcase_add_test(accept, test_paddr_offset_ignored);
    tcase_add_test(accept, test_string_notes_bounded);
    tcase_add_test(accept, test_empty_segment_ignored);
    tcase_add_test(accept, test_span_rounded_to_pages);
    tcase_add_test(accept, test_bss_only_segment);
    tcase_add_test(accept, test_unaligned_image);
    suite_add_tcase(s, accept);

    tcase_add_checked_fixture(refuse, setup, free_copy);
    tcase_add_loop_test(refuse, test_refusal, 0, ARRAY_SIZE(refusals));
    tcase_add_loop_test(refuse, test_section_refusal, 0,
                        ARRAY_SIZE(section_refusals));
    suite_add_tcase(s, refuse);

    tcase_add_checked_fixture(fuzz, setup, free_copy);
    tcase_add_test(fuzz, test_fuzz);
    suite_add_tcase(s, fuzz);
    return s;
}
