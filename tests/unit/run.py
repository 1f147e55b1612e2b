#!/usr/bin/env python3
"""Run the unit-test binaries and add up what Check reports.

Usage: run.py BINARY...

Each binary runs one Check suite and prints Check's summary,
"NN%: Checks: N, Failures: F, Errors: E", with one line per failed test.
That output is shown as it comes; then a closing line adds the counts up:
"N passed, N failed". A binary that ends without a summary (it crashed, or
could not start) counts as one failed test. The exit status is 1 if any
test failed, else 0.
"""

import re
import subprocess
import sys

SUMMARY = re.compile(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)")


def run(binary):
    """Run one binary, show its output; return (passed, failed)."""
    print(f"== {binary}", flush=True)
    try:
        proc = subprocess.run([binary], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              errors="replace")
    except OSError as e:
        print(f"{binary}: cannot run: {e}")
        return 0, 1
    print(proc.stdout, end="", flush=True)

    match = SUMMARY.search(proc.stdout)
    if not match:
        print(f"{binary}: no Check summary (exit status {proc.returncode}); "
              "counted as one failed test")
        return 0, 1
    checks, failures, errors = map(int, match.groups())
    failed = failures + errors
    if not failed and proc.returncode != 0:
        print(f"{binary}: all tests passed but it exited with status "
              f"{proc.returncode}; counted as one failed test")
        failed = 1
    return checks - failures - errors, failed


def main(binaries):
    passed = failed = 0
    for binary in binaries:
        p, f = run(binary)
        passed += p
        failed += f
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not binaries else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
