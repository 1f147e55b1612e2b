/**
 * @file
 * @brief The command-line parser: finds each option's registration and
 *        sets its variable.
 *
 * Lab 1, exercise 4 (labs/01-boot/README.md): parse_bool() and
 * parse_size_and_unit(). Design page: docs/boot.md (section "Command line").
 *
 * Options are registered with the macros of hospes/param.h, which place a
 * struct kernel_param in the section `hospes_params`. Because that name is a
 * valid C identifier, the linker defines __start_hospes_params and
 * __stop_hospes_params around it for us.
 */
#include <hospes/errno.h>
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/param.h>
#include <hospes/printk.h>

/** The first registered option (the linker names the section's start). */
extern const struct kernel_param __start_hospes_params[];
/** One past the last registered option. */
extern const struct kernel_param __stop_hospes_params[];

/** Longest `name=value` word we accept, NUL included. */
#define MAX_WORD 256

/** Case-insensitive compare of one ASCII letter. */
static bool same_letter(char a, char b)
{
    return (a | 0x20) == (b | 0x20);
}

int parse_bool(const char *s)
{
    // LAB 1 BEGIN exercise 4: parse_bool()
    static const char *const yes[] = { "1", "yes", "on", "true", "enable" };
    static const char *const no[] = { "0", "no", "off", "false", "disable" };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(s, yes[i]))
            return 1;
        if (!strcmp(s, no[i]))
            return 0;
    }
    return -EINVAL;
    // LAB 1 STUB
    // lab_todo(1, 4, "parse_bool()");
    // (void)s;
    // return -ENOSYS;
    // LAB 1 END
}

uint64_t parse_size_and_unit(const char *s, const char **end)
{
    // LAB 1 BEGIN exercise 4: parse_size_and_unit()
    static const char units[] = "BKMGT"; /* each 1024 times the last */
    const char *p;
    uint64_t value = simple_strtoul(s, &p);
    unsigned int shift = 10; /* no unit: KiB, as in Xen */
    unsigned int i;

    if (p == s) { /* no number at all */
        *end = s;
        return 0;
    }
    for (i = 0; units[i]; i++) {
        if (same_letter(*p, units[i])) {
            shift = 10 * i;
            p++;
            break;
        }
    }
    *end = p;
    if (shift && value > (UINT64_MAX >> shift))
        return UINT64_MAX; /* saturate rather than wrap */
    return value << shift;
    // LAB 1 STUB
    // lab_todo(1, 4, "parse_size_and_unit()");
    // (void)same_letter;
    // *end = s;
    // return 0;
    // LAB 1 END
}

/** The registered option called @p name, or NULL. */
static const struct kernel_param *param_find(const char *name)
{
    const struct kernel_param *p;

    for (p = __start_hospes_params; p < __stop_hospes_params; p++)
        if (!strcmp(p->name, name))
            return p;
    return NULL;
}

/** Parse a whole string as a number; fail on trailing garbage. */
static int parse_number(const char *val, unsigned long *out)
{
    const char *end;

    *out = simple_strtoul(val, &end);
    return (end == val || *end) ? -EINVAL : 0;
}

/** Parse a whole string as a size; fail on trailing garbage. */
static int parse_size(const char *val, uint64_t *out)
{
    const char *end;

    *out = parse_size_and_unit(val, &end);
    return (end == val || *end) ? -EINVAL : 0;
}

/**
 * Set option @p p from @p val (NULL when the word had no `=`).
 * @p negated is true for the `no-name` form of a boolean.
 * @return 0, or -EINVAL/-ERANGE/-ENOSYS, leaving the variable untouched.
 */
static int param_set(const struct kernel_param *p, const char *val,
                     bool negated)
{
    unsigned long number;
    uint64_t size;
    int b, rc;

    if (p->type != PARAM_BOOL && (!val || negated))
        return -EINVAL; /* only booleans stand alone */

    switch (p->type) {
    case PARAM_BOOL:
        if (!val) {
            *(bool *)p->par.var = !negated;
            return 0;
        }
        b = negated ? -EINVAL : parse_bool(val); /* "no-x=1" is a riddle */
        if (b < 0)
            return b;
        *(bool *)p->par.var = b;
        return 0;
    case PARAM_UINT:
        rc = parse_number(val, &number);
        if (!rc)
            *(unsigned long *)p->par.var = number;
        return rc;
    case PARAM_SIZE:
        rc = parse_size(val, &size);
        if (!rc)
            *(uint64_t *)p->par.var = size;
        return rc;
    case PARAM_STRING:
        if (strlen(val) >= p->size)
            return -ERANGE;
        strlcpy(p->par.var, val, p->size);
        return 0;
    case PARAM_CUSTOM:
        return p->par.func(val);
    }
    return -EINVAL;
}

/** Why param_set() refused a value, in words. */
static const char *reason(int rc)
{
    switch (rc) {
    case -ERANGE:
        return "value too long";
    case -ENOSYS:
        return "parser not implemented";
    default:
        return "malformed value";
    }
}

/**
 * Handle one word: `name`, `no-name` or `name=value`. The word is cut at
 * its `=` in place. @return 0 or -errno
 */
static int parse_word(char *word)
{
    const struct kernel_param *p;
    char *val = strchr(word, '=');
    bool negated = false;
    int rc;

    if (val)
        *val++ = '\0';

    /* Look the whole name up first: some options start with "no". */
    p = param_find(word);
    if (!p && !strncmp(word, "no-", 3)) {
        p = param_find(word + 3);
        negated = p != NULL;
    }
    if (!p) {
        printk(LOG_WARNING "cmdline: unknown option '%s', ignored\n", word);
        return -ENOENT;
    }
    rc = param_set(p, val, negated);
    if (rc)
        printk(LOG_WARNING "cmdline: %s for option '%s': '%s'; "
                           "keeping its default\n",
               reason(rc), p->name, val ? val : "");
    return rc;
}

unsigned int cmdline_parse(const char *cmdline)
{
    char word[MAX_WORD];
    unsigned int bad = 0;

    for (;;) {
        size_t len = 0;

        while (*cmdline == ' ')
            cmdline++;
        while (cmdline[len] && cmdline[len] != ' ')
            len++;
        if (!len)
            return bad;
        if (len < sizeof(word)) {
            memcpy(word, cmdline, len);
            word[len] = '\0';
            bad += parse_word(word) != 0;
        } else {
            printk(LOG_WARNING "cmdline: a word of %zu characters is too "
                               "long (at most %zu), ignored\n",
                   len, sizeof(word) - 1);
            bad++;
        }
        cmdline += len;
    }
}

void param_dump(void)
{
    const struct kernel_param *p;

    for (p = __start_hospes_params; p < __stop_hospes_params; p++) {
        switch (p->type) {
        case PARAM_BOOL:
            printk(LOG_DEBUG "option %s = %s\n", p->name,
                   *(bool *)p->par.var ? "yes" : "no");
            break;
        case PARAM_UINT:
            printk(LOG_DEBUG "option %s = %lu\n", p->name,
                   *(unsigned long *)p->par.var);
            break;
        case PARAM_SIZE:
            printk(LOG_DEBUG "option %s = %lu bytes\n", p->name,
                   (unsigned long)*(uint64_t *)p->par.var);
            break;
        case PARAM_STRING:
            printk(LOG_DEBUG "option %s = '%s'\n", p->name,
                   (const char *)p->par.var);
            break;
        case PARAM_CUSTOM:
            printk(LOG_DEBUG "option %s (parsed by a function)\n", p->name);
            break;
        }
    }
}
