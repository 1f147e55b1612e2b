/**
 * @file
 * @brief x86 port I/O and a few privileged instructions.
 */
#ifndef ASM_IO_H
#define ASM_IO_H

#include <hospes/types.h>

/** @brief Write byte @p v to I/O port @p port. */
static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/** @brief Write a 32-bit value to I/O port @p port. */
static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/** @brief Read a byte from I/O port @p port. */
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;

    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/** @brief Run CPUID leaf @p leaf, subleaf 0. */
static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c,
                         uint32_t *d)
{
    __asm__ volatile("cpuid"
                     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
                     : "a"(leaf), "c"(0));
}

/** @brief Read model-specific register @p msr. */
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

/** @brief Write @p v to model-specific register @p msr. */
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr"
                     :
                     : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/** @brief Load CR3: switch page tables (and flush non-global TLB entries). */
static inline void write_cr3(paddr_t pa)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(pa) : "memory");
}

/** @brief Read CR4. */
static inline unsigned long read_cr4(void)
{
    unsigned long v;

    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

/** @brief Write CR4 (only bits CPUID reports: QEMU hangs on others). */
static inline void write_cr4(unsigned long v)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/** @brief Read CR0. */
static inline unsigned long read_cr0(void)
{
    unsigned long v;

    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

/** @brief Write CR0. */
static inline void write_cr0(unsigned long v)
{
    __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

/** @brief CR2: the address the last page fault was about. */
static inline unsigned long read_cr2(void)
{
    unsigned long v;

    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

/** @brief The current page-table base. */
static inline paddr_t read_cr3(void)
{
    paddr_t pa;

    __asm__ volatile("mov %%cr3, %0" : "=r"(pa));
    return pa;
}

/**
 * @brief Read the time-stamp counter.
 *
 * Under QEMU with `-icount shift=0` it counts guest instructions exactly,
 * which is how `make bench` measures costs deterministically.
 */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#endif /* ASM_IO_H */
