/**
 * @file
 * @brief Memory and string routines for guest programs.
 *
 * Plain byte loops: guest programs are small and clarity wins. The build
 * passes -fno-tree-loop-distribute-patterns so that GCC does not turn the
 * loop of memset() into a call of memset().
 */
#include <stdint.h>
#include <guest/string.h>

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    /* Copy backwards when the destination overlaps the source's tail. */
    if ((uintptr_t)d - (uintptr_t)s < n) {
        while (n--)
            d[n] = s[n];
        return dst;
    }
    return memcpy(dst, src, n);
}

void *memset(void *s, int c, size_t n)
{
    unsigned char *p = s;

    while (n--)
        *p++ = (unsigned char)c;
    return s;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (; n; n--, x++, y++) {
        if (*x != *y)
            return *x - *y;
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            break;
    }
    return 0;
}

char *strstr(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);

    for (; *haystack; haystack++) {
        if (!strncmp(haystack, needle, n))
            return (char *)haystack;
    }
    return n ? NULL : (char *)haystack;
}
