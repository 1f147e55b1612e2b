/*
 * machine.c: a small x86 machine on the host, for the allocator tests
 * (see machine.h).
 *
 * It stands in for what arch/x86 gives the memory code of common/: the
 * direct map (maddr_to_virt(), virt_to_maddr()), the boot information
 * (multiboot.c) and the start-up order (setup.c, mm.c).
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <hospes/lib.h>
#include <hospes/printk.h>

#include "machine.h"

#define MIB (1UL << 20)
#define KIB (1UL << 10)

/*
 * The map, as QEMU's firmware draws a small PC, with more in the way:
 * a hole at 19 MiB, ACPI tables at 28 MiB, a usable range that starts
 * 1 KiB into a frame and one that ends 512 bytes before the end of one
 * (neither partial frame is usable). The image and its two modules sit
 * from 1 MiB up, ending mid-frame; a 2 KiB range in high memory costs a
 * whole frame.
 */
const struct boot_info machine_boot_info = {
    .map = {
        { 0, 0x9fc00, MEM_USABLE },
        { 0x9fc00, 0xa0000, MEM_RESERVED },
        { 0xf0000, 0x100000, MEM_RESERVED },
        { 1 * MIB, 19 * MIB, MEM_USABLE },
        { 20 * MIB + 1 * KIB, 28 * MIB, MEM_USABLE },
        { 28 * MIB, 28 * MIB + 128 * KIB, MEM_ACPI },
        { 28 * MIB + 128 * KIB, MACHINE_BYTES - 512, MEM_USABLE },
    },
    .nr_map = 7,
    .reserved = {
        { 1 * MIB, 0x2c5678, "hypervisor image" },
        { 0x2c6000, 0x3d1234, "module dom0.elf" },
        { 0x3d2000, 0x3e0000, "module rootfs.cpio" },
        { 24 * MIB + 4 * KIB, 24 * MIB + 6 * KIB, "boot data" },
    },
    .nr_reserved = 4,
    .cmdline = "",
    .loader = "tests/unit/machine.c",
};

/*
 * What setup.c takes from the boot allocator before the heap: the frame
 * table's frames (nr filled in once max_page is known), page tables, and
 * one allocation aligned to 2 MiB, which splits a free range in two.
 */
struct machine_boot_alloc machine_boot_allocs[] = {
    { .nr = 0, .align = 1 }, /* the frame table */
    { .nr = 1, .align = 1 }, { .nr = 1, .align = 1 },
    { .nr = 1, .align = 1 }, { .nr = 1, .align = 2 * MIB >> PAGE_SHIFT },
};
const unsigned int machine_nr_boot_allocs = ARRAY_SIZE(machine_boot_allocs);

/** The machine's RAM, and the oracle's answer for every frame. */
static struct {
    unsigned char *ram;
    uint8_t kind[MACHINE_FRAMES];         /**< enum machine_frame_kind */
    unsigned long frames[NR_FRAME_KINDS]; /**< frames of each kind */
} machine;

void *maddr_to_virt(paddr_t ma)
{
    ck_assert_msg(ma < MACHINE_BYTES,
                  "maddr_to_virt(0x%lx): beyond the machine's RAM",
                  (unsigned long)ma);
    return machine.ram + ma;
}

paddr_t virt_to_maddr(const void *va)
{
    const unsigned char *p = va;

    if (p < machine.ram || p >= machine.ram + MACHINE_BYTES)
        return (paddr_t)-1; /* not in the direct map, as mm.c answers */
    return p - machine.ram;
}

/** Does [start, end) meet frame @p mfn? */
static bool touches_frame(paddr_t start, paddr_t end, unsigned long mfn)
{
    return start < (mfn + 1) * PAGE_SIZE && end > mfn * PAGE_SIZE;
}

/** The oracle for one frame, from the boot information alone. */
static enum machine_frame_kind classify(unsigned long mfn)
{
    const struct boot_info *bi = &machine_boot_info;
    bool usable = false;
    unsigned int i;

    for (i = 0; i < bi->nr_map; i++)
        usable |= bi->map[i].type == MEM_USABLE &&
                  bi->map[i].start <= mfn * PAGE_SIZE &&
                  (mfn + 1) * PAGE_SIZE <= bi->map[i].end;
    if (!usable)
        return FRAME_NOT_RAM;
    if (mfn < MIB >> PAGE_SHIFT)
        return FRAME_LOW;
    for (i = 0; i < bi->nr_reserved; i++)
        if (touches_frame(bi->reserved[i].start, bi->reserved[i].end, mfn))
            return FRAME_RESERVED;
    for (i = 0; i < machine_nr_boot_allocs; i++) {
        const struct machine_boot_alloc *a = &machine_boot_allocs[i];

        if (mfn >= a->mfn && mfn < a->mfn + a->nr)
            return FRAME_BOOT;
    }
    return FRAME_HEAP;
}

void machine_init(void)
{
    unsigned long mfn;
    unsigned int i;

    if (machine.ram)
        return;
    machine.ram = mmap(NULL, MACHINE_BYTES, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ck_assert_msg(machine.ram != MAP_FAILED, "mmap of the machine's RAM");
    memset(machine.ram, MACHINE_POISON, MACHINE_BYTES);

    boot_allocator_init(&machine_boot_info);
    machine_boot_allocs[0].nr =
        ROUNDUP(max_page * sizeof(struct page_info), PAGE_SIZE) >> PAGE_SHIFT;
    for (i = 0; i < machine_nr_boot_allocs; i++)
        machine_boot_allocs[i].mfn = mfn_x(
            alloc_boot_pages(machine_boot_allocs[i].nr,
                             machine_boot_allocs[i].align, MACHINE_BOOT_LIMIT));
    frame_table = calloc(max_page, sizeof(*frame_table));
    ck_assert_msg(frame_table, "calloc of the frame table");
    heap_init();

    for (mfn = 0; mfn < MACHINE_FRAMES; mfn++) {
        machine.kind[mfn] = classify(mfn);
        machine.frames[machine.kind[mfn]]++;
    }
    printk_clear();
}

enum machine_frame_kind machine_frame_kind(unsigned long mfn)
{
    return mfn < MACHINE_FRAMES ? machine.kind[mfn] : FRAME_NOT_RAM;
}

unsigned long machine_frames(enum machine_frame_kind kind)
{
    return machine.frames[kind];
}

void heap_block_counts(unsigned long counts[MAX_ORDER + 1])
{
    const char *line;
    unsigned int order;
    unsigned long n;

    memset(counts, 0, (MAX_ORDER + 1) * sizeof(counts[0]));
    printk_clear();
    heap_dump();
    for (line = printk_output(); line; line = strchr(line + 1, '\n'))
        if (sscanf(line, " order %u: %lu", &order, &n) == 2) {
            ck_assert_uint_le(order, MAX_ORDER);
            counts[order] = n;
        }
}

void ck_assert_heap_blocks(const unsigned long expected[MAX_ORDER + 1])
{
    unsigned long counts[MAX_ORDER + 1];
    unsigned int order;

    heap_block_counts(counts);
    for (order = 0; order <= MAX_ORDER; order++)
        ck_assert_msg(counts[order] == expected[order],
                      "order %u: %lu free blocks, expected %lu; heap_dump:\n%s",
                      order, counts[order], expected[order], printk_output());
}
