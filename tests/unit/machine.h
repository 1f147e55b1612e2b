/*
 * machine.h: a small x86 machine, on the host, for the memory allocators
 * of lab 2 (boot_alloc.c, page_alloc.c, xmalloc.c).
 *
 * Machine memory is one host buffer, filled with a poison byte as real RAM
 * is full of old data; maddr_to_virt() and virt_to_maddr() play the direct
 * map over it. The firmware's memory map has what a real one has (the
 * first MiB with its reserved pieces, a hole, ACPI tables, ranges that do
 * not start or end on a frame) and the loader's reserved ranges stand for
 * the hypervisor image and two modules. machine_init() then boots the
 * memory code the way setup.c does.
 *
 * It also answers, frame by frame and without asking the allocators, which
 * frames the heap should have been given: the tests' oracle.
 */
#ifndef UNIT_MACHINE_H
#define UNIT_MACHINE_H

#include <hospes/bootinfo.h>
#include <hospes/mm.h>

/** The machine's RAM ends below this (32 MiB). */
#define MACHINE_BYTES (32UL << 20)
/** Every byte of RAM holds this until someone writes it. */
#define MACHINE_POISON 0x5a
/** Frames of the machine's address space, RAM or not. */
#define MACHINE_FRAMES (MACHINE_BYTES >> PAGE_SHIFT)
/** The early allocations below are made below this address (16 MiB). */
#define MACHINE_BOOT_LIMIT (16UL << 20)

/** What the firmware and the loader tell the hypervisor. */
extern const struct boot_info machine_boot_info;

/** An allocation alloc_boot_pages() made for machine_init(). */
struct machine_boot_alloc {
    unsigned long nr;    /**< frames asked for */
    unsigned long align; /**< alignment asked for, in frames */
    unsigned long mfn;   /**< the first frame it returned */
};

/** The boot allocations, in the order they were made. */
extern struct machine_boot_alloc machine_boot_allocs[];
/** Entries in machine_boot_allocs. */
extern const unsigned int machine_nr_boot_allocs;

/**
 * Boot the machine's memory, once per process: the boot allocator, the
 * early allocations that setup.c makes from it (the frame table's frames,
 * page tables), then the heap. The frame table itself lives in host
 * memory, where AddressSanitizer sees a stray index into it.
 *
 * Check runs each test in a child process of its own, so every test starts
 * from this same fresh heap. (With CK_FORK=no the tests share one heap:
 * each frees what it took, but one that fails may leave blocks behind.)
 */
void machine_init(void);

/** Where a frame should have gone, by the first that applies. */
enum machine_frame_kind {
    FRAME_NOT_RAM,  /**< not whole inside a usable range of the map */
    FRAME_LOW,      /**< usable, below 1 MiB */
    FRAME_RESERVED, /**< usable, meets a reserved range */
    FRAME_BOOT,     /**< usable, in a boot allocation */
    FRAME_HEAP,     /**< usable and none of the above: the heap's */
    NR_FRAME_KINDS
};

/** What frame @p mfn is, by the boot information alone. */
enum machine_frame_kind machine_frame_kind(unsigned long mfn);

/** Is frame @p mfn one the heap should have been given? */
static inline bool machine_heap_frame(unsigned long mfn)
{
    return machine_frame_kind(mfn) == FRAME_HEAP;
}

/** The number of frames of kind @p kind. */
unsigned long machine_frames(enum machine_frame_kind kind);

/**
 * The heap's free blocks per order, as heap_dump() prints them (orders it
 * does not print have none). It clears the printk() output first.
 */
void heap_block_counts(unsigned long counts[MAX_ORDER + 1]);

/** Assert that heap_block_counts() are @p expected, order by order. */
void ck_assert_heap_blocks(const unsigned long expected[MAX_ORDER + 1]);

#endif /* UNIT_MACHINE_H */
