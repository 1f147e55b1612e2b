"""
lab1.py: the tests of lab 1, "Booting a hypervisor" (labs/01-boot/README.md).

Each test boots Hospes under QEMU and reads its serial console. Most run a
self-test of the hypervisor (`selftest=`), which powers QEMU off with a
verdict; the others boot to the end, where the hypervisor halts, and the
grader stops QEMU at that line. The expected lines were measured on
QEMU 7.2 with its SeaBIOS 1.16.2. Total: 100 points.
"""

import re

from grading.gradelib import (BOOT_COMPLETE, EXIT_FAILURE, UNTIL_COMPLETE,
                              Lab, Pattern, exact)

lab = Lab(1)


HEX64 = "[0-9a-f]{16}"


def frame(name):
    """A backtrace line naming function @p name:
    "(HV)    [<ffff82d08010a1b3>] selftest_chain_2+0x1f/0x3a"."""
    offset_size = r"\+0x[0-9a-f]+/0x[0-9a-f]+"
    return Pattern(rf"^\(HV\)    \[<{HEX64}>\] {name}{offset_size}$",
                   f"the frame '(HV)    [<address>] {name}+offset/size'")


BACKTRACE = exact("(HV) Backtrace (innermost first):")
CHAIN = ["selftest_chain_2", "selftest_chain_1", "selftest_chain_start"]


def region(start, end, kind):
    """A memory map line, e.g.
    "(HV)  [0000000000000000, 000000000009fc00) (usable)"."""
    return f"(HV)  [{start:016x}, {end:016x}) ({kind})"


# The pc machine's map from SeaBIOS: fixed regions around the RAM, whose
# last 128 KiB below 4 GiB the firmware reserves. With -m 3.5G or more,
# QEMU keeps 3 GiB below 4 GiB and puts the rest above it.
SEABIOS_HOLE = 0x20000


def memory_map(low_top, high_top=None):
    """The map lines for RAM ending at @p low_top below 4 GiB and, if
    given, at @p high_top above it."""
    lines = [region(0, 0x9fc00, "usable"),
             region(0x9fc00, 0xa0000, "reserved"),
             region(0xf0000, 0x100000, "reserved"),
             region(0x100000, low_top - SEABIOS_HOLE, "usable"),
             region(low_top - SEABIOS_HOLE, low_top, "reserved"),
             region(0xfffc0000, 1 << 32, "reserved")]
    if high_top:
        lines.append(region(1 << 32, high_top, "usable"))
    lines.append(region(0xfd00000000, 1 << 40, "reserved"))
    header = f"(HV) Multiboot memory map ({len(lines)} regions), from qemu:"
    return [header] + lines


@lab.test("boots to the banner and echoes the command line", 5,
          append="loglvl=info noreboot", verdict=UNTIL_COMPLETE)
def boots_to_banner(t):
    r = t.boot()
    banner = r.expect(Pattern(r"^\(HV\) Hospes \S+, a teaching hypervisor "
                              "for x86-64", "the banner line '(HV) Hospes "
                              "<version>, a teaching hypervisor for x86-64'"))
    r.expect_line("(HV) Command line: loglvl=info noreboot", banner.index)
    r.expect_line(BOOT_COMPLETE, banner.index)
    r.expect_absent(Pattern(r"^(?!\(HV\) )", "a line without the '(HV) ' "
                            "prefix after the banner"), banner.index)


@lab.test("printk formats every conversion (selftest=printk)", 15, exercise=1,
          append="selftest=printk")
def printk_formats(t):
    r = t.boot()
    r.expect_absent(Pattern("FAILED, expected", "a printk check that FAILED"))
    r.expect_selftest_passed("printk")


@lab.test("backtrace names the whole call chain (selftest=backtrace)", 10,
          exercise=2, append="selftest=backtrace")
def backtrace_names_chain(t):
    r = t.boot()
    r.expect_in_order([BACKTRACE] + [frame(name) for name in CHAIN + [
        "selftest_backtrace", "run_one", "selftest_run", "start_hospes"]],
        adjacent=True)
    r.expect_selftest_passed("backtrace")


@lab.test("panic prints its message and a backtrace, then fails", 10,
          exercise=2, append="selftest=panic noreboot")
def panic_backtrace(t):
    r = t.boot()
    message = r.expect_line(
        "(HV) Panic: selftest: a deliberate panic, to show a backtrace")
    r.expect_in_order([BACKTRACE] + [frame(name) for name in
                                     CHAIN + ["selftest_panic"]],
                      message.index, adjacent=True)
    r.expect_line("(HV) Hospes shutting down: failure", message.index)
    r.expect_status(EXIT_FAILURE)


def memory_map_test(memory, low_top, high_top, usable):
    """Declare the test of the map QEMU gives with -m @p memory."""

    @lab.test(f"memory map with -m {memory} (selftest=mmap)", 5, exercise=3,
              append="selftest=mmap", memory=memory)
    def memory_map_read(t):
        r = t.boot()
        r.expect_lines(memory_map(low_top, high_top)
                       + [f"(HV) Usable RAM: {usable}"])
        r.expect_selftest_passed("mmap")


memory_map_test("64M", 0x4000000, None, "63 MiB (65023 KiB)")
memory_map_test("512M", 0x20000000, None, "511 MiB (523775 KiB)")
memory_map_test("3G", 0xc0000000, None, "3071 MiB (3145215 KiB)")
memory_map_test("5G", 0xc0000000, 0x180000000, "5119 MiB (5242367 KiB)")

# Module files the grader makes: name, size (not page multiples, so the
# end must come from the loader's mod_end, not be rounded), arguments.
MODULES = [("dom0.bin", 4000, "console=com1 loglvl=all"),
           ("rootfs.cpio", 12345, "ro init=/sbin/init")]


@lab.test("two modules with arguments are listed and reserved", 10,
          exercise=3, append="selftest=mmap")
def modules_listed(t):
    made = [(t.make_file(name, size), args, size)
            for name, size, args in MODULES]
    r = t.boot(modules=[(path, args) for path, args, _ in made])
    listed = r.expect_line(f"(HV) Modules: {len(MODULES)}")
    reserved = r.expect_line("(HV) Reserved at boot:", listed.index)
    for n, (path, args, size) in enumerate(made):
        string = f"{path} {args}"  # the module's whole entry in -initrd
        line = r.expect(Pattern(
            rf"^\(HV\)  module {n}: \[(?P<start>{HEX64}), (?P<end>{HEX64})\) "
            rf"'{re.escape(string)}'$",
            f"the line '(HV)  module {n}: [start, end) '{string}''"),
            listed.index)
        start, end = int(line["start"], 16), int(line["end"], 16)
        if end - start != size:
            r.fail(f"module {n} to span its file's {size} bytes",
                   f"{end - start} bytes", line.index)
        r.expect_line(f"(HV)  [{start:016x}, {end:016x}) module",
                      reserved.index)
    r.expect_selftest_passed("mmap")


def size_test(name, cases):
    """Declare a test of mem= (exercise 4) from @p cases: options, -m, the
    value read, a line that shows its effect, and the warning expected
    (None: no complaint about mem= at all)."""

    @lab.test(name, 5, exercise=4, verdict=UNTIL_COMPLETE)
    def size_options(t):
        for append, memory, value, effect, warning in cases:
            r = t.boot(append="loglvl=all " + append, memory=memory)
            if warning:
                r.expect_line("(HV) cmdline: malformed value for option "
                              f"'mem': '{warning}'; keeping its default")
            else:
                r.expect_absent(Pattern("for option 'mem'",
                                        "a warning about mem="))
            r.expect_line(f"(HV) option mem = {value} bytes")
            r.expect_line(effect)
            r.expect_line(BOOT_COMPLETE)


size_test("mem= reads sizes in K, M, G and plain KiB", [
    ("mem=256M", "512M", 256 << 20, region(0x100000, 0x10000000, "usable"),
     None),
    ("mem=262144", "512M", 256 << 20,  # no unit: KiB
     region(0x100000, 0x10000000, "usable"), None),
    ("mem=512Q mem=1g", "3G", 1 << 30, region(0x100000, 0x40000000, "usable"),
     "512Q"),
])
size_test("mem= reads hex and T, and saturates at 2^64 - 1", [
    ("mem=0x20000K", "512M", 128 << 20, region(0x100000, 0x8000000, "usable"),
     None),
    ("mem=2T", "512M", 2 << 40, "(HV) Usable RAM: 511 MiB (523775 KiB)", None),
    ("mem=16777216T", "512M", (1 << 64) - 1,  # 2^24 TiB is 2^64 bytes
     "(HV) Usable RAM: 511 MiB (523775 KiB)", None),
])


# Boolean cases: options (the last word decides), the value printed, the
# warning expected (None: no complaint about noreboot at all). A bare
# `noreboot` (true) comes first where the answer is "no", so a parser that
# accepts nothing cannot pass by leaving the default.
BOOL_CASES = [
    ("noreboot=no noreboot=true noreboot=1 noreboot=enable noreboot=yes "
     "noreboot=on", "yes", None),
    ("noreboot noreboot=false noreboot=0 noreboot=disable noreboot=no "
     "noreboot=off", "no", None),
    ("noreboot noreboot=maybe", "yes",
     "(HV) cmdline: malformed value for option 'noreboot': 'maybe'; "
     "keeping its default"),
]


@lab.test("noreboot= reads booleans and refuses 'maybe'", 10, exercise=4,
          verdict=UNTIL_COMPLETE)
def boolean_options(t):
    for append, value, warning in BOOL_CASES:
        r = t.boot(append="loglvl=all " + append)
        if warning:
            r.expect_line(warning)
        else:
            r.expect_absent(Pattern("for option 'noreboot'",
                                    "a warning about noreboot="))
        r.expect_line(f"(HV) option noreboot = {value}")
        r.expect_line(BOOT_COMPLETE)


@lab.test("bad options are named in warnings and the boot goes on", 5,
          append="dom0_mem=banana frobnicate mem=banana",
          verdict=UNTIL_COMPLETE)
def bad_options(t):
    r = t.boot()
    r.expect_in_order([r"^\(HV\) cmdline: malformed value for option "
                       r"'dom0_mem'",
                       r"^\(HV\) cmdline: unknown option 'frobnicate'",
                       r"^\(HV\) cmdline: malformed value for option 'mem'",
                       UNTIL_COMPLETE])


@lab.test("GDB stops at start_hospes and steps through the boot", 5)
def gdb_reaches_c(t):
    try:
        # Imported here, so that the other tests run without it.
        from grading import gdbcheck
    except ModuleNotFoundError as missing:
        if missing.name != "grading.gdbcheck":
            raise
        t.fail("grading/gdbcheck.py, the GDB check",
               "it is missing from this tree")
    ok, log = gdbcheck.check_boot_with_gdb(t.elf, t.timeout)
    t.keep(log)
    if not ok:
        verdict = log.rstrip().rsplit("\n", 1)[-1]  # the log's last line
        t.fail("GDB to stop at start_hospes, step, and see the boot end",
               verdict, log, at="gdbcheck: FAILED")
