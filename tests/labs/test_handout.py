#!/usr/bin/env python3
"""Tests of the handout generator, labs/handout.py, on small fixture trees.

tests/labs/trees/ holds:
  fixture/         a reference tree of three labs, with solution blocks in
                   every kind of file the generator cuts (C, header, NASM,
                   Makefile, .mk, Python, shell, awk), CRLF endings, a
                   symbolic link, executables and files copied as they are;
  expected-lab2/   its lab 2 handout, written and checked by hand;
  malformed/       one file per marker error; its first line says which:
                   "<leader> expect <line>: <start of the message>".
Each test cuts a scratch Git copy of the fixture with the real command line;
the last one cuts the Hospes tree itself and looks in each handout for the
solution lines it must not hold.

Run: make test-handout   (or python3 tests/labs/test_handout.py)
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
HANDOUT = os.path.join(TOP, "labs", "handout.py")
TREES = os.path.join(TOP, "tests", "labs", "trees")
sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
sys.path.insert(0, os.path.join(TOP, "labs"))
import handout  # noqa: E402 (labs/handout.py, found through the path above)
LABS = (1, 2, 3)  # the fixture's labs

# The scratch repositories must not depend on the user's Git set-up.
GIT_ENV = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull,
               GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="Hospes Test",
               GIT_AUTHOR_EMAIL="test@hospes.invalid",
               GIT_COMMITTER_NAME="Hospes Test",
               GIT_COMMITTER_EMAIL="test@hospes.invalid")

# A marker left in a handout: at the start of a line, after a leader.
LEFT_MARKER = re.compile(r"^[ \t]*(//|;|#) LAB [1-3] (BEGIN|STUB|END)\b", re.M)


def run(*cmd, cwd, input=None):
    """Run a command; return its CompletedProcess (text)."""
    return subprocess.run(cmd, cwd=cwd, env=GIT_ENV, input=input,
                          capture_output=True, text=True)


def git(repo, *args):
    """Run git in repo; return its output, failing the test on error."""
    r = run("git", *args, cwd=repo)
    if r.returncode:
        raise AssertionError(f"git {' '.join(args)}: {r.stderr}")
    return r.stdout.strip()


def snapshot(root):
    """Every file under root but .git: path -> (exec bit or link, data)."""
    tree = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            if os.path.islink(full):
                tree[rel] = ("link", os.readlink(full))
            else:
                with open(full, "rb") as f:
                    tree[rel] = (bool(os.stat(full).st_mode & 0o100),
                                 f.read())
    return tree


class Scratch(unittest.TestCase):
    """Each test gets a scratch directory with a Git copy of the fixture."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hospes-handout-test.")
        self.addCleanup(shutil.rmtree, self.tmp)
        self.src = os.path.join(self.tmp, "src")
        shutil.copytree(os.path.join(TREES, "fixture"), self.src,
                        symlinks=True)
        git(self.src, "init", "-q", "-b", "main")

    def handout(self, *args):
        """Run labs/handout.py on the scratch tree."""
        return run(sys.executable, HANDOUT, "--src", self.src, *args,
                   cwd=self.tmp)

    def cut(self, lab, *args):
        """Write lab's handout to a new directory; return its path."""
        out = os.path.join(self.tmp, f"lab{lab}")
        r = self.handout("--lab", str(lab), "--out", out, *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return out

    def commit(self, message="fixture"):
        git(self.src, "add", "-A")
        git(self.src, "commit", "-q", "-m", message)
        return git(self.src, "rev-parse", "--short", "HEAD")

    def edit(self, path, old, new):
        """Replace old by new in a file of the scratch tree."""
        path = os.path.join(self.src, path)
        with open(path) as f:
            text = f.read()
        self.assertIn(old, text)
        with open(path, "w") as f:
            f.write(text.replace(old, new))


class Generate(Scratch):
    def test_check_passes_on_fixture(self):
        r = self.handout("--check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("markers OK: 12 blocks", r.stdout)

    def test_lab2_handout_is_as_expected(self):
        got = snapshot(self.cut(2))
        want = snapshot(os.path.join(TREES, "expected-lab2"))
        self.assertEqual(sorted(got), sorted(want))
        for path in want:
            self.assertEqual(got[path], want[path], path)

    def test_each_lab_solves_earlier_labs_and_stubs_the_rest(self):
        for n in LABS:
            with self.subTest(lab=n):
                tree = snapshot(self.cut(n))
                text = b"".join(data for kind, data in tree.values()
                                if kind != "link").decode()
                self.assertEqual(tree["labs/LAB"][1], f"{n}\n".encode())
                for m in LABS:
                    self.assertEqual(f"sol_lab{m}" in text, m < n,
                                     f"solution of lab {m}")
                    self.assertEqual(f"stub_lab{m}" in text, m >= n,
                                     f"stub of lab {m}")
                    self.assertEqual(
                        any(p.startswith(f"labs/0{m}-") for p in tree),
                        m <= n, f"handout folder of lab {m}")
                self.assertEqual("// LAB 2 exercise 2: two(). Your code "
                                 "here." in text, n <= 2)
                self.assertIsNone(LEFT_MARKER.search(text))

    def test_modes_links_and_line_endings_are_kept(self):
        tree = snapshot(self.cut(1))
        self.assertEqual(tree["tools/gen.py"][0], True)
        self.assertEqual(tree["tools/run.sh"][0], True)
        self.assertEqual(tree["tools/sum.awk"][0], False)
        self.assertEqual(tree["src/link.h"], ("link", "defs.h"))
        self.assertEqual(tree["src/crlf.c"][1].count(b"\r\n"),
                         tree["src/crlf.c"][1].count(b"\n"))

    def test_other_files_are_copied_as_they_are(self):
        tree = snapshot(self.cut(1))
        for path in ("notes.txt", "labs/01-first/README.md",
                     "tests/labs/trees/verbatim.c"):
            with open(os.path.join(self.src, path), "rb") as f:
                self.assertEqual(tree[path][1], f.read(), path)

    def test_ignored_files_are_left_out(self):
        with open(os.path.join(self.src, ".gitignore"), "w") as f:
            f.write("*.o\n")
        with open(os.path.join(self.src, "src/main.o"), "w") as f:
            f.write("junk\n")
        tree = snapshot(self.cut(1))
        self.assertIn(".gitignore", tree)
        self.assertNotIn("src/main.o", tree)

    def test_rev_cuts_the_commit_not_the_work_tree(self):
        self.commit()
        self.edit("src/main.c", "sol_lab1_c", "sol_lab1_edited")
        committed = snapshot(self.cut(2, "--rev", "HEAD"))
        self.assertIn(b"sol_lab1_c", committed["src/main.c"][1])
        worktree = snapshot(self.cut(2))
        self.assertIn(b"sol_lab1_edited", worktree["src/main.c"][1])

    def test_unknown_lab_is_refused(self):
        out = os.path.join(self.tmp, "out")
        r = self.handout("--lab", "4", "--out", out)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no lab 4", r.stderr)
        self.assertFalse(os.path.exists(out))

    def test_out_is_replaced_only_if_a_handout(self):
        out = os.path.join(self.tmp, "out")
        os.makedirs(out)
        with open(os.path.join(out, "precious.txt"), "w") as f:
            f.write("mine\n")
        r = self.handout("--lab", "1", "--out", out)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not a handout", r.stderr)
        self.assertEqual(os.listdir(out), ["precious.txt"])

        os.remove(os.path.join(out, "precious.txt"))
        self.handout("--lab", "1", "--out", out)
        with open(os.path.join(out, "stale.c"), "w") as f:
            f.write("left from before\n")
        r = self.handout("--lab", "2", "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(snapshot(out), snapshot(self.cut(2)))

    def test_a_handout_inside_the_source_is_not_cut_again(self):
        want = snapshot(self.cut(2))
        out = os.path.join(self.src, "ho")
        for _ in range(2):
            r = self.handout("--lab", "2", "--out", out)
            self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(snapshot(out), want)

    def test_out_may_not_hold_the_source(self):
        for out in (self.src, self.tmp):
            r = self.handout("--lab", "1", "--out", out)
            self.assertEqual(r.returncode, 1, out)
            self.assertIn("holds the source tree", r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(self.src, "Makefile")))

    def test_malformed_markers_are_reported(self):
        bad_dir = os.path.join(TREES, "malformed")
        for name in sorted(os.listdir(bad_dir)):
            with self.subTest(file=name):
                with open(os.path.join(bad_dir, name)) as f:
                    m = re.match(r"\S+ expect (\d+): (.*)", f.readline())
                line, message = m[1], m[2]
                shutil.copy(os.path.join(bad_dir, name),
                            os.path.join(self.src, "src", name))
                r = self.handout("--check")
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertIn(f"src/{name}:{line}: {message}", r.stderr)
                out = os.path.join(self.tmp, "out")
                r = self.handout("--lab", "3", "--out", out)
                self.assertEqual(r.returncode, 1)
                self.assertFalse(os.path.exists(out), "wrote a handout")
                os.remove(os.path.join(self.src, "src", name))

    def test_errors_in_a_commit_name_the_commit(self):
        shutil.copy(os.path.join(TREES, "malformed", "two-stubs.c"),
                    os.path.join(self.src, "src"))
        self.commit()
        r = self.handout("--check", "--rev", "HEAD")
        self.assertEqual(r.returncode, 1)
        self.assertIn("HEAD:src/two-stubs.c:6: second LAB 1 STUB", r.stderr)


class Branches(Scratch):
    def setUp(self):
        super().setUp()
        self.short = self.commit()

    def branches(self):
        r = self.handout("--branches")
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def branch_tree(self, branch):
        """The files of a branch's tip, extracted to a scratch directory."""
        out = os.path.join(self.tmp, f"extract-{branch}")
        os.makedirs(out)
        archive = subprocess.run(["git", "archive", branch], cwd=self.src,
                                 env=GIT_ENV, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", out], input=archive.stdout,
                       check=True)
        return snapshot(out)

    def test_each_branch_is_its_handout(self):
        index = os.path.join(self.src, ".git", "index")
        with open(index, "rb") as f:
            index_before = f.read()
        self.edit("notes.txt", "Text", "Edited text")  # uncommitted
        status_before = git(self.src, "status", "--porcelain")

        out = self.branches()
        self.assertIn("uncommitted changes are not in them", out)
        for n in LABS:
            branch = f"lab{n}"
            self.assertEqual(git(self.src, "log", "-1", "--format=%s", branch),
                             f"Lab {n} handout (generated from {self.short})")
            self.assertEqual(git(self.src, "rev-list", "--count", branch), "1")
            self.assertEqual(self.branch_tree(branch),
                             snapshot(self.cut(n, "--rev", "HEAD")))

        self.assertEqual(git(self.src, "symbolic-ref", "HEAD"),
                         "refs/heads/main")
        self.assertEqual(git(self.src, "status", "--porcelain"),
                         status_before)
        with open(index, "rb") as f:
            self.assertEqual(f.read(), index_before, "the index changed")

    def test_an_update_has_the_previous_generation_as_parent(self):
        self.branches()
        old = {n: git(self.src, "rev-parse", f"lab{n}") for n in LABS}
        # A new solution of lab 2 changes the handout of lab 3 only.
        self.edit("src/main.c", "sol_lab2_c", "sol_lab2_better")
        short = self.commit("better")
        out = self.branches()
        self.assertIn("lab1: up to date", out)
        self.assertIn("lab2: up to date", out)
        self.assertEqual(git(self.src, "rev-parse", "lab1"), old[1])
        self.assertEqual(git(self.src, "rev-parse", "lab3^"), old[3])
        self.assertEqual(git(self.src, "log", "-1", "--format=%s", "lab3"),
                         f"Lab 3 handout (generated from {short})")
        self.assertIn(b"sol_lab2_better",
                      self.branch_tree("lab3")["src/main.c"][1])

        tips = [git(self.src, "rev-parse", f"lab{n}") for n in LABS]
        out = self.branches()
        self.assertEqual(out.count("up to date"), len(LABS))
        self.assertEqual([git(self.src, "rev-parse", f"lab{n}")
                          for n in LABS], tips)

    def test_a_checked_out_lab_branch_is_refused(self):
        self.branches()
        git(self.src, "checkout", "-q", "lab2")
        tip = git(self.src, "rev-parse", "lab2")
        r = self.handout("--branches")
        self.assertEqual(r.returncode, 1)
        self.assertIn("refs/heads/lab2 is checked out", r.stderr)
        self.assertEqual(git(self.src, "rev-parse", "lab2"), tip)


class RealTree(unittest.TestCase):
    """The Hospes tree itself: what its handouts must not hold."""

    def test_handout_n_holds_no_solution_line_of_lab_n_or_later(self):
        files = handout.worktree_files(TOP)
        labs = handout.known_labs(files)
        for n in sorted(labs):
            with self.subTest(lab=n), tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "handout")
                r = run(sys.executable, HANDOUT, "--src", TOP, "--lab",
                        str(n), "--out", out, cwd=tmp)
                self.assertEqual(r.returncode, 0, r.stderr)
                for f in files:
                    hidden = self.hidden_lines(f, labs, n)
                    if hidden:
                        with open(os.path.join(out, f.path)) as fh:
                            shown = {line.strip() for line in fh}
                        self.assertEqual(hidden & shown, set(), f.path)

    @staticmethod
    def hidden_lines(f, labs, n):
        """The lines of f's solutions of labs n and later that are nowhere
        else in the file (not counting short ones such as "}")."""
        leader = handout.leader_of(f.path)
        if not leader or f.mode == handout.LINK:
            return set()
        items, _ = handout.parse(f.path, handout.decode(f.data), leader,
                                 labs)
        hidden, kept = set(), set()
        for item in items:
            if isinstance(item, str):
                kept.add(item.strip())
            else:
                (hidden if item.lab >= n else kept).update(
                    line.strip() for line in item.solution)
                kept.update(line.strip() for line in item.stub or [])
        return {line for line in hidden - kept if len(line) >= 12}


class Tally(unittest.TextTestResult):
    """Counts each subtest, and each test without subtests, once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passed = self.failed = 0
        self.with_subtests = set()

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        self.with_subtests.add(test.id())
        if err is None:
            self.passed += 1
        else:
            self.failed += 1

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += test.id() not in self.with_subtests

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.failed += 1

    def addError(self, test, err):
        super().addError(test, err)
        self.failed += 1


def main():
    tests = unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[__name__])
    result = unittest.TextTestRunner(resultclass=Tally, verbosity=2,
                                     stream=sys.stdout).run(tests)
    print(f"{result.passed} passed, {result.failed} failed")
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
