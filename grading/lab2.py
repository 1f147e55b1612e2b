"""
lab2.py: the tests of lab 2, "Machine memory" (labs/02-memory/README.md).

Each test boots Hospes with one of lab 2's self-tests (`selftest=alloc`,
`domheap`, `xmalloc`, `pagetables`; hypervisor/common/selftest_mm.c and
arch/x86/mm.c), which print what they check and power QEMU off with a
verdict. The heap only exists once all three exercises work (the page
tables of exercise 3 map the frame table it needs), so each test names
the exercise whose code it exercises most. Total: 100 points.
"""

from grading.gradelib import (BOOT_COMPLETE, EXIT_SUCCESS, UNTIL_COMPLETE,
                              Lab, Pattern)

lab = Lab(2)

ALL_SELFTESTS = "selftest=alloc,domheap,xmalloc,pagetables"

# "Memory: usable U KiB = heap H + boot allocations B + reserved R +
# first MiB L + unused N KiB", printed by mem_report().
ACCOUNTING = Pattern(
    r"^\(HV\) Memory: usable (?P<usable>\d+) KiB = heap (?P<heap>\d+) \+ "
    r"boot allocations (?P<boot>\d+) \+ reserved (?P<reserved>\d+) \+ "
    r"first MiB (?P<low>\d+) \+ unused (?P<unused>\d+) KiB$",
    "the line '(HV) Memory: usable U KiB = heap H + boot allocations B + "
    "reserved R + first MiB L + unused N KiB'")
USABLE_RAM = Pattern(r"^\(HV\) Usable RAM: .* \((?P<kib>\d+) KiB\)$",
                     "the line '(HV) Usable RAM: ... (N KiB)'")
ALLOC_CHECK = Pattern(
    r"^\(HV\) alloc check: (?P<frames>\d+) frames \((?P<mib>\d+) MiB\) in "
    r"(?P<blocks>\d+) blocks allocated and freed",
    "the line '(HV) alloc check: N frames (M MiB) in B blocks allocated "
    "and freed ...'")


@lab.test("boots through the memory set-up and reports it", 5,
          append="loglvl=info", verdict=UNTIL_COMPLETE)
def boots_with_memory_report(t):
    r = t.boot()
    books = r.expect(ACCOUNTING)
    r.expect(r"^\(HV\) Memory: \d+ KiB free in the heap$", books.index)
    r.expect_line(BOOT_COMPLETE, books.index)


@lab.test("the heap gets all free memory and the books balance", 10,
          exercise=3, append="selftest=pagetables")
def accounting_balances(t):
    for memory in ["64M", "1G", "4G"]:
        r = t.boot(memory=memory)
        usable_map = int(r.expect(USABLE_RAM)["kib"])
        books = r.expect(ACCOUNTING)
        usable, heap, boot, reserved, low, unused = (
            int(books[k]) for k in
            ("usable", "heap", "boot", "reserved", "low", "unused"))
        if heap + boot + reserved + low + unused != usable:
            r.fail("the parts to add up to the usable total",
                   f"{heap} + {boot} + {reserved} + {low} + {unused} != "
                   f"{usable}", books.index)
        # Whole frames only: a few KiB of partial frames may be missing.
        if not usable_map - 16 <= usable <= usable_map:
            r.fail(f"usable {usable} KiB to match the map's {usable_map} KiB",
                   f"{usable} KiB", books.index)
        if unused or heap < usable * 9 // 10:
            r.fail("the heap to get nearly all usable RAM, nothing unused",
                   f"heap {heap} KiB, unused {unused} KiB", books.index)
        r.expect_line(f"(HV) Memory: {heap} KiB free in the heap")
        r.expect_selftest_passed("pagetables")


@lab.test("the heap hands out every free frame in mixed orders", 20,
          exercise=1, append="selftest=alloc")
def alloc_everything(t):
    r = t.boot()
    r.expect_absent(Pattern(r"check failed: (no block|block at|got|an empty)",
                            "an allocation check that failed"))
    found = r.expect(ALLOC_CHECK)
    if int(found["mib"]) < 256:
        r.fail("at least 256 MiB allocated and freed",
               f"{found['mib']} MiB", found.index)
    r.expect(r"^\(HV\) heap: no free block of order 0 \(0 frames free\)$")
    r.expect_selftest_passed("alloc")


@lab.test("freed blocks merge back into the blocks the heap began with", 20,
          exercise=2, append="selftest=alloc")
def merge_back(t):
    r = t.boot()
    r.expect_absent(Pattern(r"check failed: (the free blocks|\d+ frames free|"
                            r"block record)", "a merge check that failed"))
    r.expect_selftest_passed("alloc")


@lab.test("a domain's frames are counted and limited", 10, exercise=1,
          append="selftest=domheap")
def domain_limit(t):
    r = t.boot()
    r.expect_line("(HV) d42: allocating 1 frames would exceed its limit of 8")
    r.expect_line("(HV) domheap check: d42 held 8 of 8 frames")
    r.expect_selftest_passed("domheap")


@lab.test("xmalloc aligns, keeps objects apart and reports misuse", 10,
          exercise=1, append="selftest=xmalloc")
def xmalloc_works(t):
    r = t.boot()
    start = r.expect_line(
        "(HV) xmalloc check: misuse that must be reported and ignored:")
    r.expect_in_order([r"^\(HV\) xfree: 0x[0-9a-f]{16} freed twice; ignored$",
                       r"^\(HV\) xfree: 0x[0-9a-f]{16} was not allocated by "
                       r"xmalloc; ignored$",
                       r"^\(HV\) xfree: 0x[0-9a-f]{16} was not allocated by "
                       r"xmalloc; ignored$",
                       r"^\(HV\) xmalloc: bad alignment 3$"], start.index)
    r.expect_selftest_passed("xmalloc")


@lab.test("the page tables give each part of the image its rights", 20,
          exercise=3, append="selftest=pagetables")
def page_table_rights(t):
    r = t.boot()
    cases = ["NULL", "last byte below 2 MiB", "text: read-only, executable",
             "rodata: read-only, no exec", "bss: writable, no exec",
             "stack guard page", "stack", "direct map at 2 MiB",
             "frame table"]
    for case in cases:
        r.expect(Pattern(rf"^\(HV\) pagetables check: {case} +0x[0-9a-f]{{16}}"
                         r" .*: ok$", f"the pagetables check '{case}' ok"))
    r.expect_line("(HV) pagetables check: a write through the direct map "
                  "reads back through the image: ok")
    r.expect_selftest_passed("pagetables")


@lab.test("every memory self-check passes with -m 64M, 1G and 4G", 5,
          exercise=2, append=ALL_SELFTESTS)
def all_sizes(t):
    for memory in ["64M", "1G", "4G"]:
        r = t.boot(memory=memory)
        r.expect_line("(HV) selftest: all passed")
        r.expect_status(EXIT_SUCCESS)
