/**
 * @file
 * @brief Memory and string routines (guest/lib/string.c).
 *
 * The guest has no C library. The compiler may call memcpy(), memmove(),
 * memset() and memcmp() on its own (for structure copies, for instance), so
 * those four must exist whatever the programs use.
 */
#ifndef GUEST_STRING_H
#define GUEST_STRING_H

#include <stddef.h>

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
 * @brief Fill @p n bytes at @p s with the byte @p c.
 * @return @p s.
 */
void *memset(void *s, int c, size_t n);

/**
 * @brief Compare @p n bytes.
 * @return <0, 0 or >0 as @p a sorts before, equal to or after @p b.
 */
int memcmp(const void *a, const void *b, size_t n);

/** @brief Length of the NUL-terminated string @p s. */
size_t strlen(const char *s);

/**
 * @brief Compare two strings, at most @p n characters.
 * @return <0, 0 or >0 as @p a sorts before, equal to or after @p b.
 */
int strncmp(const char *a, const char *b, size_t n);

/**
 * @brief Find the string @p needle in @p haystack.
 * @return its first occurrence, or NULL.
 */
char *strstr(const char *haystack, const char *needle);

#endif /* GUEST_STRING_H */
