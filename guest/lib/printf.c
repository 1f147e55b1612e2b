/**
 * @file
 * @brief The guest's printf engine: vformat().
 *
 * Written for the guest alone (guest/ shares only the public ABI headers
 * with the hypervisor), and small: the conversions guest programs need,
 * listed in guest/printf.h. It produces characters one at a time for an
 * output function, so it needs no buffer of its own.
 */
#include <stdbool.h>
#include <stddef.h>
#include <guest/printf.h>
#include <guest/string.h>

/** Where the characters go, and how many went. */
struct output {
    format_put_t put; /**< the output function */
    void *arg;        /**< its argument */
    int count;        /**< characters produced so far */
};

/** The size prefixes of an integer conversion. */
enum int_size { SIZE_INT, SIZE_LONG, SIZE_LONG_LONG, SIZE_SIZE_T };

/** Produce one character. */
static void emit(struct output *out, char c)
{
    out->put(c, out->arg);
    out->count++;
}

/**
 * Emit the len characters at s right-aligned in a field of width, after a
 * minus sign if negative. Zero padding goes between the sign and the
 * digits ("-007"), space padding before the sign ("  -7").
 */
static void emit_field(struct output *out, const char *s, size_t len,
                       bool negative, unsigned int width, char pad)
{
    size_t total = len + negative;

    if (negative && pad == '0')
        emit(out, '-');
    for (; width > total; width--)
        emit(out, pad);
    if (negative && pad != '0')
        emit(out, '-');
    while (len--)
        emit(out, *s++);
}

/** Emit @p value in @p base, in a field as emit_field() does. */
static void emit_number(struct output *out, unsigned long long value,
                        unsigned int base, bool negative, unsigned int width,
                        char pad)
{
    char digits[20]; /* 2^64 - 1 has 20 decimal digits */
    size_t start = sizeof(digits);

    do {
        digits[--start] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value);
    emit_field(out, digits + start, sizeof(digits) - start, negative, width,
               pad);
}

/** The next argument, of the size the prefixes name, as unsigned. */
static unsigned long long next_unsigned(va_list *ap, enum int_size size)
{
    switch (size) {
    case SIZE_LONG:
        return va_arg(*ap, unsigned long);
    case SIZE_LONG_LONG:
        return va_arg(*ap, unsigned long long);
    case SIZE_SIZE_T:
        return va_arg(*ap, size_t);
    default:
        return va_arg(*ap, unsigned int);
    }
}

/** The next argument, of the size the prefixes name, as signed. */
static long long next_signed(va_list *ap, enum int_size size)
{
    switch (size) {
    case SIZE_LONG:
        return va_arg(*ap, long);
    case SIZE_LONG_LONG:
        return va_arg(*ap, long long);
    case SIZE_SIZE_T:
        return (long long)va_arg(*ap, size_t);
    default:
        return va_arg(*ap, int);
    }
}

int vformat(format_put_t put, void *arg, const char *fmt, va_list ap)
{
    struct output out = { .put = put, .arg = arg, .count = 0 };
    va_list args;

    /* A va_list parameter cannot be passed on by address portably (on
     * x86-64 it is an array); a copy can. */
    va_copy(args, ap);
    for (; *fmt; fmt++) {
        enum int_size size = SIZE_INT;
        unsigned int width = 0;
        char pad = ' ';
        const char *s;
        long long value;
        char c;

        if (*fmt != '%') {
            emit(&out, *fmt);
            continue;
        }
        fmt++;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        for (; *fmt >= '0' && *fmt <= '9'; fmt++)
            width = width * 10 + (*fmt - '0');
        if (*fmt == 'l') {
            size = SIZE_LONG;
            if (*++fmt == 'l') {
                size = SIZE_LONG_LONG;
                fmt++;
            }
        } else if (*fmt == 'z') {
            size = SIZE_SIZE_T;
            fmt++;
        }

        switch (*fmt) {
        case 'd':
        case 'i':
            value = next_signed(&args, size);
            emit_number(&out,
                        value < 0 ? -(unsigned long long)value
                                  : (unsigned long long)value,
                        10, value < 0, width, pad);
            break;
        case 'u':
            emit_number(&out, next_unsigned(&args, size), 10, false, width,
                        pad);
            break;
        case 'x':
            emit_number(&out, next_unsigned(&args, size), 16, false, width,
                        pad);
            break;
        case 'p':
            emit(&out, '0');
            emit(&out, 'x');
            emit_number(&out, (unsigned long)va_arg(args, void *), 16, false,
                        width, pad);
            break;
        case 's':
            s = va_arg(args, const char *);
            if (!s)
                s = "(null)";
            emit_field(&out, s, strlen(s), false, width, ' ');
            break;
        case 'c':
            c = (char)va_arg(args, int);
            emit_field(&out, &c, 1, false, width, ' ');
            break;
        case '%':
            emit(&out, '%');
            break;
        case '\0':
            /* A lone '%' at the end: show it, and stop. */
            emit(&out, '%');
            fmt--;
            break;
        default:
            /* Unknown: print the '%' and the letter as they stand. */
            emit(&out, '%');
            emit(&out, *fmt);
            break;
        }
    }
    va_end(args);
    return out.count;
}
