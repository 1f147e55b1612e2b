#!/usr/bin/env bash
# `make test`: every check CI runs, one step after another, with a summary.
#
# Each step is a make target. Steps that count their own tests end with a
# line "N passed, N failed" (the grader, the unit tests, check-labs, the
# generator tests); their counts are added up. A step without such a line
# counts as one test, passed if it exited 0. A step that exits non-zero
# always counts a failure, whatever it printed. Logs: $BUILD/test-logs/.
set -uo pipefail

build=${BUILD:-build}
logs=$build/test-logs
mkdir -p "$logs"

steps=(format-check check-markers hypervisor unit test-handout grade-all
       check-labs gdb-test autograder-test docs)
total_pass=0 total_fail=0 failed_steps=()

for step in "${steps[@]}"; do
    start=$(date +%s)
    make --no-print-directory "$step" >"$logs/$step.log" 2>&1
    rc=$?
    secs=$(($(date +%s) - start))
    counts=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' \
             "$logs/$step.log" | tail -n 1 | grep -oE '[0-9]+ passed, [0-9]+')
    if [ -n "$counts" ]; then
        pass=${counts%% *}
        fail=${counts##* }
    else
        pass=$((rc == 0)) fail=0
    fi
    if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
        fail=1
    fi
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    if [ "$rc" -eq 0 ]; then
        printf '%-14s ok      %4d passed          %4ds\n' "$step" "$pass" "$secs"
    else
        printf '%-14s FAILED  %4d passed %4d failed %4ds  (log: %s)\n' \
            "$step" "$pass" "$fail" "$secs" "$logs/$step.log"
        failed_steps+=("$step")
        tail -n 30 "$logs/$step.log" | sed 's/^/    | /'
    fi
done

[ ${#failed_steps[@]} -eq 0 ] || echo "failed steps: ${failed_steps[*]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
