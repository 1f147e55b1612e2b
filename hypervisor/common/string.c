/**
 * @file
 * @brief The string and memory routines the hypervisor needs (no libc here).
 *
 * Simple loops: clear beats fast at this stage, except memset(), which
 * clears large tables. The compiler also calls memset() and memcpy() on
 * its own, for struct copies and clears; -fno-tree-loop-distribute-patterns
 * stops it from turning these very loops into calls to themselves.
 */
#include <hospes/lib.h>

void *memset(void *s, int c, size_t n)
{
    unsigned char *p = s;
    unsigned long word = (unsigned char)c * 0x0101010101010101UL;

    /* Bytes up to an 8-byte boundary, then whole words: clearing the
     * frame table at boot is megabytes. */
    for (; n && ((unsigned long)p & 7); n--)
        *p++ = (unsigned char)c;
    for (; n >= 8; n -= 8, p += 8)
        *(unsigned long *)p = word;
    while (n--)
        *p++ = (unsigned char)c;
    return s;
}

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

    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--) /* overlapping, dst above src: copy from the end */
        d[n] = s[n];
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return p - s;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    return strncmp(a, b, (size_t)-1);
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

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size) {
        size_t n = min(len, size - 1);

        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

/** Value of hex or decimal digit @p c, or 16 if it is not one. */
static unsigned int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 16;
}

unsigned long simple_strtoul(const char *s, const char **end)
{
    unsigned long value = 0, limit;
    unsigned int base = 10, d;
    bool overflow = false;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && digit_value(s[2]) < 16) {
        base = 16;
        s += 2;
    }
    limit = (unsigned long)-1 / base;
    for (; (d = digit_value(*s)) < base; s++) {
        if (value > limit || value * base > (unsigned long)-1 - d)
            overflow = true;
        value = value * base + d;
    }
    if (end)
        *end = s;
    return overflow ? (unsigned long)-1 : value;
}
