"""
lab5.py: the tests of lab 5, "PV memory virtualisation"
(labs/05-pv-memory/README.md).

As in lab 4 (grading/lab4.py), every test boots Hospes with guest
programs (guest/tests/*.c) as its domains; each guest prints what it did
and ends with "Test result: SUCCESS" when its own checks held, and the
grader matches those lines and the hypervisor's. When the last domain is
gone QEMU exits (status 33 if dom0 powered off), so no test waits for a
timeout unless a guest hangs.

The guests and what they prove: m2p (the M2P and memory_op, no exercise),
balloon (giving frames back and getting them again, no exercise),
pagetables and validate (page types and validation, exercises 1-2),
descriptors (a guest's own GDT, exercise 1), attack alone and next to
witness (the isolation rules, exercise 2), batch (mmu_update_one(),
exercise 3), vamap (update_va_mapping and shared_info, exercise 4).
"""

import re

from grading.gradelib import EXIT_SUCCESS, Lab, exact
from grading.lab4 import ALL_GONE, DOM0_FRAMES, SHUT_DOWN, SUCCESS, dom0

lab = Lab(5)

# A domU's memory when the scenario does not say (domu=...,mem=).
DOMU_FRAMES = 16 * 256
# Any line of a guest's failed check.
FAILED_CHECK = r"^\(d[0-9]+\) FAIL"
DESTROYED = "(HV) Domain {} ({}) destroyed: {} frames returned"
# Xen's errnos, as the guests print them.
EPERM, ESRCH, EFAULT, EBUSY, EINVAL = -1, -3, -14, -16, -22

# attack.elf's cases, in its order, and Xen's answer to each
# (guest/tests/attack.c says where in Xen each answer comes from).
ATTACKS = [
    ("map a hypervisor frame writable", EBUSY),
    ("map a foreign frame read-only", EBUSY),
    ("map its own L1 writable", EBUSY),
    ("map with PTE bit 52 set", 0),
    ("map with _PAGE_GLOBAL", EINVAL),
    ("L2 entry with _PAGE_GLOBAL", EINVAL),
    ("L2 entry with _PAGE_PSE (2 MiB page)", EINVAL),
    ("hypervisor frame as an L1 in its L2", EINVAL),
    ("pin a hypervisor frame", EINVAL),
    ("pin a table twice", EINVAL),
    ("unpin a frame that is not pinned", EINVAL),
    ("new_baseptr to a writable data frame", EINVAL),
    ("mmu_update into a hypervisor frame", EINVAL),
    ("mmu_update into its own data frame", 0),
    ("mmu_update of L4 slot 256 (the hypervisor's)", EINVAL),
    ("3 updates, the 2nd bad", EINVAL),
    ("mmu_update of 2^30 requests, 2 mapped", EFAULT),
    ("GDT with a ring-0 code segment", 0),
    ("GDT with a TSS", EINVAL),
    ("GDT with a call gate into the hypervisor", EINVAL),
    ("update_descriptor into a hypervisor frame", EINVAL),
]
REFUSED = sum(1 for _, answer in ATTACKS if answer)


def expect_attacks(r, domid):
    """Every case of attack.elf in domain @p domid got Xen's answer; a
    failure lists all the cases that did not."""
    expected = (f"all {len(ATTACKS)} attacks to get Xen's answer "
                f"({REFUSED} refused)")
    if not r.find(rf"^\(d{domid}\) attack: .*: (refused|allowed) "
                  r"\(-?[0-9]+\)$"):
        r.fail(expected, "no attack result at all")
    wrong, after = [], 0
    for what, answer in ATTACKS:
        verdict = "refused" if answer else "allowed"
        line = f"(d{domid}) attack: {what}: {verdict} ({answer})"
        found = r.find(exact(line), after)
        if found:
            after = found.index + 1
            continue
        came = r.find(r"^" + re.escape(f"(d{domid}) attack: {what}: "))
        wrong.append(f"'{line}', got "
                     + (f"'{r.lines[came.index]}'" if came else "nothing"))
    if wrong:
        r.fail(expected, f"{len(wrong)} did not:\n" + "\n".join(wrong))
    r.expect_line(f"(d{domid}) attack: afterwards: 0 entries changed, "
                  "memory works")


def expect_dom0_done(r):
    """dom0 succeeded, gave back all its frames, and the machine stopped
    with success."""
    r.expect_absent(FAILED_CHECK)
    done = r.expect_line(SUCCESS.format(0))
    r.expect_line(DESTROYED.format(0, "Domain-0", DOM0_FRAMES), done.index)
    r.expect_status(EXIT_SUCCESS)


# ---------------------------------------------------------------------------
# Part 1: no exercise. The M2P and memory_op, which change no page table.
# ---------------------------------------------------------------------------

@lab.test("the M2P is readable, read-only and right; memory_op describes "
          "memory", 10, append="domu=1,name=second",
          modules=dom0("m2p", "domid=0") + [("guest:m2p", "domid=1")])
def m2p_and_memory_op(t):
    r = t.boot()
    r.expect_absent(FAILED_CHECK)
    for domid, frames in ((0, DOM0_FRAMES), (1, DOMU_FRAMES)):
        d = f"\\(d{domid}\\) m2p: "
        r.expect_in_order([
            d + r"machphys_mapping: 0xffff800000000000-0x[0-9a-f]+, "
            r"max_mfn 0x[0-9a-f]+; maximum_ram_page 0x[0-9a-f]+$",
            exact(f"(d{domid}) m2p: M2P[mfn_list[pfn]] == pfn for {frames} "
                  f"of {frames} pfns"),
            d + r"writing M2P\[0x[0-9a-f]+\] at 0xffff8[0-9a-f]{11}: "
            r"vector 14, error code 0x3$",
            exact(f"(d{domid}) m2p: current_reservation {frames}, "
                  f"maximum_reservation {frames}"),
            exact(f"(d{domid}) m2p: memory_map: 1 entry, "
                  f"0x{frames * 4096:x} bytes of type 1"),
            exact(SUCCESS.format(domid))])
    r.expect_line("(d0) m2p: current_reservation of d42, which does not "
                  f"exist: {ESRCH}")
    r.expect_line("(d1) m2p: current_reservation of d0 from unprivileged "
                  f"d1: {EPERM}")
    r.expect_line(ALL_GONE)
    r.expect_status(EXIT_SUCCESS)


@lab.test("the reservation shrinks and grows back (ballooning)", 5,
          modules=dom0("balloon"))
def balloon(t):
    r = t.boot()
    r.expect_in_order([
        exact("(d0) balloon: gave back 4 frames: 16380 left"),
        exact("(d0) balloon: a frame given twice, and the hypervisor's: "
              "refused"),
        r"^\(d0\) balloon: populate_physmap filled pfns [0-9]+-[0-9]+ again$",
        exact("(d0) balloon: no frame past the maximum")])
    expect_dom0_done(r)


# ---------------------------------------------------------------------------
# Part 2: page types and validation (exercises 1 and 2).
# ---------------------------------------------------------------------------

@lab.test("page types: a copy of the address space is built, pinned, "
          "switched to and torn down", 15, exercise=1,
          modules=dom0("pagetables"))
def address_space_copy(t):
    r = t.boot()
    copied = r.expect(r"^\(d0\) pagetables: copied ([0-9]+) tables; the new "
                      r"L4 is pinned$")
    r.expect_in_order([
        exact("(d0) pagetables: running on the copy: code, stack and data "
              "work"),
        r"^\(d0\) pagetables: wrote and read 512 words at 0x[0-9a-f]+$",
        r"^\(d0\) pagetables: unmapped; reading (0x[0-9a-f]+) gave vector "
        r"14, cr2 \1$",
        exact("(d0) pagetables: running on the builder's tables: code, "
              "stack and data work"),
        # The copies and the L1 added on the copy: all plain frames again.
        exact(f"(d0) pagetables: copy unpinned; {int(copied[1]) + 1} of its "
              "tables are plain frames again")], copied.index)
    expect_dom0_done(r)


@lab.test("pinning validates a table, all or nothing; refusals are logged",
          10, exercise=1, append="loglvl=all", modules=dom0("validate"))
def pin_validates(t):
    r = t.boot()
    # Entry 1 maps the hypervisor's first frame (0x100), read-only.
    bad_l1 = (r"^\(HV\) d0: mfn ([0-9a-f]+) as L1: entry 1 = "
              r"0000000000100025 refused \(-16\)$")
    first = r.expect(bad_l1)
    r.expect_in_order([
        exact(f"(d0) validate: pin mfn 0x{first[1]} as L1, entry 1 a frame "
              f"not ours: {EBUSY}"),
        r"^\(d0\) validate: then pin A \(mfn 0x[0-9a-f]+\), which entry 0 "
        r"mapped writable, as L1: 0$",
        bad_l1,
        r"^\(HV\) d0: mfn ([0-9a-f]+) as L2: entry 0 = [0-9a-f]{16} "
        r"refused \(-[0-9]+\)$",
        r"^\(d0\) validate: pin mfn 0x[0-9a-f]+ as L2 over it: -[0-9]+$",
        exact("(d0) validate: after both refusals, the L1 and the L2 are "
              "plain frames"),
        exact("(d0) validate: L1 mended; pin the L2: 0"),
        exact(f"(d0) validate: map the L1 writable: {EBUSY}"),
        exact("(d0) validate: pin A as L1 while the L1 maps it writable: "
              f"{EINVAL}"),
        exact("(d0) validate: L2 unpinned: the L1 is a plain frame, A no "
              "longer writable-typed")], first.index)
    expect_dom0_done(r)


# Two instances of the descriptors guest, on one CPU, each with its own limit
# in its GDT's entry 1: (domid, limit).
GDT_LIMITS = [(0, 0x1111), (1, 0x2222)]


@lab.test("a guest's own GDT: descriptors checked, the frame typed, each "
          "vCPU's GDT switched in with it", 10, exercise=1, smp=1,
          append="domu=1",
          modules=[("guest:descriptors", f"limit=0x{limit:x}")
                   for _, limit in GDT_LIMITS])
def own_gdt(t):
    r = t.boot()
    r.expect_absent(FAILED_CHECK)
    for domid, limit in GDT_LIMITS:
        d = f"(d{domid}) descriptors: "
        r.expect_in_order([
            rf"^\(d{domid}\) descriptors: set_gdt of frame 0x[0-9a-f]+, 4 "
            r"entries: 0$",
            exact(f"{d}lsl 0xb: limit 0x{limit:x}; DPL 0 data and code now "
                  "DPL 3 and 3"),
            exact(f"{d}map the GDT frame writable: {EBUSY}"),
            exact(f"{d}update_descriptor of entry 1: 0; lsl sees the new "
                  "limit: yes"),
            exact(f"{d}update_descriptor refused: TSS {EINVAL}, call gate "
                  f"{EINVAL}, misaligned {EINVAL}, hypervisor frame {EINVAL}"),
            exact(f"{d}set_gdt refused: 7169 entries {EINVAL}, frame list in "
                  f"the hypervisor {EFAULT}, a TSS {EINVAL}; entry 1 "
                  "unchanged: yes"),
            exact(f"{d}100 yields: entry 1 was someone else's 0 times"),
            exact(f"{d}set_gdt of no entries: 0; entry 1 gone"),
            exact(f"{d}the frame maps writable again"),
            exact(SUCCESS.format(domid))])
    r.expect_line(ALL_GONE)
    r.expect_status(EXIT_SUCCESS)


# ---------------------------------------------------------------------------
# Part 3: isolation (exercise 2): every attack gets Xen's answer.
# ---------------------------------------------------------------------------

@lab.test(f"{len(ATTACKS)} isolation attacks get Xen's errnos ({REFUSED} "
          f"refused, {len(ATTACKS) - REFUSED} harmless allowed)", 15,
          exercise=2, modules=dom0("attack"))
def attacks_refused(t):
    r = t.boot()
    expect_attacks(r, 0)
    expect_dom0_done(r)


def witness_runs(r):
    """The runs of consecutive frames the witness (dom0) owns, as it
    printed them: [(first, last)]."""
    return [(int(f[1], 16), int(f[2], 16)) for f in r.find_all(
        r"^\(d0\) witness: frames 0x([0-9a-f]+)-0x([0-9a-f]+)$")]


def expect_witness_intact(r):
    """The attacks in d1 got Xen's answers, and the witness in dom0 found
    its memory intact once d1 was gone."""
    expect_attacks(r, 1)
    r.expect_line(SUCCESS.format(1))
    gone = r.expect_line(SHUT_DOWN.format(1, "attacker", "poweroff"))
    r.expect(r"^\(d0\) witness: d1 gone after [0-9]+ yields; buffer \(65536 "
             r"bytes\), page tables and M2P entries intact$", gone.index)
    expect_dom0_done(r)


@lab.test("an attacker cannot disturb another domain's memory", 10,
          exercise=2, append="domu=1,name=attacker",
          modules=dom0("witness", "attacker=1") + [("guest:attack", "")])
def witness_undisturbed(t):
    # First the attacker's own stand-in for another domain's frame (the
    # one below its own), which may or may not be the witness's.
    r = t.boot()
    expect_witness_intact(r)
    # Then the same scenario with one of the witness's frames named: the
    # middle of its longest run, which the same allocations give it again.
    first, last = max(witness_runs(r), key=lambda run: run[1] - run[0])
    target = (first + last) // 2
    r = t.boot(modules=t.test.scenario.modules[:1]
               + [("guest:attack", f"foreign=0x{target:x}")])
    chosen = r.expect_line(f"(d1) attack: another domain's frame: "
                           f"0x{target:x} (foreign=)")
    runs = witness_runs(r)
    if not any(lo <= target <= hi for lo, hi in runs):
        r.fail(f"frame 0x{target:x} to be the witness's, as in the first "
               "boot", "the witness's frames are now "
               + ", ".join(f"0x{lo:x}-0x{hi:x}" for lo, hi in runs),
               chosen.index)
    expect_witness_intact(r)


# ---------------------------------------------------------------------------
# Part 4: mmu_update's batch (exercise 3: mmu_update_one()).
# ---------------------------------------------------------------------------

@lab.test("mmu_update batches: done counts, a bad request stops the batch",
          15, exercise=3, modules=dom0("batch"))
def mmu_update_batch(t):
    r = t.boot()
    full = r.expect_line("(d0) batch: 512 requests in one call: 0, done 512")
    r.expect_in_order([
        exact("(d0) batch: the L1 reads as asked; 511 of 511 pages hold "
              "what was written"),
        r"^\(d0\) batch: MMU_MACHPHYS_UPDATE: M2P\[0x[0-9a-f]+\] set to "
        r"0xfedcba and back; M2P\[0x100\], not ours: -[0-9]+$",
        exact(f"(d0) batch: 5 requests, request 3 bad: {EBUSY}, done 2")],
        full.index)
    r.expect_lines([f"(d0) batch: entry {i}: {state}" for i, state in
                    enumerate(["cleared"] * 2 + ["mapped"] * 3)])
    r.expect_line("(d0) batch: the new L1 is unhooked")
    expect_dom0_done(r)


# ---------------------------------------------------------------------------
# Part 5: update_va_mapping (exercise 4).
# ---------------------------------------------------------------------------

@lab.test("update_va_mapping maps, remaps and unmaps a page, and "
          "shared_info", 10,
          exercise=4, modules=dom0("vamap"))
def update_va_mapping(t):
    r = t.boot()
    steps = ["map frame A", "map frame B there", "map A read-only"]
    found = r.expect_in_order(
        [f"^\\(d0\\) vamap: {step}: 0; the L1 entry is 0x[0-9a-f]+$"
         for step in steps]
        + [exact("(d0) vamap: a write faults: vector 14, error code 0x3"),
           exact("(d0) vamap: unmap: 0; the L1 entry is 0x0"),
           exact("(d0) vamap: a read faults: vector 14, error code 0x0"),
           exact("(d0) vamap: A and B hold what was written into them"),
           r"^\(d0\) vamap: the window's own frame back: 0;"])
    r.expect_in_order([
        r"^\(d0\) vamap: past the mapped region, no L2 entry "
        rf"\(0x[0-9a-f]+\): {EINVAL}$",
        exact("(d0) vamap: the hypervisor's area (0xffff800000000000): "
              f"{EINVAL}")], found[-1].index)
    r.expect_in_order([
        r"^\(d0\) vamap: map shared_info: 0; the L1 entry is 0x[0-9a-f]+$",
        exact("(d0) vamap: shared_info: vcpu_info[0].evtchn_upcall_mask 1; "
              f"pin it as an L1: {EINVAL}")], found[-1].index)
    expect_dom0_done(r)
