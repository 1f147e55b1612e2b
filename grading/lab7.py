"""
lab7.py: the tests of lab 7, "Scheduling" (labs/07-scheduling/README.md).

Every test boots Hospes on one CPU; all but the domctl test run
CPU-bound guests (guest/tests/spin.c) as their domains, under
`sched=credit` or `sched=rtds`, and read the work each one did: a spin
guest counts units of work between two points of system time (from= and
until=, ms) and prints "spin: NAME did N units in T ms (from F to U)".
On one CPU a domain's
share of the CPU is its units over the sum of all domains' units. QEMU
runs with `-icount shift=0,sleep=off` (one TSC tick per guest
instruction: docs/QEMU.md), so the guests' clocks count instructions and
the counts are the same run after run: nothing here depends on the host's
speed. tests/bench/sched.sh runs the same scenarios as a table.

The guests and what they prove:
  spin      mode=hog: three hogs by weight 256/512/1024 (exercise 1:
            split_by_weight()); a hog capped at 25% next to a free one
            and four hogs of equal weight (no exercise: they pass with
            the handout); mode=io next to two hogs, the latency of its
            wake-ups (exercise 2: credit_wake()); a lone hog under RTDS
            against the same hog under rr (exercise 3: replenish()).
  schedctl  dom0 reads and sets domain 1's weight and cap with domctl,
            and gets the refusals (no exercise).
"""

from grading.gradelib import EXIT_SUCCESS, Lab, exact
from grading.lab4 import ALL_GONE, SUCCESS, dom0
from grading.lab5 import FAILED_CHECK

lab = Lab(7)

# Every test: one CPU, instructions as the clock (see the docstring).
ICOUNT = ["-icount", "shift=0,sleep=off"]
# The window every spin guest counts in, ms of system time: from past the
# boot (every domain runs by then), whole accounting periods of the
# credit scheduler (30 ms), so that a capped domain starts the window
# with a new budget.
FROM_MS, UNTIL_MS = 300, 1200
# How far a measured share may be from the promised one, in points.
SHARE_TOLERANCE = 2.0
# The io guest's worst wake-up latency under BOOST, us: it measures 3 us.
# Without BOOST it waits for the next tick (10 ms) or a slice (30 ms).
MAX_LATENCY_US = 1000
# RTDS's default budget and period (rtds.c): a lone vCPU gets 4 ms of
# every 10.
RTDS_SHARE = 40.0

# "(dN) spin: NAME did N units in T ms (from F to U)"
DID = (r"^\(d(?P<dom>[0-9]+)\) spin: (?P<name>\S+) did (?P<units>[0-9]+) "
       rf"units in {UNTIL_MS - FROM_MS} ms \(from {FROM_MS} to {UNTIL_MS}\)$")
# "(dN) spin: NAME woke K times: latency max X us, avg Y us"
WOKE = (r"^\(d0\) spin: io woke (?P<times>[0-9]+) times: latency max "
        r"(?P<max>[0-9]+) us, avg (?P<avg>[0-9]+) us$")


def spin(sched, *doms):
    """The scenario of spin guests @p doms under `sched=@p sched`: each a
    (name, weight, cap, mode); the first is dom0. Weight and cap are set
    at boot (domu=...,weight=,cap=; dom0_weight=, dom0_cap=); a weight of
    None (a lone dom0 under another policy) sets none."""
    append, modules = [f"sched={sched}"], []
    for domid, (name, weight, cap, mode) in enumerate(doms):
        if domid > 0:
            append.append(f"domu={domid},name={name},weight={weight},"
                          f"cap={cap}")
        elif weight:
            append.append(f"dom0_weight={weight} dom0_cap={cap}")
        modules.append(("guest:spin", f"name={name} mode={mode} "
                        f"from={FROM_MS} until={UNTIL_MS}"))
    return dict(smp=1, extra=ICOUNT, timeout=180, append=" ".join(append),
                modules=modules)


def expect_all_done(r, count):
    """Domains 0 to @p count - 1 succeeded and the machine stopped with
    success, every domain gone."""
    r.expect_absent(FAILED_CHECK)
    for domid in range(count):
        r.expect_line(SUCCESS.format(domid))
    r.expect_line(ALL_GONE)
    r.expect_status(EXIT_SUCCESS)


def shares(r, names):
    """{name: share of the CPU, %} of the hogs @p names, from their lines;
    each must report."""
    units = {}
    for found in r.find_all(DID):
        units[found.match["name"]] = int(found.match["units"])
    missing = [name for name in names if name not in units]
    if missing:
        r.fail(f"a work report from every hog ({', '.join(names)})",
               f"none from {', '.join(missing)}")
    total = sum(units.values())
    return {name: 100.0 * units[name] / total if total else 0.0
            for name in names}


def expect_shares(r, wanted):
    """The hogs got the shares @p wanted ({name: %}) within the
    tolerance."""
    got = shares(r, list(wanted))
    wrong = [f"{name} {got[name]:.1f}% (wanted {share:.1f}%)"
             for name, share in wanted.items()
             if abs(got[name] - share) > SHARE_TOLERANCE]
    if wrong:
        r.fail(f"every share within {SHARE_TOLERANCE:g} points",
               "; ".join(wrong))


def units_of(r, name):
    """The units hog @p name reported."""
    found = r.find(DID)
    if not found or found.match["name"] != name:
        r.fail(f"the work report of {name}", "none")
    return int(found.match["units"])


# ---------------------------------------------------------------------------
# No exercise: caps, turns and domctl work with the handout's stubs.
# ---------------------------------------------------------------------------

@lab.test("credit: a hog capped at 25% gets 25% of the CPU, a free one "
          "the rest", 15,
          **spin("credit", ("capped", 256, 25, "hog"),
                 ("free", 256, 0, "hog")))
def credit_cap(t):
    r = t.boot()
    expect_shares(r, {"capped": 25.0, "free": 75.0})
    expect_all_done(r, 2)


@lab.test("credit: four hogs of equal weight, none starves: 25% each", 10,
          **spin("credit", *((f"hog{i}", 256, 0, "hog") for i in range(4))))
def credit_no_starvation(t):
    r = t.boot()
    expect_shares(r, {f"hog{i}": 25.0 for i in range(4)})
    expect_all_done(r, 4)


@lab.test("domctl: dom0 reads and sets d1's weight and cap under credit, "
          "and the refusals", 10, smp=1, timeout=120,
          append="sched=credit domu=1,name=target",
          modules=dom0("schedctl", "target=1") + [("guest:schedctl", "")])
def domctl_sched(t):
    r = t.boot()
    r.expect_line("(d1) schedctl: from an unprivileged domain: -1")
    r.expect_in_order([exact(line) for line in (
        "(d0) schedctl: d1: weight 256, cap 0 (0)",
        "(d0) schedctl: set weight 512, cap 50: now weight 512, cap 50",
        "(d0) schedctl: refused: weight 0 -22, cap 101 -22, d42 -3, "
        "version 99 -13, operation 77 -38, argument at NULL -14")])
    expect_all_done(r, 2)


# ---------------------------------------------------------------------------
# Exercise 1: split_by_weight().
# ---------------------------------------------------------------------------

@lab.test("credit: three hogs by weight 256/512/1024 get 14.3/28.6/57.1% "
          "of the CPU", 25, exercise=1,
          **spin("credit", ("a", 256, 0, "hog"), ("b", 512, 0, "hog"),
                 ("c", 1024, 0, "hog")))
def credit_weights(t):
    r = t.boot()
    expect_shares(r, {"a": 100 / 7, "b": 200 / 7, "c": 400 / 7})
    expect_all_done(r, 3)


# ---------------------------------------------------------------------------
# Exercise 2: credit_wake() (and exercise 1: a domain without credit is
# not boosted).
# ---------------------------------------------------------------------------

@lab.test(f"credit: BOOST: an io domain next to two hogs runs within "
          f"{MAX_LATENCY_US} us of every wake-up", 20, exercise=2,
          **spin("credit", ("io", 256, 0, "io"), ("hog1", 256, 0, "hog"),
                 ("hog2", 256, 0, "hog")))
def credit_boost(t):
    r = t.boot()
    woke = r.expect(WOKE)
    if int(woke.match["times"]) < 20:  # a 21 ms cycle in a 900 ms window
        r.fail("at least 20 wake-ups in the window", woke.match[0], woke.index)
    if int(woke.match["max"]) >= MAX_LATENCY_US:
        r.fail(f"a latency below {MAX_LATENCY_US} us", woke.match[0],
               woke.index)
    expect_all_done(r, 3)


# ---------------------------------------------------------------------------
# Exercise 3: replenish(). RTDS gives a lone hog its budget per period,
# 4 ms of 10, and not a nanosecond more: 40% of what it does alone under
# rr.
# ---------------------------------------------------------------------------

@lab.test(f"rtds: a lone hog gets {RTDS_SHARE:g}% of the CPU (4 ms every "
          "10 ms) against rr", 20, exercise=3,
          **spin("rtds", ("hog", None, None, "hog")))
def rtds_budget(t):
    r = t.boot()
    expect_all_done(r, 1)
    under_rtds = units_of(r, "hog")
    rr = t.boot(append="sched=rr")
    expect_all_done(rr, 1)
    share = 100.0 * under_rtds / units_of(rr, "hog")
    if abs(share - RTDS_SHARE) > SHARE_TOLERANCE:
        r.fail(f"{RTDS_SHARE:g}% of rr's units, within "
               f"{SHARE_TOLERANCE:g} points",
               f"{under_rtds} units, {share:.1f}% of rr's")
