#!/usr/bin/env python3
"""Lab integrity: every handout builds, boots and grades as it should.

For each lab n (each labs/NN-name/ folder) this
  1. writes handout n into OUT/lab<n> with labs/handout.py;
  2. builds the reference and every handout (`make hypervisor guests`),
     which must succeed without a single "warning:" in its output;
  3. grades, one grading/grade.py run per tree and lab:
     - the reference gets full marks on lab n;
     - handout n gets full marks on every lab before n;
     - on lab n, handout n passes every test of no exercise (it boots and
       runs what is given) and scores zero on every exercise test.
Runs go J at a time (-j, default: the number of CPUs), one QEMU each.

It prints one row per lab, one column per check, then "N passed, N failed"
counting the checked cells, and exits 1 if any check failed. Logs and
results.json files stay in OUT/logs.

Run: make check-labs   (or python3 tests/labs/check_labs.py [-j J] [--out DIR])
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
from dataclasses import dataclass

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
sys.path.insert(0, os.path.join(TOP, "labs"))
import handout  # noqa: E402 (labs/handout.py, found through the path above)

# A generous bound on one grade.py run; its tests have their own timeouts.
GRADE_TIMEOUT = 1800

COLUMNS = ["reference full", "handout builds", "boots",
           "earlier labs full", "own lab exercises zero"]


@dataclass
class Tree:
    """A tree to build and grade: the reference or a handout."""
    name: str  # "reference" or "lab<n>"
    path: str
    build: str  # its BUILD directory, relative to path

    @property
    def elf(self):
        """The hypervisor image that its build makes."""
        return os.path.join(self.path, self.build, "hypervisor", "hospes.elf")

    @property
    def guests(self):
        """Where its build puts the guest programs (lab 4 on)."""
        return os.path.join(self.path, self.build, "guest", "tests")


def clean_env():
    """Our environment without the calling make's flags and variables:
    a handout is built as a student would build it."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("MAKE") and k not in ("MFLAGS", "BUILD",
                                                      "LAB", "OUT")}


def run(cmd, cwd, log, timeout=None):
    """Run a command, its output going to the file log.
    Returns (exit status, output); status None on a timeout."""
    try:
        r = subprocess.run(cmd, cwd=cwd, env=clean_env(), timeout=timeout,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        status, output = r.returncode, r.stdout
    except subprocess.TimeoutExpired as e:  # its output comes as bytes
        status = None
        output = (e.output or b"").decode(errors="replace") + \
            f"\ntimed out after {timeout} s"
    with open(log, "w") as f:
        f.write(output)
    return status, output


def build(tree, logs):
    """Build a tree. Returns None if it built cleanly, else why not."""
    log = os.path.join(logs, f"{tree.name}-build.log")
    status, output = run(["make", "--no-print-directory", "-C", tree.path,
                          f"BUILD={tree.build}", "hypervisor", "guests"], TOP,
                         log)
    warnings = [line for line in output.splitlines() if "warning:" in line]
    if status != 0:
        return f"make failed (see {log})"
    if warnings:
        return f"{len(warnings)} warning(s), first: {warnings[0]}"
    return None


def grade(tree, lab, logs):
    """Grade a tree on one lab. Returns (tests, why): the tests of
    results.json, or None and why there are none."""
    stem = os.path.join(logs, f"{tree.name}-grade-lab{lab}")
    results = stem + ".json"
    if os.path.exists(results):
        os.remove(results)
    status, _ = run([sys.executable, "grading/grade.py", "--lab", str(lab),
                     "-j", "1", "--elf", tree.elf, "--guests", tree.guests,
                     "--json", results],
                    tree.path, stem + ".log", GRADE_TIMEOUT)
    if status is None or not os.path.exists(results):
        return None, f"grade.py gave no results (see {stem}.log)"
    with open(results) as f:
        tests = [t for t in json.load(f)["tests"]
                 if t["extra_data"]["lab"] == lab]
    print(f"graded {tree.name} on lab {lab}: "
          f"{sum(t['score'] for t in tests)}/"
          f"{sum(t['max_score'] for t in tests)}", flush=True)
    return tests, None


def short(test):
    """A test's name and score, for a failure's reason."""
    return f"'{test['name']}' {test['score']}/{test['max_score']}"


def full_marks(tests):
    """None if every test has full marks, else why not."""
    if not tests:
        return "no tests"
    lost = [short(t) for t in tests if t["score"] < t["max_score"]]
    return f"below full marks: {', '.join(lost)}" if lost else None


def boots(tests):
    """None if every test of no exercise passes, else why not."""
    given = [t for t in tests if t["extra_data"]["exercise"] is None]
    if not given:
        return "no test outside the exercises shows it boots"
    return full_marks(given)


def exercises_zero(tests):
    """None if every exercise test scores zero, else why not."""
    own = [t for t in tests if t["extra_data"]["exercise"] is not None]
    if not own:
        return "no exercise tests"
    scored = [short(t) for t in own if t["score"] > 0]
    return f"scores without the solution: {', '.join(scored)}" \
        if scored else None


def check(labs, out, jobs, ref_build):
    """Run every check. Returns {lab: {column: None (pass), why, or
    "-" (not checked)}}."""
    out = os.path.abspath(out)
    logs = os.path.join(out, "logs")
    os.makedirs(logs, exist_ok=True)
    ref = Tree("reference", TOP, ref_build)
    trees = {n: Tree(f"lab{n}", os.path.join(out, f"lab{n}"), "build")
             for n in labs}
    for n, tree in trees.items():
        print(handout.write_handout(TOP, n, tree.path))

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        everything = [ref, *trees.values()]
        built = dict(zip((t.name for t in everything),
                         pool.map(lambda t: build(t, logs), everything)))
        print("built:", ", ".join(f"{name} {'ok' if why is None else 'FAILED'}"
                                  for name, why in built.items()))
        runs = [(ref, k) for k in labs if built["reference"] is None]
        runs += [(trees[n], k) for n in labs for k in labs
                 if k <= n and built[f"lab{n}"] is None]
        grades = dict(zip(((t.name, k) for t, k in runs),
                          pool.map(lambda r: grade(*r, logs), runs)))

    def judged(tree, lab, judge):
        tests, why = grades[(tree, lab)]
        return why if tests is None else judge(tests)

    table = {}
    for n in labs:
        mine = f"lab{n}"
        row = table[n] = {"handout builds": built[mine]}
        row["reference full"] = (
            judged("reference", n, full_marks) if built["reference"] is None
            else f"the reference does not build: {built['reference']}")
        if built[mine] is not None:
            row.update(dict.fromkeys(COLUMNS[2:], "-"))
            continue
        row["boots"] = judged(mine, n, boots)
        earlier = [f"lab {k}: {why}" for k in labs if k < n
                   if (why := judged(mine, k, full_marks))]
        row["earlier labs full"] = ("; ".join(earlier) or None) \
            if n > labs[0] else "-"
        row["own lab exercises zero"] = judged(mine, n, exercises_zero)
    return table


def report(table):
    """Print the table and the reasons of failures; return the failures."""
    def cell(value):
        return "-" if value == "-" else "ok" if value is None else "FAIL"

    header = ["lab", *COLUMNS, "verdict"]
    rows = [[str(n), *(cell(row[c]) for c in COLUMNS),
             "FAIL" if any(cell(row[c]) == "FAIL" for c in COLUMNS)
             else "PASS"] for n, row in table.items()]
    widths = [max(len(r[i]) for r in [header, *rows])
              for i in range(len(header))]
    for r in [header, *rows]:
        print(" | ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())

    passed = failed = 0
    for n, row in table.items():
        for c in COLUMNS:
            if row[c] is None:
                passed += 1
            elif row[c] != "-":
                failed += 1
                print(f"lab {n}, {c}: {row[c]}")
    print(f"{passed} passed, {failed} failed")
    return failed


def main():
    ap = argparse.ArgumentParser(description="Check every lab handout.")
    ap.add_argument("--out", default=os.path.join(TOP, "build", "labs"),
                    help="where the handouts and logs go "
                         "(default: build/labs)")
    ap.add_argument("-j", type=int, default=os.cpu_count() or 1,
                    metavar="J", help="builds and grade runs at once "
                                      "(default: the number of CPUs)")
    ap.add_argument("--ref-build", default="build", metavar="DIR",
                    help="the reference tree's BUILD directory")
    args = ap.parse_args()
    try:
        labs = sorted(handout.known_labs(handout.worktree_files(TOP)))
        table = check(labs, args.out, max(args.j, 1), args.ref_build)
    except handout.Fail as e:
        print(e, file=sys.stderr)
        return 1
    return 1 if report(table) else 0


if __name__ == "__main__":
    sys.exit(main())
