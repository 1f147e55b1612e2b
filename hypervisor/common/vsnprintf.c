/**
 * @file
 * @brief The format engine behind printk() and snprintf().
 *
 * Lab 1, exercise 1 (labs/01-boot/README.md): format_number().
 * Design page: docs/boot.md (section "printk").
 *
 * A conversion is `%[flags][width][length]type`:
 *   flags  `0` pads numbers with zeros, `-` pads on the right;
 *   width  a decimal number, or `*` to take it from the arguments;
 *   length `l`, `ll` (long, long long) and `z` (size_t);
 *   type   `d i u x X p s c %`.
 * Output that does not fit is counted but not written, as C99 requires,
 * so a caller can tell it was truncated.
 */
#include <hospes/lib.h>
#include <hospes/printk.h>

/** How to print one conversion. */
struct spec {
    unsigned int base;  /**< 10 or 16. */
    unsigned int width; /**< minimum field width, 0 for none. */
    bool zero_pad;      /**< pad numbers with '0' rather than ' '. */
    bool left;          /**< pad on the right. */
    bool upper;         /**< hex digits in upper case. */
    bool is_signed;     /**< the value is a signed integer. */
};

/** An output buffer that counts everything but only stores what fits. */
struct out {
    char *buf;   /**< start of the caller's buffer. */
    size_t size; /**< its size. */
    size_t len;  /**< characters produced so far (maybe more than size). */
};

/** Append one character; past the end it is only counted. */
static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

/** Append @p n copies of @p c. */
static void pad(struct out *o, char c, unsigned int n)
{
    while (n--)
        put(o, c);
}

/** Append the string @p s padded to the spec's width (numbers and %s). */
static void put_field(struct out *o, const char *s, size_t len,
                      const struct spec *sp)
{
    unsigned int fill = sp->width > len ? sp->width - len : 0;

    if (!sp->left)
        pad(o, ' ', fill);
    while (len--)
        put(o, *s++);
    if (sp->left)
        pad(o, ' ', fill);
}

/**
 * Append an integer according to @p sp.
 *
 * @p value holds the argument's bits: for a signed conversion it is the
 * value sign-extended to 64 bits (so -1 arrives as 0xffff...ffff).
 *
 * Rules (those of C's printf for the conversions we support):
 * - digits in base sp->base, lower-case hex unless sp->upper;
 * - a negative signed value prints '-' then the digits of its magnitude
 *   (take care: the magnitude of INT64_MIN does not fit in an int64_t);
 * - the result is padded to sp->width: with '0' between the sign and the
 *   digits if sp->zero_pad (and not sp->left), else with ' ' on the left,
 *   or on the right if sp->left.
 */
static void format_number(struct out *o, uint64_t value, const struct spec *sp)
{
    // LAB 1 BEGIN exercise 1: format_number()
    static const char lower[] = "0123456789abcdef";
    static const char upper[] = "0123456789ABCDEF";
    const char *digits = sp->upper ? upper : lower;
    char tmp[24]; /* 2^64 in decimal has 20 digits; plus a sign. */
    unsigned int n = 0, ndigits, fill;
    bool negative = sp->is_signed && (int64_t)value < 0;

    if (negative)
        value = -value; /* unsigned negation: right even for INT64_MIN */
    do {
        tmp[n++] = digits[value % sp->base];
        value /= sp->base;
    } while (value);
    ndigits = n;

    fill = sp->width > ndigits + negative ? sp->width - ndigits - negative : 0;
    if (!sp->left && !sp->zero_pad)
        pad(o, ' ', fill);
    if (negative)
        put(o, '-');
    if (!sp->left && sp->zero_pad)
        pad(o, '0', fill);
    while (n)
        put(o, tmp[--n]);
    if (sp->left)
        pad(o, ' ', fill);
    // LAB 1 STUB
    // /*
    //  * Not done yet. We cannot call printk() from here (printk() calls us),
    //  * so the stub writes a marker that every number on the console shows.
    //  */
    // static const char todo[] = "<LAB 1 exercise 1: format_number()>";
    // (void)value;
    // put_field(o, todo, sizeof(todo) - 1, sp);
    // LAB 1 END
}

/** Read an integer argument of the given length, sign- or zero-extended. */
static uint64_t get_int(va_list *args, int lmod, bool is_signed)
{
    switch (lmod) {
    case 'l': /* long */
    case 'L': /* long long */
    case 'z': /* size_t */
        /* All three are 64 bits on x86-64. */
        return va_arg(*args, uint64_t);
    default:
        if (is_signed)
            return (uint64_t)(int64_t)va_arg(*args, int);
        return va_arg(*args, unsigned int);
    }
}

/** Parse flags, width and length of a conversion; return its type char. */
static const char *parse_spec(const char *fmt, va_list *args, struct spec *sp,
                              int *lmod)
{
    *sp = (struct spec){ .base = 10 };
    for (;; fmt++) {
        if (*fmt == '0')
            sp->zero_pad = true;
        else if (*fmt == '-')
            sp->left = true;
        else
            break;
    }
    if (*fmt == '*') {
        int w = va_arg(*args, int);

        if (w < 0) { /* C: a negative width means '-' */
            sp->left = true;
            w = -w;
        }
        sp->width = w;
        fmt++;
    } else {
        while (*fmt >= '0' && *fmt <= '9')
            sp->width = sp->width * 10 + (*fmt++ - '0');
    }

    *lmod = 0;
    if (*fmt == 'l') {
        *lmod = 'l';
        if (*++fmt == 'l') {
            *lmod = 'L';
            fmt++;
        }
    } else if (*fmt == 'z') {
        *lmod = 'z';
        fmt++;
    }
    return fmt;
}

/** Emit one conversion of type @p type. */
static void convert(struct out *o, char type, int lmod, struct spec *sp,
                    va_list *args)
{
    const char *s;
    char c;

    switch (type) {
    case 'd':
    case 'i':
        sp->is_signed = true;
        format_number(o, get_int(args, lmod, true), sp);
        break;
    case 'u':
        format_number(o, get_int(args, lmod, false), sp);
        break;
    case 'X':
        sp->upper = true;
        /* fall through */
    case 'x':
        sp->base = 16;
        format_number(o, get_int(args, lmod, false), sp);
        break;
    case 'p':
        /* Always "0x" and 16 digits, so addresses line up in columns. */
        put(o, '0');
        put(o, 'x');
        *sp = (struct spec){ .base = 16, .width = 16, .zero_pad = true };
        format_number(o, (uintptr_t)va_arg(*args, void *), sp);
        break;
    case 's':
        s = va_arg(*args, const char *);
        if (!s)
            s = "(null)";
        put_field(o, s, strlen(s), sp);
        break;
    case 'c':
        c = (char)va_arg(*args, int);
        put_field(o, &c, 1, sp);
        break;
    case '%':
        put(o, '%');
        break;
    default:
        /* Unknown conversion: show it as it was, so the bug is visible. */
        put(o, '%');
        if (type)
            put(o, type);
        break;
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
    struct out o = { .buf = buf, .size = size, .len = 0 };
    struct spec sp;
    int lmod;
    va_list ap;

    /* Work on a copy so helpers can take a pointer to it portably. */
    va_copy(ap, args);
    while (*fmt) {
        if (*fmt != '%') {
            put(&o, *fmt++);
            continue;
        }
        fmt = parse_spec(fmt + 1, &ap, &sp, &lmod);
        convert(&o, *fmt, lmod, &sp, &ap);
        if (*fmt)
            fmt++;
    }
    va_end(ap);

    if (size)
        buf[min(o.len, size - 1)] = '\0';
    return o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list args;
    int len;

    va_start(args, fmt);
    len = vsnprintf(buf, size, fmt, args);
    va_end(args);
    return len;
}
