"""
lab3.py: the tests of lab 3, "Traps, time and CPUs"
(labs/03-traps-time-cpus/README.md).

Part 1's tests boot Hospes with a self-test that faults on purpose
(`selftest=pagefault`, `nxfault`, `stackoverflow`; arch/x86/traps.c): the
hypervisor must report the exception (name, error code, for a page fault
the address and the decoded error code, the registers, where it happened)
and panic, so QEMU exits with the failure status. Part 2's run
`selftest=time` and `selftest=timers`, also under QEMU's -icount, where
time is counted in instructions and every run must print the same. Part
3's boot 1, 2 and 4 CPUs (`selftest=smp`, `locks`) and type debug keys.
"""

import re

from grading.gradelib import (EXIT_FAILURE, EXIT_SUCCESS, UNTIL_COMPLETE, Lab,
                              Pattern)

lab = Lab(3)

HEX64 = "[0-9a-f]{16}"



def exception_line(vector, mnemonic, name, error_code):
    """The first line of an exception report."""
    return (f"(HV) *** CPU exception {vector} ({mnemonic}, {name}), "
            f"error code {error_code}")


def rip_in(function):
    """The report's RIP line, in @p function (or '???' for none)."""
    where = (rf"{function}\+0x[0-9a-f]+/0x[0-9a-f]+" if function != "???"
             else r"\?\?\?")
    return Pattern(rf"^\(HV\) RIP:    \[<{HEX64}>\] {where}$",
                   f"the line '(HV) RIP:    [<address>] {function}...'")


def expect_report(r, vector, mnemonic, name, error_code, function):
    """The report of an exception, its registers, the panic, the exit."""
    first = r.expect_line(exception_line(vector, mnemonic, name, error_code))
    r.expect(rip_in(function), first.index)
    r.expect(rf"^\(HV\) rax: {HEX64}   rbx: {HEX64}   rcx: {HEX64}$",
             first.index)
    r.expect(rf"^\(HV\) r15: {HEX64}   cr0: {HEX64}   cr3: {HEX64}$",
             first.index)
    r.expect(rf"^\(HV\) Panic: {mnemonic} \({name}\) at {HEX64}$",
             first.index)
    r.expect_status(EXIT_FAILURE)
    return first


@lab.test("a NULL write is reported as a page fault, with registers", 5,
          append="selftest=pagefault noreboot")
def null_write_reported(t):
    r = t.boot()
    expect_report(r, 14, "#PF", "page fault", "0x2", "selftest_pagefault")
    r.expect(r"^\(HV\) page fault at address 0000000000000000: ")


@lab.test("a stack overflow hits the guard page and double-faults", 5,
          append="selftest=stackoverflow noreboot")
def stack_overflow_caught(t):
    r = t.boot()
    expect_report(r, 8, "#DF", "double fault", "0x0", "overflow")


@lab.test("page-fault error codes are decoded: NULL write", 10, exercise=1,
          append="selftest=pagefault noreboot")
def decode_null_write(t):
    r = t.boot()
    r.expect_line("(HV) page fault at address 0000000000000000: "
                  "not-present write supervisor")
    r.expect_status(EXIT_FAILURE)


@lab.test("page-fault error codes are decoded: fetch from data", 10,
          exercise=1, append="selftest=nxfault noreboot")
def decode_nx_fetch(t):
    r = t.boot()
    expect_report(r, 14, "#PF", "page fault", "0x11", "???")
    r.expect(Pattern(rf"^\(HV\) page fault at address {HEX64}: "
                     r"protection read supervisor fetch$",
                     "the line '(HV) page fault at address <address>: "
                     "protection read supervisor fetch'"))


# "(HV) Time: TSC N kHz, APIC timer M kHz (over 50 ms of the PIT)"
CALIBRATION = Pattern(r"^\(HV\) Time: TSC (?P<tsc>\d+) kHz, APIC timer "
                      r"(?P<apic>\d+) kHz \(over 50 ms of the PIT\)$",
                      "the line '(HV) Time: TSC N kHz, APIC timer M kHz "
                      "(over 50 ms of the PIT)'")
# Under -icount shift=0 the TSC and the APIC timer count one per
# instruction, and an instruction is 1 ns of virtual time: 1 GHz, give or
# take what the measuring loop itself costs.
ICOUNT = ["-icount", "shift=0,sleep=off"]
TIMERS_ORDER = ("(HV) timers check: 7 fired in this order: 7 1 3 4 6 0 5; "
                "latest by ")


@lab.test("TSC and APIC timer are calibrated against the PIT", 15,
          exercise=2, append="selftest=time", extra=ICOUNT)
def calibrated(t):
    r = t.boot()
    r.expect_absent(Pattern("calibration failed", "the fallback guess of "
                            "time_init() (calibration failed)"))
    found = r.expect(CALIBRATION)
    for clock in ("tsc", "apic"):
        khz = int(found[clock])
        if not 990000 <= khz <= 1000000:
            r.fail(f"the {clock.upper()} at 1 GHz under -icount "
                   "(990000-1000000 kHz)", f"{khz} kHz", found.index)
    r.expect(r"^\(HV\) time check: 20 ms of the PIT took \d+ ns of system "
             r"time \([-+]\d+%\)$")
    r.expect_selftest_passed("time")


@lab.test("timers fire in order, never early, and stop when stopped", 15,
          exercise=3, append="selftest=timers")
def timers_in_order(t):
    r = t.boot()
    r.expect(Pattern("^" + re.escape(TIMERS_ORDER) + r"\d+ ns$",
                     f"the line '{TIMERS_ORDER}N ns'"))
    r.expect_absent(Pattern("timers check: .*(early|stopped|later one)",
                            "a timers check that failed"))
    r.expect_selftest_passed("timers")


@lab.test("under -icount, time and timers repeat exactly", 10, exercise=3,
          append="selftest=time,timers", extra=ICOUNT)
def icount_repeats(t):
    runs = []
    for _ in range(2):
        r = t.boot()
        r.expect_line("(HV) selftest: all passed")
        r.expect_status(EXIT_SUCCESS)
        runs.append([line for line in r.lines
                     if line.startswith(("(HV) Time:", "(HV) time check:",
                                         "(HV) timers check:"))])
    if runs[0] != runs[1] or len(runs[0]) != 3:
        t.fail("the same time, time check and timers lines in both runs",
               "\n".join(runs[0]) + "\n---\n" + "\n".join(runs[1]))


@lab.test("every CPU comes online and runs a timer, with 1, 2 and 4", 15,
          exercise=4, append="selftest=smp")
def all_cpus_online(t):
    for n in (1, 2, 4):
        r = t.boot(smp=n)
        r.expect_line(f"(HV) ACPI: {n} CPUs in the MADT")
        r.expect_line(f"(HV) SMP: {n} CPUs online")
        fired = " ".join(str(cpu) for cpu in range(n))
        r.expect_line(f"(HV) smp check: {n} CPUs online; a timer fired on "
                      f"CPUs {fired}")
        r.expect_status(EXIT_SUCCESS)


@lab.test("maxcpus= and nosmp limit the CPUs started", 5, exercise=4,
          smp=4, verdict=UNTIL_COMPLETE)
def cpu_options(t):
    r = t.boot(append="maxcpus=2")
    r.expect_line("(HV) SMP: 2 CPUs online")
    r = t.boot(append="nosmp")
    r.expect_line("(HV) SMP: nosmp; only the boot CPU runs")


@lab.test("a spinlock and an rwlock stay exact with 4 CPUs at once", 5,
          exercise=4, append="selftest=locks", smp=4, extra=ICOUNT)
def locks_hold(t):
    r = t.boot()
    r.expect_line("(HV) locks check: 4 CPUs, spinlock count 8000 of 8000, "
                  "rwlock writes 2000 of 2000, torn reads 0")
    r.expect_selftest_passed("locks")


@lab.test("debug keys answer on the serial console", 5, exercise=3, smp=1,
          keys="hmdt", keys_after=UNTIL_COMPLETE,
          verdict=r"^\(HV\) Timers of CPU 0 at")
def debug_keys(t):
    # The console is polled by a timer (exercise 3); one CPU, so that the
    # test needs nothing of exercise 4.
    r = t.boot()
    r.expect_in_order([r"^\(HV\) 'h' pressed -> list the debug keys$",
                       r"^\(HV\)   'd'  dump every CPU's backtrace$",
                       r"^\(HV\) 'm' pressed -> memory statistics$",
                       r"^\(HV\) Memory: usable ",
                       r"^\(HV\) 'd' pressed -> dump every CPU's backtrace$",
                       r"^\(HV\) CPU 0:$",
                       r"^\(HV\) 't' pressed -> dump every CPU's timers$",
                       r"^\(HV\) Timers of CPU 0 at"])
