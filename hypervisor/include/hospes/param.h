/**
 * @file
 * @brief Command-line options, declared where they are used (Xen style).
 *
 * A file that wants an option writes, at file scope,
 *
 *     static bool opt_noreboot;
 *     boolean_param("noreboot", opt_noreboot);
 *
 * The macro puts a struct kernel_param into the `hospes_params` section;
 * cmdline_parse() walks that section, so no central list of options exists.
 * The option kinds and their syntax:
 *
 * | kind    | examples                    | notes                          |
 * |---------|-----------------------------|--------------------------------|
 * | boolean | `noreboot`, `no-noreboot`, `noreboot=off` | `no-` negates   |
 * | integer | `maxcpus=2`, `maxcpus=0x2`  | unsigned long                  |
 * | size    | `dom0_mem=512M`             | suffix B, K, M, G, T; none = K |
 * | string  | `sched=credit`              | truncation is an error         |
 * | custom  | `loglvl=all`                | a function parses the value    |
 *
 * Design page: docs/boot.md (section "Command line").
 */
#ifndef HOSPES_PARAM_H
#define HOSPES_PARAM_H

#include <hospes/types.h>

/** The kinds of option value. */
enum param_type {
    PARAM_BOOL,   /**< `bool`; a bare name sets it, `no-name` clears it. */
    PARAM_UINT,   /**< `unsigned long`. */
    PARAM_SIZE,   /**< `uint64_t` bytes, from a number with a unit. */
    PARAM_STRING, /**< `char[]`, NUL-terminated. */
    PARAM_CUSTOM, /**< parsed by a function. */
};

/** One registered command-line option. */
struct kernel_param {
    const char *name;     /**< the option's name, without `=`. */
    enum param_type type; /**< how to parse its value. */
    size_t size;          /**< size of the variable (string: buffer). */
    union {
        void *var;                    /**< the variable to set. */
        int (*func)(const char *val); /**< PARAM_CUSTOM: 0 or -errno. */
    } par;                            /**< where the value goes. */
};

/* The macros read better aligned by hand than as clang-format has them. */
/* clang-format off */

/** @cond INTERNAL */
#define __param(name_, type_, size_, var_)                                  \
    static const struct kernel_param __param_##var_##_entry                 \
        __section("hospes_params") __used __aligned(8) = {                  \
            .name = (name_), .type = (type_), .size = (size_),              \
            .par = { .var = (void *)&(var_) } }
/** @endcond */

/** Register a `bool` variable as a boolean option. */
#define boolean_param(name, var)                                            \
    _Static_assert(sizeof(var) == sizeof(bool), #var " must be bool");      \
    __param(name, PARAM_BOOL, sizeof(var), var)

/** Register an `unsigned long` variable as an integer option. */
#define integer_param(name, var)                                            \
    _Static_assert(sizeof(var) == sizeof(unsigned long), #var " size");     \
    __param(name, PARAM_UINT, sizeof(var), var)

/** Register a `uint64_t` variable as a size option (bytes). */
#define size_param(name, var)                                               \
    _Static_assert(sizeof(var) == sizeof(uint64_t), #var " size");          \
    __param(name, PARAM_SIZE, sizeof(var), var)

/** Register a `char[]` variable as a string option. */
#define string_param(name, var)                                             \
    __param(name, PARAM_STRING, sizeof(var), var)

/** Register a function `int fn(const char *value)` as an option's parser. */
#define custom_param(name_, fn_)                                            \
    static const struct kernel_param __param_##fn_##_entry                  \
        __section("hospes_params") __used __aligned(8) = {                  \
            .name = (name_), .type = PARAM_CUSTOM, .size = 0,               \
            .par = { .func = (fn_) } }

/* clang-format on */

/**
 * @brief Parse a command line and set the options it names.
 *
 * Words are separated by spaces; each is `name` or `name=value`. An unknown
 * option, or a value that does not parse, is reported with a warning that
 * names the option; the option then keeps its default and parsing goes on.
 *
 * @param cmdline  the command line (without the image name).
 * @return the number of words that were rejected (0 if all were fine).
 */
unsigned int cmdline_parse(const char *cmdline);

/**
 * @brief Parse a size with an optional unit: B, K, M, G or T (any case).
 *
 * A number without a unit counts in KiB, as on Xen's command line.
 *
 * @param s    the text, e.g. `512M`.
 * @param end  receives a pointer just past the number and its unit.
 * @return the size in bytes, or 0 with *@p end == @p s if there is no number.
 */
uint64_t parse_size_and_unit(const char *s, const char **end);

/**
 * @brief Parse a boolean word: 1/0, yes/no, on/off, true/false,
 *        enable/disable.
 * @return 1 or 0, or -EINVAL for any other word.
 */
int parse_bool(const char *s);

/** @brief Print every option and its current value (at LOG_DEBUG). */
void param_dump(void);

#endif /* HOSPES_PARAM_H */
