"""
gradelib: the library behind the lab graders, in the manner of MIT JOS's.

A lab's grade script, grading/labN.py, makes a Lab and declares its tests
with Lab.test(): points, name, exercise and the QEMU scenario to boot.
grading/grade.py finds the scripts, runs the tests (each in its own QEMU,
several at once) and prints the score. grading/README.md shows how to
write a test.

What a test function sees:
  TestRun  one test being run: t.boot() boots the test's scenario (with
           changes, if given) and returns a Boot; t.make_file() makes input
           files; t.fail() gives up with a reason.
  Boot     the serial output and the end of one QEMU run, and the checks on
           them (expect, expect_line, expect_in_order, expect_lines,
           expect_absent, expect_selftest_passed, expect_status). A failed check raises TestFailure
           with what was expected, what came, and where in the output.

QEMU's serial output is read from a pipe as it comes: a run ends when QEMU
exits, when a line matches the scenario's verdict (then QEMU is killed), or
at the timeout. Nothing here sleeps to wait for anything.
"""

import dataclasses
import difflib
import os
import re
import selectors
import shlex
import subprocess
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# How QEMU's exit status tells the hypervisor's verdict. The hypervisor
# writes to QEMU's isa-debug-exit device (port 0xf4), and writing v there
# ends QEMU with status (v << 1) | 1; hypervisor/arch/x86/shutdown.c writes
# 0x10 for success and 0x11 for failure. Status 0 cannot happen that way.
EXIT_SUCCESS = 33  # machine_shutdown(SHUTDOWN_SUCCESS): self-tests passed
EXIT_FAILURE = 35  # SHUTDOWN_FAILURE: a self-test failed, or a panic
EXIT_QEMU_ERROR = 1  # QEMU itself failed (a bad option, a missing file)

STATUS_MEANINGS = {
    EXIT_SUCCESS: "the hypervisor's success status",
    EXIT_FAILURE: "the hypervisor's failure status",
    EXIT_QEMU_ERROR: "QEMU itself failed",
}

# Every line the hypervisor prints starts with this.
HV_PREFIX = "(HV) "

# Flags of every run: the CPU with SVM and nested paging, the serial port
# on stdout, no reboot loop after a crash, the exit device, and -snapshot
# so that no run can change a disk image another run uses.
QEMU_FIXED_FLAGS = ["-cpu", "max", "-nographic", "-no-reboot",
                    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                    "-snapshot"]

# A verdict normally comes within 2 s; this is for a loaded machine.
DEFAULT_TIMEOUT = 60.0

# The line that ends a boot which then idles (with no domain to run, or
# with dom0 waiting): the hypervisor's last words before idle_loop().
BOOT_COMPLETE = "(HV) Boot complete; debug keys: 'h'."
# A regex for it, for a scenario's verdict or keys_after.
UNTIL_COMPLETE = "^" + re.escape(BOOT_COMPLETE) + "$"

# Where the guest programs are (grade.py --guests): a scenario's module
# "guest:NAME" is GUEST_DIR/NAME.elf (guest/tests/NAME.c, lab 4 on).
GUEST_DIR = ROOT / "build/guest/tests"


def module_path(path):
    """The file of module @p path: "guest:NAME" names a guest program."""
    if path.startswith("guest:"):
        return os.path.relpath(GUEST_DIR / f"{path[6:]}.elf", ROOT)
    return path

# Lines of serial output shown around the place where a check failed.
CONTEXT_LINES = 10

# Terminal control sequences (SeaBIOS clears the screen) and other control
# characters: dropped, so that a failure report cannot garble a terminal.
CONTROL = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|.)|[\x00-\x08\x0b-\x1f\x7f]")

# How a stub announces itself: lab_todo() (hypervisor/common/lab.c) prints
# the first; the format_number() stub writes the second in place of every
# number, so in the first the lab and exercise may be that marker too.
STUB_SIGNS = [re.compile(r"\*\*\* LAB (.+?) exercise (.+?): (\w+\(\)) is not "
                         r"implemented yet"),
              re.compile(r"<LAB (\d+) exercise (\d+): ([^>]+)>")]


class TestFailure(Exception):
    """A check failed: what was expected, what came, and where.

    lines and at place the failure in some output (a boot's serial lines or
    a tool's log): at is the index of the line to show context around, or
    None for the tail. boot, if given, is the run the output came from.
    """

    def __init__(self, expected, got, lines=None, at=None, boot=None):
        super().__init__(f"expected {expected}, got {got}")
        self.expected = expected
        self.got = got
        self.lines = lines
        self.at = at
        self.boot = boot


@dataclasses.dataclass
class Scenario:
    """How to boot QEMU for a test: hypervisor options, modules, machine.

    modules is a list of (path, args): each becomes one module whose
    string is "path args" (the hypervisor sees the whole string); a path
    "guest:NAME" is the guest program NAME (module_path()). verdict
    is a regex: once a line matches it, the run is over and QEMU is killed
    (for boots that halt rather than exit). timeout is in seconds. keys
    are typed on the serial console (QEMU's stdin) once a line matches the
    regex keys_after: debug keys.
    """

    append: str = ""
    modules: list = dataclasses.field(default_factory=list)
    smp: int = 2
    memory: str = "512M"
    extra: list = dataclasses.field(default_factory=list)
    verdict: str = None
    timeout: float = DEFAULT_TIMEOUT
    keys: str = ""
    keys_after: str = None

    def initrd(self):
        """The -initrd string: "a args,b args"; '' without modules."""
        entries = []
        for path, args in self.modules:
            path = module_path(path)
            if "," in path + args or " " in path:
                raise ValueError(f"module {path!r} {args!r}: -initrd cannot "
                                 "carry a comma, or a space in a path")
            entries.append(f"{path} {args}" if args else path)
        return ",".join(entries)

    def command(self, qemu, elf):
        """The QEMU command line for this scenario."""
        command = [qemu, *QEMU_FIXED_FLAGS, "-m", self.memory,
                   "-smp", str(self.smp), "-kernel", str(elf),
                   "-append", self.append]
        if self.modules:
            command += ["-initrd", self.initrd()]
        return command + list(self.extra)

    def make_command(self):
        """The same boot as a student types it (see `make help`)."""
        words = ["make", "qemu", "HV_ARGS=" + shlex.quote(self.append)]
        if self.memory != Scenario.memory:
            words.append("QEMU_MEM=" + self.memory)
        if self.smp != Scenario.smp:
            words.append(f"QEMU_SMP={self.smp}")
        if self.modules:
            words.append("QEMU_MODULES=" + shlex.quote(self.initrd()))
        if self.extra:
            words.append("# and QEMU flags: " + shlex.join(self.extra))
        if self.keys:
            words.append(f"# then type {self.keys!r}")
        return " ".join(words)


@dataclasses.dataclass
class Found:
    """A line a check found: its index in Boot.lines and the regex match."""

    index: int
    match: re.Match

    def __getitem__(self, group):
        return self.match[group]


@dataclasses.dataclass
class Pattern:
    """A regex with the words a failure report uses for it. Checks take a
    Pattern or a plain regex string (then shown as /regex/). text is the
    line an exact() pattern stands for: a failure shows the closest one."""

    regex: str
    what: str
    text: str = None

    @staticmethod
    def of(pattern):
        if isinstance(pattern, Pattern):
            return pattern
        return Pattern(pattern, f"a line matching /{pattern}/")

    def search(self, line):
        return re.search(self.regex, line)


def exact(line):
    """A pattern matching exactly @p line, as a whole line."""
    return Pattern("^" + re.escape(line) + "$", f"the line '{line}'", line)


class Boot:
    """What one QEMU run printed on its serial port, and how it ended.

    lines: the serial output, one string per line, control characters
    removed; a hypervisor line that firmware text ran into is split off.
    status: QEMU's exit status, or None if the grader stopped QEMU.
    ending: "exited", "verdict" (stopped at the verdict line) or "timeout".
    """

    def __init__(self, scenario, lines, status, ending, stderr):
        self.scenario = scenario
        self.lines = lines
        self.status = status
        self.ending = ending
        self.stderr = stderr

    def describe_ending(self):
        """How the run ended, in words."""
        if self.ending == "verdict":
            return "the grader stopped QEMU at the line it was waiting for"
        if self.ending == "timeout":
            return (f"QEMU was still running after {self.scenario.timeout:g}"
                    " s, so the grader stopped it")
        text = f"QEMU exited with status {self.status}"
        if self.status in STATUS_MEANINGS:
            text += f" ({STATUS_MEANINGS[self.status]})"
        if self.stderr.strip():
            text += "; QEMU said: " + " / ".join(self.stderr.split("\n")[:3])
        return text

    def fail(self, expected, got, at=None):
        """Give up: @p expected did not hold, @p got came, near line @p at."""
        raise TestFailure(expected, got, self.lines, at, self)

    def find(self, pattern, after=0):
        """The first line from index @p after matching @p pattern, or None."""
        found = self.find_all(pattern, after, first=True)
        return found[0] if found else None

    def find_all(self, pattern, after=0, first=False):
        """Every line from index @p after matching @p pattern (with
        @p first, only the first)."""
        pattern, found = Pattern.of(pattern), []
        for i in range(after, len(self.lines)):
            match = pattern.search(self.lines[i])
            if match:
                found.append(Found(i, match))
                if first:
                    break
        return found

    def expect(self, pattern, after=0):
        """A line matching @p pattern must come (from line @p after)."""
        pattern = Pattern.of(pattern)
        found = self.find(pattern, after)
        if found:
            return found
        where = f" after line {after}" if after else ""
        close = pattern.text and difflib.get_close_matches(
            pattern.text, self.lines[after:], 1)
        if close:
            self.fail(pattern.what + where,
                      f"no such line; the closest is '{close[0]}'",
                      self.lines.index(close[0], after))
        self.fail(pattern.what + where, "no such line",
                  after - 1 if after else None)

    def expect_line(self, line, after=0):
        """Exactly @p line, as a whole line, must come."""
        return self.expect(exact(line), after)

    def expect_in_order(self, patterns, after=0, adjacent=False):
        """Lines matching @p patterns must come in this order; with
        @p adjacent, on consecutive lines. @return the Found of each."""
        patterns = [Pattern.of(p) for p in patterns]
        if not adjacent:
            found = []
            for pattern in patterns:
                found.append(self.expect(pattern, after))
                after = found[-1].index + 1
            return found
        # Try every place the block could start; report the one that got
        # furthest, at the first line that differs.
        best, best_at = 0, None
        start = self.find(patterns[0], after)
        while start:
            found = [start]
            for pattern in patterns[1:]:
                i = found[-1].index + 1
                match = i < len(self.lines) and pattern.search(self.lines[i])
                if not match:
                    break
                found.append(Found(i, match))
            if len(found) == len(patterns):
                return found
            if len(found) > best:
                best, best_at = len(found), found[-1].index + 1
            start = self.find(patterns[0], start.index + 1)
        if not best:
            self.expect(patterns[0], after)  # fails, saying so
        got = (f"'{self.lines[best_at]}'" if best_at < len(self.lines)
               else "the end of the output")
        self.fail(f"as line {best + 1} of a block of {len(patterns)}: "
                  + patterns[best].what, got, best_at)

    def expect_lines(self, lines, after=0):
        """Exactly @p lines, consecutive and in order, must come."""
        return self.expect_in_order([exact(line) for line in lines], after,
                                    adjacent=True)

    def expect_absent(self, pattern, after=0):
        """No line from index @p after may match @p pattern. A failure
        lists every line that does."""
        found = self.find_all(pattern, after)
        if found:
            shown = [f"'{self.lines[f.index]}'" for f in found[:25]]
            if len(found) > 25:
                shown.append(f"... and {len(found) - 25} more")
            self.fail("no such line: " + Pattern.of(pattern).what,
                      f"{len(found)} such line(s):\n" + "\n".join(shown),
                      found[0].index)

    def expect_selftest_passed(self, name):
        """Self-test @p name passed, and QEMU powered off with success."""
        self.expect_line(f"(HV) selftest {name}: passed")
        self.expect_status(EXIT_SUCCESS)

    def expect_status(self, status):
        """QEMU must have exited by itself with @p status."""
        if self.ending != "exited" or self.status != status:
            meaning = STATUS_MEANINGS.get(status)
            self.fail(f"QEMU to exit with status {status}"
                      + (f" ({meaning})" if meaning else ""),
                      self.describe_ending())


def split_serial(raw):
    """One line of raw serial bytes as clean text lines: control sequences
    dropped, and a hypervisor line that firmware text ran into (SeaBIOS
    ends without a newline) split off."""
    line = CONTROL.sub("", raw.decode("utf-8", "replace"))
    cut = line.find(HV_PREFIX)
    if cut > 0:
        return [line[:cut], line[cut:]]
    return [line]


def run_qemu(scenario, qemu, elf):
    """Boot @p scenario and read its serial output. @return a Boot"""
    verdict = re.compile(scenario.verdict) if scenario.verdict else None
    keys_after = (re.compile(scenario.keys_after) if scenario.keys
                  else None)
    proc = subprocess.Popen(scenario.command(qemu, elf), cwd=ROOT,
                            stdin=subprocess.PIPE if scenario.keys
                            else subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    lines, pending, stderr = [], b"", b""
    ending = "exited"
    deadline = time.monotonic() + scenario.timeout
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        selector.register(proc.stderr, selectors.EVENT_READ)
        try:
            # Until both pipes reach end of file, that is until QEMU exits.
            while selector.get_map() and ending == "exited":
                left = deadline - time.monotonic()
                if left <= 0:
                    ending = "timeout"
                    break
                for key, _ in selector.select(left):
                    data = os.read(key.fd, 65536)
                    if not data:
                        selector.unregister(key.fileobj)
                    elif key.fileobj is proc.stderr:
                        stderr += data
                    else:
                        *done, pending = (pending + data).split(b"\n")
                        for raw in done:
                            lines += split_serial(raw)
                            if verdict and verdict.search(lines[-1]):
                                ending = "verdict"
                            if keys_after and keys_after.search(lines[-1]):
                                keys_after = None  # type them once
                                proc.stdin.write(scenario.keys.encode())
                                proc.stdin.flush()
        finally:
            if proc.poll() is None:
                proc.kill()
            status = proc.wait()
            proc.stdout.close()
            proc.stderr.close()
            if proc.stdin:
                proc.stdin.close()
    if pending:
        lines += split_serial(pending)
    return Boot(scenario, lines, status if ending == "exited" else None,
                ending, stderr.decode("utf-8", "replace").strip())


@dataclasses.dataclass
class Test:
    """A declared test: its lab, name, points, exercise, scenario and the
    function that checks it (called with a TestRun)."""

    lab: "Lab"
    name: str
    points: int
    exercise: int
    scenario: Scenario
    check: object

    @property
    def number(self):
        """Gradescope's test number: "lab.exercise", or "lab.0"."""
        return f"{self.lab.number}.{self.exercise or 0}"

    def where(self):
        """Where a student should look when this test fails."""
        part = f"lab {self.lab.number}"
        if self.exercise is not None:
            part += f" exercise {self.exercise}"
        return f"{part} (see {self.lab.handout})"


class Lab:
    """One lab's tests. Its handout is labs/NN-name/README.md, whose
    first line ("# Lab 1: Booting a hypervisor") gives the title."""

    def __init__(self, number):
        self.number = number
        self.tests = []
        self.handout, self.title = "labs/", f"Lab {number}"
        for readme in sorted(ROOT.glob(f"labs/{number:02d}-*/README.md"))[:1]:
            self.handout = str(readme.relative_to(ROOT))
            with open(readme, encoding="utf-8") as text:
                self.title = text.readline().lstrip("# ").strip() or self.title

    def test(self, name, points, exercise=None, **scenario):
        """Decorator: declare the function below as a test. @p scenario
        holds Scenario fields (append=, modules=, memory=, verdict=, ...)."""

        def declare(check):
            self.tests.append(Test(self, name, points, exercise,
                                   Scenario(**scenario), check))
            return check

        return declare


class TestRun:
    """One test being run: boots QEMU for it and keeps what came."""

    def __init__(self, test, qemu, elf, workdir):
        self.test = test
        self.qemu = qemu
        self.elf = str(elf)
        self.timeout = test.scenario.timeout
        self.workdir = Path(workdir)
        self.boots = []
        self.tool_logs = []

    def boot(self, **changes):
        """Boot the test's scenario, with @p changes to its fields."""
        scenario = dataclasses.replace(self.test.scenario, **changes)
        self.boots.append(run_qemu(scenario, self.qemu, self.elf))
        return self.boots[-1]

    def make_file(self, name, size):
        """A file of @p size known bytes in this run's own directory.
        @return its path"""
        path = self.workdir / name
        pattern = bytes(range(256))
        path.write_bytes((pattern * (size // 256 + 1))[:size])
        return str(path)

    def keep(self, log):
        """Keep a tool's @p log with the serial logs (grade.py --keep)."""
        self.tool_logs.append(log)

    def fail(self, expected, got, log=None, at=None):
        """Give up. @p log, a tool's output, is shown around its first line
        matching regex @p at, or its tail."""
        lines = [CONTROL.sub("", line) for line in (log or "").splitlines()]
        place = next((i for i, line in enumerate(lines)
                      if at and re.search(at, line)), None)
        raise TestFailure(expected, got, lines if log else None, place)


@dataclasses.dataclass
class Result:
    """The outcome of a test: report is '' when it passed."""

    test: Test
    passed: bool
    report: str
    seconds: float

    @property
    def score(self):
        return self.test.points if self.passed else 0


def context(lines, at):
    """About CONTEXT_LINES lines around index @p at (None: the tail)."""
    if not lines:
        return ["(no output at all)"]
    if at is None:
        at = len(lines) - 1
    at = max(0, min(at, len(lines) - 1))
    first = max(0, min(at - CONTEXT_LINES // 2, len(lines) - CONTEXT_LINES))
    last = min(len(lines), first + CONTEXT_LINES)
    shown = [f"output lines {first + 1}-{last} of {len(lines)} "
             "('>' marks the place):"]
    for i in range(first, last):
        shown.append(("  > " if i == at else "    ") + lines[i])
    return shown


def unfinished_exercises(boots):
    """The stubs the hypervisor announced in @p boots, in order."""
    seen = []
    for boot in boots:
        for line in boot.lines:
            for sign in STUB_SIGNS:
                for lab, exercise, what in sign.findall(line):
                    text = what
                    if lab.isdigit() and exercise.isdigit():
                        text = f"lab {lab} exercise {exercise} ({what})"
                    if text not in seen:
                        seen.append(text)
    return seen


def indent(label, text):
    """@p text under a label, continuation lines aligned with the first."""
    pad = "\n" + " " * len(label)
    return label + str(text).replace("\n", pad)


def failure_report(test, run, failure, logs):
    """The lines that explain a failure to a student."""
    report = [test.where(),
              indent("expected: ", failure.expected),
              indent("got:      ", failure.got)]
    if failure.lines is not None:
        report += context(failure.lines, failure.at)
    if failure.boot:
        report.append("how it ended: " + failure.boot.describe_ending())
        report.append("run it yourself: "
                      + failure.boot.scenario.make_command())
    stubs = unfinished_exercises(run.boots)
    if stubs:
        report.append("not implemented yet, says the hypervisor: "
                      + "; ".join(stubs))
    if logs:
        report.append("logs: " + ", ".join(logs))
    return report


def keep_logs(test, run, keep_dir):
    """Write the serial output of each of @p run's boots, and the logs it
    kept, to @p keep_dir. @return the paths"""
    os.makedirs(keep_dir, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", test.name.lower()).strip("-")
    texts = ["\n".join(boot.lines) + "\n" for boot in run.boots]
    texts += run.tool_logs
    paths = []
    for n, text in enumerate(texts, 1):
        suffix = f"-{n}" if len(texts) > 1 else ""
        path = os.path.join(keep_dir,
                            f"lab{test.lab.number}-{slug}{suffix}.log")
        with open(path, "w", encoding="utf-8") as log:
            log.write(text)
        paths.append(path)
    return paths


def run_test(test, qemu, elf, keep_dir=None):
    """Run one test in its own temporary directory. @return a Result"""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hospes-grade-") as workdir:
        run = TestRun(test, qemu, elf, workdir)
        try:
            test.check(run)
            failure = None
        except TestFailure as caught:
            failure = caught
        except Exception:  # a bug in the grade script: show it whole
            failure = TestFailure("the grade script to run to its end",
                                  "it raised an exception (a grader bug "
                                  "or very strange output):\n"
                                  + traceback.format_exc().rstrip())
        logs = keep_logs(test, run, keep_dir) if keep_dir else []
        report = failure_report(test, run, failure, logs) if failure else []
    return Result(test, failure is None, "\n".join(report),
                  time.monotonic() - started)
