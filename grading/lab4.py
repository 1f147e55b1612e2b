"""
lab4.py: the tests of lab 4, "PV domains and hypercalls"
(labs/04-pv-domains/README.md).

Every test boots Hospes with guest programs as Multiboot modules
(guest/tests/*.c, built by `make guests`; "guest:NAME" below is
build/guest/tests/NAME.elf): dom0 from the first module, more domains
with `domu=`. A guest ends with an XTF-style verdict line,
"Test result: SUCCESS", and shuts itself down; the hypervisor prints
"(dN) " before each line of domain N's output. When the last domain is
gone, Hospes stops the machine: QEMU's exit status says whether dom0
powered off (success) or not.
"""

from grading.gradelib import (BOOT_COMPLETE, EXIT_FAILURE, EXIT_SUCCESS,
                              UNTIL_COMPLETE, Lab, exact)

lab = Lab(4)

# A domain's verdict line, and its shutdown and destruction lines.
SUCCESS = "(d{}) Test result: SUCCESS"
SHUT_DOWN = "(HV) Domain {} ({}) shut down: {}"
ALL_GONE = "(HV) All domains have shut down"
# A frame count: 64 MiB of dom0 memory in 4 KiB frames.
DOM0_FRAMES = 64 * 256


def dom0(name, args=""):
    """dom0's module: guest program @p name with command line @p args."""
    return [(f"guest:{name}", args)]


# ---------------------------------------------------------------------------
# Part 1: no exercise. A boot without a kernel, and kernels that are not.
# ---------------------------------------------------------------------------

@lab.test("without a module there is no dom0, and the boot goes on", 5,
          verdict=UNTIL_COMPLETE)
def no_dom0(t):
    r = t.boot()
    first = r.expect_line("(HV) No dom0 kernel (no Multiboot module): "
                          "no domains to run")
    r.expect_line(BOOT_COMPLETE, first.index)


@lab.test("a kernel that is not an ELF PV kernel is refused, with why", 5,
          append="noreboot")
def bad_kernel_refused(t):
    junk = t.make_file("junk.bin", 8192)
    r = t.boot(modules=[(junk, "")])
    refused = r.expect(r"^\(HV\) d0: bad kernel image: .*(magic|ELF)")
    r.expect_line("(HV) Panic: d0 (Domain-0) could not be built",
                  refused.index)
    r.expect_status(EXIT_FAILURE)


# ---------------------------------------------------------------------------
# Part 2: a guest runs (exercises 1-3: notes, page tables, guest pointers).
# ---------------------------------------------------------------------------

@lab.test("dom0 starts, prints through console_io and powers off", 20,
          exercise=1, modules=dom0("hello", "expect-flags=3"))
def dom0_hello(t):
    r = t.boot()
    hello = r.expect_line("(d0) Hello from expect-flags=3!")
    verdict = r.expect_line(SUCCESS.format(0), hello.index)
    down = r.expect_line(SHUT_DOWN.format(0, "Domain-0", "poweroff"),
                         verdict.index)
    r.expect_line(f"(HV) Domain 0 (Domain-0) destroyed: {DOM0_FRAMES} "
                  "frames returned", down.index)
    r.expect_line(ALL_GONE, down.index)
    r.expect_status(EXIT_SUCCESS)


@lab.test("start_info: magic, memory, flags and command line, dom0 and domU",
          10, exercise=2, append="dom0_mem=32M domu=1,mem=8M,name=second",
          modules=dom0("hello", "expect-flags=3")
          + [("guest:hello", "expect-flags=0")])
def start_info_fields(t):
    r = t.boot()
    for domid, pages, flags in ((0, 32 * 256, "0x3"), (1, 8 * 256, "0x0")):
        r.expect_in_order([exact(line) for line in (
            f"(d{domid})   magic        \"xen-3.0-x86_64\"",
            f"(d{domid})   nr_pages     {pages}",
            f"(d{domid})   flags        {flags}",
            SUCCESS.format(domid))])
    r.expect_line(SHUT_DOWN.format(1, "second", "poweroff"))
    r.expect_status(EXIT_SUCCESS)


@lab.test("bad hypercall numbers get -ENOSYS, bad pointers -EFAULT", 15,
          exercise=3, modules=dom0("hypercalls"))
def bad_hypercalls(t):
    r = t.boot()
    r.expect_absent(r"^\(d0\) FAIL")
    r.expect_line(SUCCESS.format(0))
    r.expect_status(EXIT_SUCCESS)


@lab.test("a flooding domain is rate-limited; the others are not drowned",
          5, exercise=3, append="domu=1,name=flood",
          modules=dom0("counter", "count=20") + [("guest:flood", "")])
def console_rate_limit(t):
    r = t.boot()
    r.expect(r"^\(HV\) d1: [0-9]+ bytes of console output dropped "
             r"\(rate limit\)$")
    r.expect_line("(d0) count 20")
    r.expect_line(SUCCESS.format(0))
    r.expect_line(SHUT_DOWN.format(1, "flood", "poweroff"))
    r.expect_status(EXIT_SUCCESS)


# ---------------------------------------------------------------------------
# Part 3: exceptions (exercises 4 and 5: the bounce and `iret`).
# ---------------------------------------------------------------------------

@lab.test("a guest without a handler is killed; two others run on", 15,
          exercise=4, append="domu=1,name=crasher domu=2,name=survivor",
          modules=dom0("counter", "count=30") + [("guest:crash", ""),
                                                 ("guest:counter", "count=30")])
def crash_contained(t):
    r = t.boot()
    about = r.expect_line("(d1) crash: about to fault")
    killed = r.expect(r"^\(HV\) Domain 1 \(crasher\) killed: no handler for "
                      r"#PF \(vector 14\) at RIP [0-9a-f]{16}, error code "
                      r"0x0, cr2 0000000000000010$", about.index)
    r.expect(r"^\(HV\)   guest call trace: ", killed.index)
    r.expect_line(SHUT_DOWN.format(1, "crasher", "crash"), killed.index)
    r.expect_absent(r"^\(d1\) crash: still alive")
    for domid in (0, 2):
        r.expect_line(f"(d{domid}) count 30")
        r.expect_line(SUCCESS.format(domid))
    r.expect_line(ALL_GONE)
    r.expect_status(EXIT_SUCCESS)


@lab.test("#PF, #UD, #BP, #GP, #DE reach the guest's handlers and return",
          20, exercise=5, modules=dom0("traps"))
def exceptions_bounced(t):
    r = t.boot()
    r.expect_absent(r"^\(d0\) (FAIL|Unhandled exception)")
    r.expect_absent(r"^\(HV\) Domain 0 \(Domain-0\) killed")
    r.expect_line("(d0) traps: hypervisor signature \"XenVMMXenVMM\", "
                  "last leaf 0x40000002")
    r.expect_line(SUCCESS.format(0))
    r.expect_status(EXIT_SUCCESS)


# ---------------------------------------------------------------------------
# Part 4: the default scenario and debug key 'q'.
# ---------------------------------------------------------------------------

@lab.test("debug key 'q' lists the domains like `xl list`", 5, exercise=2,
          append="domu=1,name=alpha",
          modules=dom0("demo", "dom0") + [("guest:demo", "alpha")],
          keys="q", keys_after=r"^\(HV\) Domain 1 \(alpha\) destroyed",
          verdict=r"^\(HV\) Domain-0 ")
def list_domains(t):
    r = t.boot()
    r.expect(r"^\(d0\) dom0: hello!")
    r.expect(r"^\(d1\) alpha: tick 5$")
    header = r.expect(r"^\(HV\) Name +ID +Mem +VCPUs +State +Time\(s\)$")
    r.expect(r"^\(HV\) Domain-0 +0 +64 +1 +-b---- +[0-9]+\.[0-9]{3}$",
             header.index)
