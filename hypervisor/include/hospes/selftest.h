/**
 * @file
 * @brief Built-in self-tests, chosen with `selftest=name[,name...]`.
 *
 * The grader boots the hypervisor with a self-test selected; the test
 * prints what it checked and the hypervisor then powers off with the
 * verdict (see hospes/shutdown.h). Each lab adds its tests to the table in
 * common/selftest.c. Design page: docs/grading.md.
 */
#ifndef HOSPES_SELFTEST_H
#define HOSPES_SELFTEST_H

/**
 * @brief Run the self-tests the `selftest=` option names, if any.
 *
 * Returns at once when the option is empty. Otherwise it never returns: it
 * runs each named test, prints `selftest: all passed` or which failed, and
 * shuts the machine down with the verdict.
 */
void selftest_run(void);

#endif /* HOSPES_SELFTEST_H */
