/**
 * @file
 * @brief Built-in self-tests, chosen with `selftest=name[,name...]`.
 *
 * The grader boots the hypervisor with a self-test selected; the test
 * prints what it checked and the hypervisor then powers off with the
 * verdict (see hospes/shutdown.h). A test registers itself, in the file of
 * what it tests, with
 *
 *     static int selftest_alloc(void) { ... return failures; }
 *     SELFTEST("alloc", selftest_alloc);
 *
 * Design page: docs/grading.md.
 */
#ifndef HOSPES_SELFTEST_H
#define HOSPES_SELFTEST_H

#include <hospes/time.h>

/** One named self-test. */
struct selftest {
    const char *name; /**< as given to `selftest=` */
    int (*run)(void); /**< returns the number of failed checks */
};

/* The macro reads better aligned by hand than as clang-format has it. */
/* clang-format off */
/** Register function @p fn_ as the self-test called @p name_. */
#define SELFTEST(name_, fn_)                                                \
    static const struct selftest __selftest_##fn_                           \
        __section("hospes_selftests") __used __aligned(8) = {               \
            .name = (name_), .run = (fn_) }
/* clang-format on */

/**
 * @brief Wait, running softirqs, until @p done() is true or system time
 *        @p deadline has passed. Sleeps between interrupts, but never
 *        past the deadline: a timer of its own wakes it then, so a test
 *        waiting for timers that never fire (or fire on other CPUs) still
 *        gives up and reports.
 */
void selftest_wait(bool (*done)(void), s_time_t deadline);

/**
 * @brief Run the self-tests the `selftest=` option names, if any.
 *
 * Returns at once when the option is empty. Otherwise it never returns: it
 * runs each named test, prints `selftest: all passed` or which failed, and
 * shuts the machine down with the verdict.
 */
void selftest_run(void);

#endif /* HOSPES_SELFTEST_H */
