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

/** @name GCC attributes, under the names Linux and Xen give them */
/**@{*/
#define __noreturn   __attribute__((noreturn)) /**< never returns */
#define __noinline   __attribute__((noinline)) /**< a real call, a frame */
#define __packed     __attribute__((packed))   /**< no padding */
#define __used       __attribute__((used))     /**< keep, though unreferenced */
#define __section(s) __attribute__((section(s))) /**< place in section s */
#define __aligned(a) __attribute__((aligned(a))) /**< align to a bytes */
#define __unused     __attribute__((unused))     /**< no warning if unused */
/** Check printf-style calls: the format is argument f, values from a. */
#define __printf(f, a) __attribute__((format(printf, f, a)))
/**@}*/

/** @p x is almost always true: lay the code out for that case. */
#define likely(x) __builtin_expect(!!(x), 1)
/** @p x is almost always false. */
#define unlikely(x) __builtin_expect(!!(x), 0)

/** Number of elements of a true array (not a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/** @cond INTERNAL */
#define STRINGIFY_(x) #x
/** @endcond */
/** Turn a macro's value into a string literal. */
#define STRINGIFY(x) STRINGIFY_(x)

#endif /* HOSPES_COMPILER_H */
