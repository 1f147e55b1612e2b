#!/usr/bin/env python3
"""
grade.py: grade Hospes labs by booting the hypervisor under QEMU.

    python3 grading/grade.py [--lab N|all]... [-j J] [--filter TEXT]
                             [--json FILE] [--junit FILE] [--keep DIR]
                             [--elf PATH] [--qemu PROGRAM] [--list]

`make grade` runs it for this tree's lab, `make grade-all` for every lab
(grading/grading.mk). Lab N's tests are in grading/labN.py; the library is
grading/gradelib.py; grading/README.md says how to write tests.

Prints one line per test ("name: OK (x/y)" or "name: FAIL (0/y)" followed
by what went wrong), then "Score: x/y" and "N passed, N failed". Exits with
status 1 below full marks, 2 on a usage error.
"""

import argparse
import concurrent.futures
import importlib
import json
import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Import everything as the package "grading" (grading.lab1,
# grading.gdbcheck), whatever directory we are started from.
sys.path[0] = str(ROOT)

from grading import gradelib  # noqa: E402 (needs the path above)


def die(message):
    """A usage error: status 2, so that it is not taken for a low score."""
    print("grade.py: " + message, file=sys.stderr)
    sys.exit(2)


def discover_labs():
    """{number: module name} for every grading/labN.py."""
    labs = {}
    for path in (ROOT / "grading").glob("lab*.py"):
        match = re.fullmatch(r"lab(\d+)\.py", path.name)
        if match:
            labs[int(match[1])] = f"grading.{path.stem}"
    return labs


def default_lab(labs):
    """This tree's lab: labs/LAB in a handout, else the newest lab (as in
    the top Makefile)."""
    try:
        return int((ROOT / "labs" / "LAB").read_text().strip())
    except FileNotFoundError:
        return max(labs)


def chosen_labs(requested, labs):
    """The lab numbers named by --lab options ("all", or numbers)."""
    requested = requested or [str(default_lab(labs))]
    if "all" in requested:
        return sorted(labs)
    numbers = []
    for word in requested:
        if not word.isdigit() or int(word) not in labs:
            die(f"no lab {word!r} (there are: "
                f"{', '.join(map(str, sorted(labs)))}, all)")
        if int(word) not in numbers:
            numbers.append(int(word))
    return sorted(numbers)


def parse_args():
    parser = argparse.ArgumentParser(
        description="Grade Hospes labs by booting the hypervisor under QEMU.")
    parser.add_argument("--lab", action="append", metavar="N",
                        help="a lab to grade (repeatable), or 'all'; "
                        "default: this tree's lab")
    parser.add_argument("-j", type=int, default=os.cpu_count() or 1,
                        metavar="J", help="QEMU runs at once (default: "
                        "the number of CPUs)")
    parser.add_argument("--filter", metavar="TEXT",
                        help="only the tests whose name contains TEXT")
    parser.add_argument("--json", metavar="FILE",
                        help="write Gradescope's results.json here")
    parser.add_argument("--junit", metavar="FILE",
                        help="write a JUnit XML report here")
    parser.add_argument("--keep", metavar="DIR",
                        help="keep each test's serial log in DIR")
    parser.add_argument("--elf",
                        default=str(ROOT / "build/hypervisor/hospes.elf"),
                        help="the hypervisor image (default: %(default)s)")
    parser.add_argument("--guests",
                        default=str(gradelib.GUEST_DIR),
                        help="where the guest programs are (lab 4 on)")
    parser.add_argument("--qemu", default="qemu-system-x86_64",
                        help="the QEMU program (default: %(default)s)")
    parser.add_argument("--list", action="store_true",
                        help="print the test names and stop")
    args = parser.parse_args()
    if args.j < 1:
        parser.error("-j needs at least 1")
    return args


def gradescope_json(results, path):
    """Gradescope's results.json: the score and one entry per test."""
    tests = [{"name": r.test.name,
              "score": r.score,
              "max_score": r.test.points,
              "status": "passed" if r.passed else "failed",
              "output": r.report,
              "visibility": "visible",
              "number": r.test.number,
              "extra_data": {"lab": r.test.lab.number,
                             "exercise": r.test.exercise}}
             for r in results]
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"score": sum(r.score for r in results), "tests": tests},
                  out, indent=2)
        out.write("\n")


def junit_xml(results, path):
    """JUnit XML: one test suite per lab, one test case per test."""
    suites = ET.Element("testsuites")
    for lab in dict.fromkeys(r.test.lab for r in results):
        mine = [r for r in results if r.test.lab is lab]
        suite = ET.SubElement(suites, "testsuite", name=f"lab{lab.number}",
                              tests=str(len(mine)),
                              failures=str(sum(not r.passed for r in mine)),
                              time=f"{sum(r.seconds for r in mine):.2f}")
        for r in mine:
            case = ET.SubElement(suite, "testcase", name=r.test.name,
                                 classname=f"lab{lab.number}",
                                 time=f"{r.seconds:.2f}")
            if not r.passed:
                failure = ET.SubElement(case, "failure",
                                        message=f"0/{r.test.points} points")
                failure.text = r.report
    ET.indent(suites)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


def print_result(result):
    """One line for the test, then the report of a failure, indented."""
    verdict = "OK" if result.passed else "FAIL"
    points = f"{result.score}/{result.test.points}"
    print(f"{result.test.name}: {verdict} ({points})")
    for line in result.report.splitlines():
        print("    " + line)
    sys.stdout.flush()


def main():
    args = parse_args()
    labs = discover_labs()
    if not labs:
        die("no grading/lab*.py found")
    tests = []
    for number in chosen_labs(args.lab, labs):
        lab = importlib.import_module(labs[number]).lab
        tests += [t for t in lab.tests
                  if not args.filter or args.filter in t.name]
    if not tests:
        die("no test matches")
    if args.list:
        for test in tests:
            print(test.name)
        return 0
    gradelib.GUEST_DIR = Path(args.guests).resolve()
    elf = Path(args.elf).resolve()
    if not elf.is_file():
        die(f"{args.elf} does not exist: build it first (make)")
    if not shutil.which(args.qemu):
        die(f"no {args.qemu} here: install it (make deps)")

    # Tests run in parallel; results print in the declared order.
    results = []
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.j)
    try:
        futures = [pool.submit(gradelib.run_test, test, args.qemu, elf,
                               args.keep) for test in tests]
        lab = None
        for future in futures:
            result = future.result()
            if result.test.lab is not lab:
                lab = result.test.lab
                print(f"== {lab.title} ({lab.handout})")
            print_result(result)
            results.append(result)
    except KeyboardInterrupt:
        # Running QEMUs got the same Ctrl-C; start no more of them.
        pool.shutdown(wait=False, cancel_futures=True)
        return 130
    pool.shutdown()

    if args.json:
        gradescope_json(results, args.json)
    if args.junit:
        junit_xml(results, args.junit)
    score = sum(r.score for r in results)
    total = sum(r.test.points for r in results)
    passed = sum(r.passed for r in results)
    print(f"Score: {score}/{total}")
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if score == total else 1


if __name__ == "__main__":
    sys.exit(main())
