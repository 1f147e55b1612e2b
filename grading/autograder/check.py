"""check.py: test the autograder zip and grading/batch end to end.

    python3 grading/autograder/check.py --lab N --zip build/autograder.zip

(`make autograder-test`.) Unpacks the zip into a folder laid out like
Gradescope's /autograder, and grades sample submissions through its
run_autograder as Gradescope would:

  full        the reference's hypervisor/ in a whole tree: full marks
  unfinished  a bare hypervisor/ folder with the first file holding an
              exercise of lab N as the handout has it (labs/handout.py):
              some tests fail, others pass
  cheat       the unfinished one in a tree whose grading/, Makefile and
              hypervisor/build.mk claim full marks: graded the same
  nobuild     a syntax error: score 0, and the compiler's message shown

Then grading/batch grades the same folders and must agree. Last, the
time limit: no time for the build gives score 0 and says so,
and grade.py output cut short keeps the points of the tests that had
finished. Prints one line per check and "N passed, N failed".
"""

import argparse
import csv
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
from grading.autograder import overlay  # noqa: E402 (needs the path above)


class Checks:
    """Counts checks and prints each one."""

    def __init__(self):
        self.passed = self.failed = 0

    def expect(self, what, ok, got=""):
        print(f"{'ok' if ok else 'FAILED'}: {what}"
              + ("" if ok else f"\n    got: {got}"))
        if ok:
            self.passed += 1
        else:
            self.failed += 1


def unpack(zip_path, dest):
    """Unpack as Gradescope does: permissions kept, run_autograder copied
    up to the top of /autograder."""
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            path = Path(zf.extract(info, dest / "source"))
            os.chmod(path, (info.external_attr >> 16) & 0o777 or 0o644)
    shutil.copy2(dest / "source" / "run_autograder", dest / "run_autograder")


def autograde(autograder, submission, timeout=None):
    """Grade @submission with the unpacked autograder. @return results"""
    shutil.rmtree(autograder / "submission", ignore_errors=True)
    shutil.rmtree(autograder / "results", ignore_errors=True)
    shutil.copytree(submission, autograder / "submission", symlinks=True)
    config = autograder / "source" / "config.json"
    saved = config.read_text()
    if timeout is not None:
        config.write_text(json.dumps({**json.loads(saved),
                                      "timeout": timeout}))
    try:
        subprocess.run([autograder / "run_autograder"], check=True,
                       env={**os.environ,
                            "HOSPES_AUTOGRADER_ROOT": str(autograder)})
    finally:
        config.write_text(saved)
    return json.loads((autograder / "results" / "results.json").read_text())


def make_submissions(lab, students):
    """Write the sample submissions into @students. @return the file left
    unfinished, relative to hypervisor/."""
    full = students / "full"
    shutil.copytree(ROOT / "hypervisor", full / "hypervisor",
                    ignore=shutil.ignore_patterns(*overlay.IGNORED))

    handout = students.parent / "handout"
    subprocess.run([sys.executable, ROOT / "labs" / "handout.py", "--lab",
                    str(lab), "--out", handout, "--src", ROOT], check=True,
                   stdout=subprocess.DEVNULL)
    # The first file with an exercise of this lab (its solution marker).
    unfinished = next(
        path.relative_to(full / "hypervisor")
        for path in sorted((full / "hypervisor").rglob("*"))
        if path.is_file() and f"LAB {lab} BEGIN" in path.read_text(
            errors="replace"))
    bare = students / "unfinished"
    shutil.copytree(full / "hypervisor", bare)
    shutil.copy(handout / "hypervisor" / unfinished, bare / unfinished)

    cheat = students / "cheat"
    shutil.copytree(bare, cheat / "hypervisor")
    (cheat / "grading").mkdir()
    (cheat / "grading" / "grade.py").write_text(
        "import json, sys\n"
        "json.dump({'score': 1000, 'tests': []},"
        " open(sys.argv[sys.argv.index('--json') + 1], 'w'))\n")
    (cheat / "Makefile").write_text("all:\n\t@true\n")
    (cheat / "hypervisor" / "build.mk").write_text("# nothing to build\n")

    nobuild = students / "nobuild"
    shutil.copytree(full / "hypervisor", nobuild / "hypervisor")
    victim = sorted((nobuild / "hypervisor").rglob("*.c"))[0]
    with open(victim, "a") as f:
        f.write("\n#error deliberately broken by check.py\n")
    return unfinished


def check_scores(checks, results, unfinished):
    """The autograder's verdicts on the samples."""
    full = results["full"]
    total = sum(t["max_score"] for t in full["tests"])
    checks.expect("the reference gets full marks",
                  total > 0 and full["score"] == total
                  and all(t["status"] == "passed" for t in full["tests"]),
                  f"{full['score']}/{total}")

    bare = results["unfinished"]
    statuses = {t["status"] for t in bare["tests"]}
    checks.expect(f"unfinished hypervisor/{unfinished} fails some tests, "
                  "passes others",
                  0 < bare["score"] < total and statuses == {"passed",
                                                             "failed"},
                  f"{bare['score']}/{total}, statuses {statuses}")
    checks.expect("a cheat's grading/, Makefile and build.mk are ignored",
                  results["cheat"]["score"] == bare["score"],
                  f"{results['cheat']['score']}, expected {bare['score']}")

    nobuild = results["nobuild"]
    checks.expect("a build failure scores 0 and shows the compiler's error",
                  nobuild["score"] == 0 and not nobuild["tests"]
                  and "does not build" in nobuild["output"]
                  and "deliberately broken" in nobuild["output"],
                  nobuild.get("output", "")[:300])
    return total


def check_batch(checks, lab, autograder, students, results, total, out):
    """grading/batch on the same folders, with the zip's reference, must
    give the same scores."""
    scores = out / "scores.csv"
    run = subprocess.run([ROOT / "grading" / "batch", students, "--lab",
                          str(lab), "-j", "2", "--out", scores, "--reference",
                          autograder / "source" / "reference"],
                         stdout=subprocess.PIPE, text=True)
    print(run.stdout, end="")
    checks.expect("grading/batch runs", run.returncode == 0,
                  f"status {run.returncode}")
    if run.returncode:
        return
    with open(scores) as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    got = {name: float(row["score"]) for name, row in rows.items()}
    want = {name: float(r["score"]) for name, r in results.items()}
    checks.expect("batch gives each student the autograder's score",
                  got == want, f"{got}, expected {want}")
    checks.expect("batch's max_score is the lab's total",
                  all(float(r["max_score"]) == total for r in rows.values()),
                  [r["max_score"] for r in rows.values()])
    names = [t["name"] for t in results["full"]["tests"]]
    checks.expect("batch has one column per test",
                  list(rows["full"])[3:] == names, list(rows["full"])[3:])


def check_time_limit(checks, lab, autograder, students, out):
    """Running out of time never loses finished tests' points."""
    late = autograde(autograder, students / "full", timeout=0)
    checks.expect("no time for the build: score 0, saying so",
                  late["score"] == 0
                  and "did not finish in time" in late["output"],
                  late.get("output", "")[:300])

    tree = out / "tree"
    overlay.make_tree(autograder / "source" / "reference", students / "full",
                      tree)
    subprocess.run(["make"], cwd=tree, check=True, stdout=subprocess.DEVNULL,
                   env=overlay.clean_env())
    grade = [sys.executable, "grading/grade.py", "--lab", str(lab)]
    full = subprocess.run(grade, cwd=tree, stdout=subprocess.PIPE, text=True,
                          env=overlay.clean_env()).stdout
    names = subprocess.run(grade + ["--list"], cwd=tree, check=True,
                           stdout=subprocess.PIPE, text=True,
                           env=overlay.clean_env()).stdout.splitlines()
    # As if killed while the second test ran: only the first one printed.
    cut = full.index(f"\n{names[1]}: ")
    partial = overlay.results_from_output(full[:cut], names)
    first = partial["tests"][0]
    checks.expect("cut short, the finished test keeps its points",
                  first["name"] == names[0] and first["status"] == "passed"
                  and partial["score"] == first["max_score"] > 0,
                  partial["tests"][:1])
    checks.expect("cut short, the unfinished tests count as failed",
                  len(partial["tests"]) == len(names)
                  and all(t["status"] == "failed" and t["score"] == 0
                          for t in partial["tests"][1:]),
                  [t["status"] for t in partial["tests"]])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", type=int, required=True)
    parser.add_argument("--zip", type=Path, required=True)
    args = parser.parse_args()
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="hospes-autograder-check-") as tmp:
        tmp = Path(tmp)
        autograder, students = tmp / "autograder", tmp / "students"
        unpack(args.zip, autograder)
        mode = stat.S_IMODE((autograder / "run_autograder").stat().st_mode)
        checks.expect("run_autograder is executable", mode & 0o100, oct(mode))
        unfinished = make_submissions(args.lab, students)
        results = {s.name: autograde(autograder, s)
                   for s in sorted(students.iterdir())}
        total = check_scores(checks, results, unfinished)
        check_batch(checks, args.lab, autograder, students, results, total,
                    tmp)
        check_time_limit(checks, args.lab, autograder, students, tmp)
    print(f"autograder: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
