/**
 * @file
 * @brief Compiler helpers used everywhere in the hypervisor.
 *
 * Every hypervisor source is compiled with `-include hospes/compiler.h`, so
 * the visibility pragma below applies to the whole image.
 */
#ifndef HOSPES_COMPILER_H
#define HOSPES_COMPILER_H

/*
 * The image runs at 0xffff82d080000000 (Xen's address for it), which is
 * outside the top 2 GiB that -mcmodel=kernel can reach. Like Xen we compile
 * position-independent code instead: every access is RIP-relative, which
 * works anywhere. Hidden visibility tells the compiler that no symbol can be
 * interposed, so it never detours through a global offset table.
 */
#pragma GCC visibility push(hidden)

#define __noreturn     __attribute__((noreturn))
#define __noinline     __attribute__((noinline))
#define __packed       __attribute__((packed))
#define __used         __attribute__((used))
#define __section(s)   __attribute__((section(s)))
#define __aligned(a)   __attribute__((aligned(a)))
#define __printf(f, a) __attribute__((format(printf, f, a)))
#define __unused       __attribute__((unused))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/** Number of elements of a true array (not a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define STRINGIFY_(x) #x
/** Turn a macro's value into a string literal. */
#define STRINGIFY(x) STRINGIFY_(x)

#endif /* HOSPES_COMPILER_H */
