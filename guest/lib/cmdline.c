/**
 * @file
 * @brief Finding `name=value` options on the guest's command line.
 */
#include <guest/cmdline.h>
#include <guest/string.h>

/**
 * The value of the first word "name=..." of cmdline, or NULL; its length
 * goes to *len. Words are separated by spaces.
 */
static const char *find_option(const char *cmdline, const char *name,
                               size_t *len)
{
    size_t name_len = strlen(name);
    const char *p = cmdline;

    while (*p) {
        const char *word;

        while (*p == ' ')
            p++;
        word = p;
        while (*p && *p != ' ')
            p++;
        if ((size_t)(p - word) > name_len && !strncmp(word, name, name_len) &&
            word[name_len] == '=') {
            *len = (size_t)(p - word) - name_len - 1;
            return word + name_len + 1;
        }
    }
    return NULL;
}

/** The value of digit c in base 16 (which covers 10), or 16 if none. */
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

bool cmdline_get_ulong(const char *cmdline, const char *name,
                       unsigned long *value)
{
    unsigned int base = 10;
    unsigned long n = 0;
    size_t len;
    const char *s = find_option(cmdline, name, &len);

    if (!s)
        return false;
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        len -= 2;
    }
    if (!len)
        return false;
    for (; len; len--, s++) {
        unsigned int d = digit_value(*s);

        if (d >= base)
            return false;
        n = n * base + d;
    }
    *value = n;
    return true;
}

bool cmdline_is(const char *cmdline, const char *name, const char *value)
{
    size_t len;
    const char *s = find_option(cmdline, name, &len);

    return s && len == strlen(value) && !strncmp(s, value, len);
}

bool cmdline_selects(const char *cmdline, const char *name, const char *value)
{
    size_t len;

    return !find_option(cmdline, name, &len) ||
           cmdline_is(cmdline, name, value);
}
