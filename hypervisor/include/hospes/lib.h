/**
 * @file
 * @brief Small library routines: strings, memory, numbers, panic.
 *
 * The hypervisor has no C library; common/string.c and common/ctype.c supply
 * what it needs. Design page: docs/boot.md.
 */
#ifndef HOSPES_LIB_H
#define HOSPES_LIB_H

#include <hospes/types.h>

/** The smaller of two values of the same type. */
#define min(a, b) ((a) < (b) ? (a) : (b))
/** The larger of two values of the same type. */
#define max(a, b) ((a) > (b) ? (a) : (b))

/** Round @p x up to a multiple of @p a, a power of two. */
#define ROUNDUP(x, a) (((x) + (a)-1) & ~((__typeof__(x))(a)-1))

/**
 * @brief Fill @p n bytes at @p s with the byte @p c.
 * @return @p s.
 */
void *memset(void *s, int c, size_t n);

/**
 * @brief Copy @p n bytes from @p src to @p dst; the areas must not overlap.
 * @return @p dst.
 */
void *memcpy(void *dst, const void *src, size_t n);

/**
 * @brief Copy @p n bytes from @p src to @p dst; the areas may overlap.
 * @return @p dst.
 */
void *memmove(void *dst, const void *src, size_t n);

/**
 * @brief Compare @p n bytes.
 * @return <0, 0 or >0 as @p a sorts before, equal to or after @p b.
 */
int memcmp(const void *a, const void *b, size_t n);

/** @brief Length of the NUL-terminated string @p s. */
size_t strlen(const char *s);

/** @brief Length of @p s, but at most @p max. */
size_t strnlen(const char *s, size_t max);

/**
 * @brief Compare two strings.
 * @return <0, 0 or >0 as @p a sorts before, equal to or after @p b.
 */
int strcmp(const char *a, const char *b);

/** @brief Compare at most @p n characters of two strings, like strcmp(). */
int strncmp(const char *a, const char *b, size_t n);

/**
 * @brief Find the first @p c in @p s.
 * @return A pointer to it, or NULL if @p s does not contain it.
 */
char *strchr(const char *s, int c);

/**
 * @brief Copy @p src into @p dst of @p size bytes, always NUL-terminated.
 * @return strlen(@p src); a value >= @p size means the copy was truncated.
 */
size_t strlcpy(char *dst, const char *src, size_t size);

/**
 * @brief Parse an unsigned number: decimal, or hexadecimal after `0x`.
 *
 * Like C's strtoul() with base 0 but without octal, which surprises people
 * on a command line (`maxcpus=08`).
 *
 * @param s    the text.
 * @param end  if not NULL, receives a pointer to the first unparsed character.
 * @return the value; on overflow the largest unsigned long.
 */
unsigned long simple_strtoul(const char *s, const char **end);

/**
 * @brief Print a message and a backtrace, then stop the machine for good.
 *
 * For states that must never happen. Anything a guest or the command line
 * can cause is an error to report, never a panic.
 */
void __noreturn __printf(1, 2) panic(const char *fmt, ...);

/**
 * @brief Report a broken expectation that need not stop the machine:
 *        file, line, the condition and a backtrace. Use WARN_ON().
 */
void __warn(const char *file, int line, const char *cond);

/** Warn (see __warn()) if @p cond is true; evaluates to @p cond. */
#define WARN_ON(cond)                                                          \
    ({                                                                         \
        bool warn_on_ = !!(cond);                                              \
        if (unlikely(warn_on_))                                                \
            __warn(__FILE__, __LINE__, #cond);                                 \
        warn_on_;                                                              \
    })

/** Panic unless @p cond holds: an assumption of the code is wrong. */
#define ASSERT(cond)                                                           \
    do {                                                                       \
        if (unlikely(!(cond)))                                                 \
            panic("Assertion '%s' failed at %s:%d", #cond, __FILE__,           \
                  __LINE__);                                                   \
    } while (0)

/** Panic if @p cond is true: an invariant of the hypervisor is broken. */
#define BUG_ON(cond)                                                           \
    do {                                                                       \
        if (unlikely(cond))                                                    \
            panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond);              \
    } while (0)

#endif /* HOSPES_LIB_H */
