/*
 * main.c: the main() of every unit-test binary.
 *
 * It runs the binary's one suite, unit_suite(), with Check's defaults: each
 * test in a child process of its own (so a crash or a sanitizer report
 * fails that test only) and the verbosity of CK_VERBOSITY (normal: a
 * summary line and one line per failed test). tests/unit/run.py reads
 * that summary.
 */
#include "unit.h"

#include <stdlib.h>

int main(void)
{
    SRunner *runner = srunner_create(unit_suite());
    int failed;

    srunner_run_all(runner, CK_ENV);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
