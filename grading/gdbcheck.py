"""gdbcheck.py: prove that the GDB workflow works on a hypervisor image.

It does what a student does with `make qemu-gdb` and `make gdb`: QEMU
starts stopped and waits for GDB; GDB runs the set-up students use
(hypervisor/tools/gdbinit.in, with its `hospes` commands), breaks in
start_hospes(), looks at the backtrace, steps over a couple of lines,
breaks in boot_info_print(), runs `hospes cmdline`, `hospes memmap` and
`hospes pagewalk`, lets the boot run to its end, idle_loop(), and runs
`hospes domains` there. None of the steps needs a
lab exercise to be done, so a fresh handout passes it too: this proves the
tools, not the student's code.

The file has two halves: check_boot_with_gdb() runs on the host and
drives QEMU and GDB; gdb_steps() runs inside GDB's Python and prints one
"gdbcheck: ok: ..." or "gdbcheck: FAILED: ..." line per step.

    python3 -m grading.gdbcheck build/hypervisor/hospes.elf

prints the combined log and "gdb check: passed", or exits 1.
"""

import argparse
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grading.gradelib import CONTROL, Scenario

ROOT = Path(__file__).resolve().parent.parent
GDBINIT = ROOT / "hypervisor" / "tools" / "gdbinit.in"
GDBPY = ROOT / "hypervisor" / "tools" / "hospes-gdb.py"

QEMU = "qemu-system-x86_64"

# The hypervisor's options: any will do; the check compares them with what
# `hospes cmdline` reads from the hypervisor's memory.
APPEND = "loglvl=all"

# The line gdb_steps() prints last, once every step has passed.
ALL_DONE = "gdbcheck: all steps done"

# A memory map line as boot_info_print() and `hospes memmap` print it.
MAP_REGION = re.compile(r"\[[0-9a-f]{16}, [0-9a-f]{16}\) \([a-zA-Z ]+\)")


# --- Inside GDB --------------------------------------------------------------

class StepFailed(Exception):
    """A step did not see what it expected (its FAILED line says what)."""


def gdb_steps():
    """Run the check's steps in GDB, connected to QEMU stopped at reset.

    Prints a line per step and ALL_DONE at the end; stops at the first
    failure, so the log ends with what went wrong.
    """
    import gdb  # only exists inside GDB

    def expect(what, ok, got):
        print(f"gdbcheck: {'ok' if ok else 'FAILED'}: {what} (got: {got})")
        if not ok:
            raise StepFailed(what)

    def where():
        frame = gdb.selected_frame()
        return frame.name(), frame.find_sal().line

    try:
        gdb.execute("break start_hospes")
        gdb.execute("continue")
        name, line = where()
        expect("stopped at the C entry start_hospes()",
               name == "start_hospes", name)

        trace = gdb.execute("bt", to_string=True)
        print(trace, end="")
        frame0 = trace.splitlines()[0] if trace else ""
        expect("bt shows start_hospes as frame #0",
               re.match(r"#0\s+start_hospes\b", frame0) is not None, frame0)

        for _ in range(2):
            gdb.execute("next")
            before, (name, line) = line, where()
            expect("`next` moves to another line of start_hospes()",
                   name == "start_hospes" and line != before,
                   f"{name}, line {before} -> {line}")

        gdb.execute("break boot_info_print")
        gdb.execute("continue")
        name, _ = where()
        expect("stopped in boot_info_print()", name == "boot_info_print", name)

        cmdline = gdb.execute("hospes cmdline", to_string=True)
        print(cmdline, end="")
        expect("`hospes cmdline` shows the command line",
               cmdline.strip() == f"Command line: {APPEND}", cmdline.strip())

        memmap = gdb.execute("hospes memmap", to_string=True)
        print(memmap, end="")
        regions = len(MAP_REGION.findall(memmap))
        nr_map = int(gdb.parse_and_eval("boot_info.nr_map"))
        expect("`hospes memmap` shows each of boot_info's regions",
               regions == nr_map, f"{regions} shown, nr_map = {nr_map}")

        walk = gdb.execute("hospes pagewalk start_hospes", to_string=True)
        print(walk, end="")
        # The image is linked at its physical address + HV_VIRT_START
        # (hypervisor/arch/x86/include/asm/layout.h).
        phys = gdb.parse_and_eval("(unsigned long)start_hospes - "
                                  "0xffff82d080000000")
        expect("`hospes pagewalk` finds start_hospes's machine address",
               f"-> machine address 0x{int(phys):x}" in walk,
               walk.strip().splitlines()[-1] if walk.strip() else "nothing")

        gdb.execute("delete breakpoints")
        gdb.execute("break idle_loop")
        gdb.execute("continue")
        name, _ = where()
        expect("the boot runs to its end, idle_loop()",
               name == "idle_loop", name)

        # Booted without modules: the domain list is there, and empty.
        domains = gdb.execute("hospes domains", to_string=True)
        expect("`hospes domains` reads the (empty) domain list",
               domains.startswith("No domains"), domains.strip() or "nothing")
        print(ALL_DONE)
    except StepFailed:
        pass
    except gdb.error as e:
        print(f"gdbcheck: FAILED: GDB error: {e}")


# --- On the host -------------------------------------------------------------

def free_port():
    """A TCP port nobody listens on now: the one the kernel gives port 0."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def qemu_command(elf, port):
    """QEMU booting @elf as the graders do, but stopped (-S) and waiting
    for GDB on @port. One CPU, so that `next` never meets another."""
    gdbstub = ["-S", "-gdb", f"tcp:127.0.0.1:{port}"]
    return Scenario(append=APPEND, smp=1, extra=gdbstub).command(QEMU, elf)


def gdb_script(elf, port):
    """gdbinit.in filled in as the Makefile does, then the steps."""
    setup = (GDBINIT.read_text().replace("@ELF@", str(Path(elf).resolve()))
             .replace("@PORT@", str(port)).replace("@GDBPY@", str(GDBPY)))
    return (setup + "python\n"
            f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
            "from grading import gdbcheck\ngdbcheck.gdb_steps()\nend\n")


def wait_for_port(qemu, port, deadline):
    """Wait until QEMU listens on @port. @return None, or why not."""
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return None
        except OSError:
            pass
        try:
            # Not listening yet: give QEMU a moment, or see it die.
            status = qemu.wait(timeout=0.05)
            return f"QEMU exited with status {status} before GDB attached"
        except subprocess.TimeoutExpired:
            pass
    return f"QEMU did not listen on port {port} in time"


def run_check(qemu, port, deadline, script):
    """Attach GDB and run the steps. @return (ok, GDB's log, verdict)."""
    problem = wait_for_port(qemu, port, deadline)
    if problem:
        return False, "", problem
    try:
        result = subprocess.run(
            ["gdb", "-n", "-batch", "-x", str(script)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors="replace",
            timeout=max(deadline - time.monotonic(), 0))
    except subprocess.TimeoutExpired as e:
        # What GDB printed so far comes back as bytes, despite text=True.
        out = e.stdout or b""
        if isinstance(out, bytes):
            out = out.decode(errors="replace")
        return False, out, "GDB did not finish in time"
    if ALL_DONE not in result.stdout:
        return False, result.stdout, "a GDB step failed (see FAILED above)"
    return True, result.stdout, "every step passed"


def check_boot_with_gdb(elf: str, timeout: float = 60) -> tuple[bool, str]:
    """Boot @elf under QEMU with GDB attached and run the steps.

    @return (passed, log): the log holds GDB's output, QEMU's serial
    output and the verdict. QEMU is killed on every path.
    """
    deadline = time.monotonic() + timeout
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="hospes-gdbcheck-") as tmp:
        script = Path(tmp) / "check.gdb"
        script.write_text(gdb_script(elf, port))
        serial = Path(tmp) / "serial.log"
        try:
            with open(serial, "wb") as out:
                qemu = subprocess.Popen(qemu_command(elf, port),
                                        stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT)
        except OSError as e:
            return False, f"cannot start QEMU: {e}"
        try:
            ok, gdb_log, verdict = run_check(qemu, port, deadline, script)
        except OSError as e:
            ok, gdb_log, verdict = False, "", f"cannot run GDB: {e}"
        finally:
            if qemu.poll() is None:
                qemu.kill()
            qemu.wait()
        # Without SeaBIOS's screen clearing, which garbles terminals.
        console = CONTROL.sub("", serial.read_text(errors="replace"))
    log = (f"--- GDB ---\n{gdb_log}--- QEMU serial output ---\n{console}"
           f"\n--- verdict: {verdict}\n")
    return ok, log


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Check that GDB can debug a Hospes image under QEMU.")
    parser.add_argument("elf",
                        help="the image, e.g. build/hypervisor/hospes.elf")
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds for the whole check (default 60)")
    args = parser.parse_args(argv)
    ok, log = check_boot_with_gdb(args.elf, args.timeout)
    print(log, end="")
    print(f"gdb check: {'passed' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
