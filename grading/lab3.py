"""
lab3.py: the tests of lab 3, "Traps, time and CPUs"
(labs/03-traps-time-cpus/README.md). Part 1, traps, so far.

Each test boots Hospes with a self-test that faults on purpose
(`selftest=pagefault`, `nxfault`, `stackoverflow`; arch/x86/traps.c): the
hypervisor must report the exception (name, error code, for a page fault
the address and the decoded error code, the registers, where it happened)
and panic, so QEMU exits with the failure status.
"""

from grading.gradelib import EXIT_FAILURE, Lab, Pattern

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


@lab.test("a NULL write is reported as a page fault, with registers", 10,
          append="selftest=pagefault noreboot")
def null_write_reported(t):
    r = t.boot()
    expect_report(r, 14, "#PF", "page fault", "0x2", "selftest_pagefault")
    r.expect(rf"^\(HV\) page fault at address 0000000000000000: ")


@lab.test("a stack overflow hits the guard page and double-faults", 10,
          append="selftest=stackoverflow noreboot")
def stack_overflow_caught(t):
    r = t.boot()
    expect_report(r, 8, "#DF", "double fault", "0x0", "overflow")


@lab.test("page-fault error codes are decoded: NULL write", 40, exercise=1,
          append="selftest=pagefault noreboot")
def decode_null_write(t):
    r = t.boot()
    r.expect_line("(HV) page fault at address 0000000000000000: "
                  "not-present write supervisor")
    r.expect_status(EXIT_FAILURE)


@lab.test("page-fault error codes are decoded: fetch from data", 40,
          exercise=1, append="selftest=nxfault noreboot")
def decode_nx_fetch(t):
    r = t.boot()
    expect_report(r, 14, "#PF", "page fault", "0x11", "???")
    r.expect(Pattern(rf"^\(HV\) page fault at address {HEX64}: "
                     r"protection read supervisor fetch$",
                     "the line '(HV) page fault at address <address>: "
                     "protection read supervisor fetch'"))
