"""overlay.py: grade one student's submission against the reference grader.

Used by the Gradescope autograder (run_autograder) and by grading/batch,
so that a class graded on a laptop gets exactly the scores Gradescope
gives. A submission supplies only its sources (STUDENT_DIRS); everything
else, the Makefile and every make fragment, grading/, labs/, tests/, the
hypervisor's build rules and tools, comes from the reference, so a
student cannot change how their work is built or graded.

The graded tree is a fresh copy: the submission's sources with the
reference's files laid over them. It is built with make and graded with
`grading/grade.py --lab N --json FILE`; the result is always a Gradescope
results dictionary, also when the build fails or time runs out.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

# The folders whose sources a student submits. Later labs add "guest"
# and "toolstack" when students write code there.
STUDENT_DIRS = ("hypervisor",)

# Inside those folders, what still comes from the reference: the build
# rules and the tools the build runs.
REFERENCE_OWNED = ("hypervisor/build.mk", "hypervisor/tools")

# Never copied from either side: version control, caches, build outputs.
IGNORED = ("build", ".git", "__pycache__", "*.pyc")

# Seconds to build and grade one submission, unless told otherwise: keep
# it below Gradescope's own timeout, so that a run out of time still
# reports the points of the tests that finished.
DEFAULT_BUDGET = 540

# How much of a failed run's output the student sees (the end of it).
LOG_TAIL = 12000

# Seconds for `grade.py --list` once the time is up.
LIST_TIMEOUT = 30

# grade.py's line for a finished test: "name: OK (x/y)", "name: FAIL (0/y)".
GRADE_LINE = re.compile(r"(?P<name>\S.*): (?P<verdict>OK|FAIL) "
                        r"\((?P<score>[0-9.]+)/(?P<points>[0-9.]+)\)")

# Variables a calling make passes down (`make autograder-test BUILD=...`),
# which would otherwise leak into the graded tree's own make.
MAKE_VARIABLES = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES",
                  "BUILD", "LAB")


class SubmissionError(Exception):
    """The submission cannot be graded; the message tells the student why."""


# --- Which file comes from where ---------------------------------------------

def _owned_by_student(rel):
    """Is @rel (a path relative to the top) one of the student's files?"""
    inside = rel.parts[0] in STUDENT_DIRS
    return inside and not any(
        rel == Path(owned) or Path(owned) in rel.parents
        for owned in REFERENCE_OWNED)


def reference_files(reference):
    """The files (relative paths) the reference supplies to a graded tree.

    Everything but the student's folders (and so none of the reference's
    solutions, as long as STUDENT_DIRS holds every folder with exercises)
    and IGNORED names.
    """
    ignore = shutil.ignore_patterns(*IGNORED)
    found = []
    for top, dirs, files in os.walk(reference):
        here = Path(top).relative_to(reference)
        dirs[:] = sorted(set(dirs) - ignore(top, dirs))
        for name in sorted(set(files) - ignore(top, files)):
            if not _owned_by_student(here / name):
                found.append(here / name)
    return found


def find_student_dirs(submission):
    """Where each of STUDENT_DIRS is in @submission.

    A submission is a student's whole tree, or their hypervisor/ folder
    itself, either possibly wrapped in one folder (as zips often are).
    """
    submission = Path(submission)
    if all((submission / d).is_dir() for d in STUDENT_DIRS):
        return {d: submission / d for d in STUDENT_DIRS}
    # A bare hypervisor/ folder is a whole submission only while it is
    # the one folder students write in.
    if STUDENT_DIRS == ("hypervisor",) and all(
            (submission / d).is_dir() for d in ("arch", "common", "include")):
        return {"hypervisor": submission}
    inner = [p for p in submission.iterdir()
             if p.is_dir() and not p.name.startswith((".", "__"))]
    if len(inner) == 1:
        return find_student_dirs(inner[0])
    raise SubmissionError(
        f"no {', '.join(d + '/' for d in STUDENT_DIRS)} folder found in the "
        "submission: submit your whole tree (or your hypervisor/ folder)")


def make_tree(reference, submission, dest):
    """Write the graded tree in @dest: the submission's sources, then the
    reference's files over them (replacing the reference-owned paths).
    """
    reference, dest = Path(reference), Path(dest)
    for name, src in find_student_dirs(submission).items():
        shutil.copytree(src, dest / name, symlinks=True,
                        ignore=shutil.ignore_patterns(*IGNORED))
    for owned in REFERENCE_OWNED:
        target = dest / owned
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
    for rel in reference_files(reference):
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(reference / rel, dest / rel, follow_symlinks=False)


# --- Building and grading ----------------------------------------------------

def _run(command, cwd, deadline):
    """Run @command in its own process group until @deadline.

    @return (exit status, or None if time ran out; its output so far).
    The whole group dies at the end, so no QEMU outlives its grader.
    """
    with subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          env=clean_env(), start_new_session=True) as proc:
        try:
            out, _ = proc.communicate(
                timeout=max(deadline - time.monotonic(), 0))
            status = proc.returncode
        except subprocess.TimeoutExpired:
            status = None
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if status is None:
            # What it printed before it died is still in the pipe.
            out, _ = proc.communicate()
    return status, out.decode(errors="replace")


def clean_env():
    """Our environment without what a calling make passed down."""
    env = {k: v for k, v in os.environ.items() if k not in MAKE_VARIABLES}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _failure(output, message):
    """A results dictionary for a run that produced no test results."""
    return {"score": 0, "tests": [],
            "output": f"{message}\n\n{output[-LOG_TAIL:]}"}


def results_from_output(output, names):
    """The results of a grade.py killed for time, from what it printed.

    grade.py prints "name: OK (x/y)" or "name: FAIL (0/y)" per test,
    followed by its report indented by four spaces. The tests in @names
    that it never reported count as failed.
    """
    tests, report = {}, None
    for line in output.splitlines():
        done = GRADE_LINE.fullmatch(line)
        if done:
            report = []
            tests[done["name"]] = {
                "name": done["name"], "score": float(done["score"]),
                "max_score": float(done["points"]),
                "status": "passed" if done["verdict"] == "OK" else "failed",
                "output": report}
        elif report is not None and line.startswith("    "):
            report.append(line[4:])
    for test in tests.values():
        test["output"] = "\n".join(test["output"])
    for name in names:
        tests.setdefault(name, {
            "name": name, "score": 0, "status": "failed",
            "output": "Did not finish within the autograder's time limit."})
    return {"score": sum(t["score"] for t in tests.values()),
            "tests": list(tests.values()),
            "output": "Grading ran out of time: the tests that had not "
                      "finished count as failed."}


def grade_tree(tree, lab, deadline, jobs=None):
    """Build and grade the graded tree @tree for @lab before @deadline.

    @param jobs  QEMU runs at once (grade.py -j); None: grade.py's default.
    @return a Gradescope results dictionary (score, tests, output).
    """
    tree = Path(tree)
    status, output = _run(["make", f"-j{os.cpu_count() or 1}"], tree,
                          deadline)
    if status != 0:
        why = ("The build did not finish in time" if status is None else
               "Your code does not build, so no test could run")
        return _failure(output, why + ". The build said:")
    results_file = tree / "results.json"
    grade = [sys.executable, "grading/grade.py", "--lab", str(lab)]
    jobs_option = ["-j", str(jobs)] if jobs else []
    status, output = _run(grade + jobs_option + ["--json", str(results_file)],
                          tree, deadline)
    if status is None:
        listed, names = _run(grade + ["--list"], tree,
                             time.monotonic() + LIST_TIMEOUT)
        return results_from_output(
            output, names.splitlines() if listed == 0 else [])
    try:
        return json.loads(results_file.read_text())
    except (OSError, ValueError):
        return _failure(output, f"The grader stopped (status {status}) "
                                "without results. It said:")


def grade_submission(reference, submission, lab, workdir, deadline,
                     jobs=None):
    """Grade @submission for @lab in a fresh tree under @workdir.

    @return a Gradescope results dictionary, whatever happens.
    """
    tree = Path(workdir) / "tree"
    try:
        make_tree(reference, submission, tree)
    except SubmissionError as e:
        return _failure("", str(e))
    return grade_tree(tree, lab, deadline, jobs)
