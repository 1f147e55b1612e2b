/**
 * @file
 * @brief Segment descriptors for a guest's own GDT, and the ring-3
 *        instructions that read them back (`lar`, `lsl`).
 *
 * A PV guest may give the hypervisor a GDT of its own (set_gdt, entries
 * below FIRST_RESERVED_GDT_ENTRY) and change one descriptor at a time
 * (update_descriptor); the hypervisor checks every descriptor first. To
 * see what it made of them, ring 3 has `lar` (access rights) and `lsl`
 * (limit), which work on any descriptor the current privilege may load.
 */
#ifndef GUEST_SEGMENT_H
#define GUEST_SEGMENT_H

#include <stdbool.h>
#include <stdint.h>

/** @name Access bytes (bits 40-47 of a descriptor) */
/**@{*/
#define SEG_ACCESS_DATA   0x93 /**< present, code/data, data read/write */
#define SEG_ACCESS_CODE   0x9b /**< present, code/data, code read/exec */
#define SEG_ACCESS_TSS    0x89 /**< present, system: available 64-bit TSS */
#define SEG_ACCESS_GATE   0x8c /**< present, system: call gate */
#define SEG_ACCESS_DPL(d) ((d) << 5) /**< privilege @p d (0-3) */
/**@}*/

/** The L flag: a 64-bit code segment. */
#define SEG_LONG (1UL << 53)

/** The selector of GDT entry @p i, with RPL 3 (ring 3: a PV guest). */
#define GDT_SEL(i) ((uint16_t)((i) << 3 | 3))

/**
 * @brief A descriptor with access byte @p access and a byte-granular
 *        @p limit (20 bits), base 0.
 */
static inline uint64_t seg_desc(unsigned int access, uint32_t limit)
{
    return (limit & 0xffffUL) | (uint64_t)access << 40 |
           (uint64_t)(limit >> 16 & 0xf) << 48;
}

/**
 * @brief The access rights of selector @p sel (`lar`).
 * @return false if ring 3 may not see it (empty, system, or privilege
 *         below 3); else true, with its DPL in *@p dpl.
 */
static inline bool seg_dpl(uint16_t sel, unsigned int *dpl)
{
    uint32_t ar;
    bool ok;

    __asm__ volatile("lar %k2, %k0; setz %1"
                     : "=r"(ar), "=qm"(ok)
                     : "r"((uint32_t)sel)
                     : "cc");
    *dpl = ok ? (ar >> 13) & 3 : 0;
    return ok;
}

/**
 * @brief The limit of selector @p sel (`lsl`).
 * @return false if ring 3 may not see it; else true, limit in *@p limit.
 */
static inline bool seg_limit(uint16_t sel, uint32_t *limit)
{
    uint32_t l;
    bool ok;

    __asm__ volatile("lsl %k2, %k0; setz %1"
                     : "=r"(l), "=qm"(ok)
                     : "r"((uint32_t)sel)
                     : "cc");
    *limit = ok ? l : 0;
    return ok;
}

#endif /* GUEST_SEGMENT_H */
