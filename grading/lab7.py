"""
lab7.py: the tests of lab 7, "Scheduling" (labs/07-scheduling/README.md).

The share tests boot Hospes on one CPU and run CPU-bound guests
(guest/tests/spin.c) as their domains, under `sched=credit` or
`sched=rtds`, and read the work each one did: a spin guest counts units of
work between two points of system time (from= and until=, ms) and prints
"spin: NAME did N units in T ms (from F to U)", then for each of its
vCPUs "spin: NAME vK ran R ms of T ms" (its running time in the window,
from its runstate). On one CPU a domain's share of the CPU is its units
over the sum of all domains' units; on two, where the CPUs share QEMU's
instructions, the tests read running times instead. QEMU runs with
`-icount shift=0,sleep=off` (one TSC tick per guest instruction,
../shared/design/QEMU.md), so the guests' clocks count instructions and
the counts are the same run after run: nothing here depends on the
host's speed. tests/bench/sched.sh runs the share scenarios as a table.

The guests and what they prove:
  spin      mode=hog: three hogs by weight 256/512/1024 (exercise 1:
            split_by_weight()); a hog capped at 25% next to a free one
            and four hogs of equal weight (no exercise: they pass with
            the handout); mode=io next to two hogs, the latency of its
            wake-ups (exercise 2: credit_wake()); a lone hog under RTDS
            against the same hog under rr (exercise 3: replenish());
            vcpus=4 on two CPUs (no exercise); two hogs left on one CPU
            of two (exercise 4: steal_work()).
  schedctl  dom0 reads and sets domain 1's weight and cap with domctl,
            and gets the refusals (no exercise).
  smp       a domain starts, stops and restarts its vCPUs, and sends
            IPIs between them (no exercise).
  cpupool   dom0 makes a pool, moves a CPU and a domain to it, and gets
            the refusals (no exercise).
"""

from dataclasses import dataclass

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
# The io guest's worst wake-up latency under BOOST, us: it measures 4 us.
# Without BOOST it waits for the next tick (10 ms) or a slice (30 ms).
MAX_LATENCY_US = 1000
# RTDS's default budget and period (rtds.c): a lone vCPU gets 4 ms of
# every 10.
RTDS_SHARE = 40.0

# How much of a window a vCPU alone on its CPU runs, in percent: it
# measures 98-100 (runstate, read by the guest at both ends), and must run
# at least this less RUN_TOLERANCE.
BUSY = 100.0
# How far a vCPU's running time may be from what it should get, in points
# of the window, when CPUs are shared (two vCPUs on a CPU get 50 each).
RUN_TOLERANCE = 5.0

# "(dN) spin: NAME did N units in T ms (from F to U)"
DID = (r"^\(d(?P<dom>[0-9]+)\) spin: (?P<name>\S+) did (?P<units>[0-9]+) "
       r"units in [0-9]+ ms \(from [0-9]+ to [0-9]+\)$")
# "(dN) spin: NAME vK ran R ms of T ms"
RAN = (r"^\(d(?P<dom>[0-9]+)\) spin: (?P<name>\S+) v(?P<vcpu>[0-9]+) ran "
       r"(?P<ran>[0-9]+) ms of (?P<window>[0-9]+) ms$")
# "(dN) spin: NAME woke K times: latency max X us, avg Y us"
WOKE = (r"^\(d0\) spin: io woke (?P<times>[0-9]+) times: latency max "
        r"(?P<max>[0-9]+) us, avg (?P<avg>[0-9]+) us$")


@dataclass
class Dom:
    """A spin domain of a scenario: its name, spin's mode, its weight and
    cap (None: the policy's default), its vCPUs (all of them spin) and the
    window it counts in, (from, until) in ms."""
    name: str
    mode: str = "hog"
    weight: int | None = None
    cap: int | None = None
    vcpus: int = 1
    window: tuple[int, int] = (FROM_MS, UNTIL_MS)

    def options(self):
        """Its domain's boot options, as `domu=` fields."""
        options = {"weight": self.weight, "cap": self.cap,
                   "vcpus": self.vcpus if self.vcpus > 1 else None}
        return [f"{key}={value}" for key, value in options.items()
                if value is not None]

    def module(self):
        """Its module: the spin guest and its command line."""
        vcpus = f" vcpus={self.vcpus}" if self.vcpus > 1 else ""
        return ("guest:spin", f"name={self.name} mode={self.mode} "
                f"from={self.window[0]} until={self.window[1]}{vcpus}")


def spin(sched, *doms, smp=1):
    """The scenario of spin guests @p doms (each a Dom; the first is dom0)
    under `sched=@p sched` on @p smp CPUs. Their options are set at boot
    (domu=...,weight=,cap=,vcpus=; dom0_weight=, dom0_cap=,
    dom0_max_vcpus=)."""
    append = [f"sched={sched}"]
    append += [f"dom0_{option}".replace("dom0_vcpus", "dom0_max_vcpus")
               for option in doms[0].options()]
    append += [",".join([f"domu={domid}", f"name={dom.name}", *dom.options()])
               for domid, dom in enumerate(doms[1:], 1)]
    return dict(smp=smp, extra=ICOUNT, timeout=180, append=" ".join(append),
                modules=[dom.module() for dom in doms])


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


def running(r):
    """{(name, vCPU): % of its window it ran} from the spin lines."""
    return {(found.match["name"], int(found.match["vcpu"])):
            100.0 * int(found.match["ran"]) / int(found.match["window"])
            for found in r.find_all(RAN)}


def expect_running(r, wanted, at_least=False):
    """Every (name, vCPU) of @p wanted ran its share of its window (%):
    within RUN_TOLERANCE points of it, or with @p at_least, that much or
    more."""
    got = running(r)
    wrong = []
    for key, share in wanted.items():
        ran = got.get(key)
        if ran is None:
            wrong.append(f"{key[0]} v{key[1]}: no report")
        elif ran < share - RUN_TOLERANCE or (
                not at_least and ran > share + RUN_TOLERANCE):
            wrong.append(f"{key[0]} v{key[1]} ran {ran:.0f}% "
                         f"(wanted {'at least ' if at_least else ''}"
                         f"{share:g}%)")
    if wrong:
        r.fail("every vCPU's running time as wanted", "; ".join(wrong))


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
          "the rest", 10,
          **spin("credit", Dom("capped", weight=256, cap=25),
                 Dom("free", weight=256, cap=0)))
def credit_cap(t):
    r = t.boot()
    expect_shares(r, {"capped": 25.0, "free": 75.0})
    expect_all_done(r, 2)


@lab.test("credit: four hogs of equal weight, none starves: 25% each", 5,
          **spin("credit", *(Dom(f"hog{i}", weight=256, cap=0)
                            for i in range(4))))
def credit_no_starvation(t):
    r = t.boot()
    expect_shares(r, {f"hog{i}": 25.0 for i in range(4)})
    expect_all_done(r, 4)


@lab.test("domctl: dom0 reads and sets d1's weight and cap under credit, "
          "and the refusals", 5, smp=1, timeout=120,
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
          "of the CPU", 20, exercise=1,
          **spin("credit", Dom("a", weight=256, cap=0),
                 Dom("b", weight=512, cap=0), Dom("c", weight=1024, cap=0)))
def credit_weights(t):
    r = t.boot()
    expect_shares(r, {"a": 100 / 7, "b": 200 / 7, "c": 400 / 7})
    expect_all_done(r, 3)


# ---------------------------------------------------------------------------
# Exercise 2: credit_wake() (and exercise 1: a domain without credit is
# not boosted).
# ---------------------------------------------------------------------------

@lab.test(f"credit: BOOST: an io domain next to two hogs runs within "
          f"{MAX_LATENCY_US} us of every wake-up", 15, exercise=2,
          **spin("credit", Dom("io", "io", weight=256, cap=0),
                 Dom("hog1", weight=256, cap=0),
                 Dom("hog2", weight=256, cap=0)))
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
          "10 ms) against rr", 10, exercise=3,
          **spin("rtds", Dom("hog")))
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


# ---------------------------------------------------------------------------
# Several vCPUs and several CPUs. The vCPUs of boot-time domains are placed
# on the CPUs in turn: d0v0 on CPU 0, the next on CPU 1, and so on.
# ---------------------------------------------------------------------------

@lab.test("a domain with 4 vCPUs on 2 CPUs: every vCPU runs half the time, "
          "both CPUs stay busy", 10,
          **spin("credit", Dom("quad", vcpus=4), smp=2))
def credit_four_vcpus(t):
    r = t.boot()
    expect_running(r, {("quad", vcpu): BUSY / 2 for vcpu in range(4)})
    expect_all_done(r, 1)


# Two short hogs stop at SHORT_MS; the two long ones count from LONG_MS on.
SHORT_MS, LONG_MS = 600, 650


@lab.test("credit on 2 CPUs: when two hogs finish, the two left get a CPU "
          "each (load balancing)", 10, exercise=4,
          **spin("credit", Dom("long0", window=(LONG_MS, UNTIL_MS)),
                 Dom("short1", window=(0, SHORT_MS)),
                 Dom("long2", window=(LONG_MS, UNTIL_MS)),
                 Dom("short3", window=(0, SHORT_MS)), smp=2))
def credit_balance(t):
    # long0 and long2 start on CPU 0, the short ones on CPU 1: once those
    # are done, CPU 1 idles unless it takes one of CPU 0's.
    r = t.boot()
    expect_running(r, {("long0", 0): BUSY, ("long2", 0): BUSY},
                   at_least=True)
    expect_all_done(r, 4)


@lab.test("a domain with 4 vCPUs: VCPUOP_initialise/up/down/is_up and their "
          "refusals, IPIs between vCPUs", 10, smp=2, timeout=120,
          append="sched=credit domu=1,name=smp,vcpus=4 domu=1,vcpus=0 "
                 "domu=1,vcpus=33 dom0_max_vcpus=0 domu=1,period=x",
          modules=dom0("hello") + [("guest:smp", "")])
def vcpu_ops(t):
    r = t.boot()
    for value in ("1,vcpus=0", "1,vcpus=33", "1,period=x"):
        r.expect_line(f"(HV) cmdline: malformed value for option 'domu': "
                      f"'{value}'; keeping its default")
    r.expect_line("(HV) cmdline: malformed value for option "
                  "'dom0_max_vcpus': '0'; keeping its default")
    r.expect_in_order([exact(line) for line in (
        "(d1) smp: 4 vCPUs; is_up: v0 1, v1 0, v4 -2",
        "(d1) smp: up of v1 before initialise: -22",
        "(d1) smp: initialise of v1, L4 a data frame: -22",
        "(d1) smp: initialise of v1, ldt_ents 1: -22",
        "(d1) smp: initialise of v1, context at NULL: -14",
        "(d1) smp: initialise of v1 again: -17",
        "(d1) smp: 1000 IPI round trips between v0 and v1",
        "(d1) smp: IPIs handled on the wrong vCPU: 0 of v0's, 0 of v1's",
        "(d1) smp: v2 downed itself: is_up 0; up 0; its down returned 0 "
        "and it went on: yes",
        "(d1) smp: every other vCPU done and down; down of v0, the last one "
        "up: -22")])
    expect_all_done(r, 2)


# ---------------------------------------------------------------------------
# CPU pools. dom0 (guest/tests/cpupool.c) makes pool 1 with rr, gives it CPU
# 1 and moves d1 there, before the window opens (and before dom0's last
# lines, which take CPU 0's time too: the serial port is slow); d1 then has
# CPU 1 to itself, while d2 and d3 share CPU 0 under credit. (An RTDS pool would
# show its 40% on one CPU only: under -icount with 2 CPUs, a CPU's timer
# can fire up to 10 ms late while the other runs a hog, docs/scheduling.md.)
# ---------------------------------------------------------------------------

POOL_FROM_MS = 400


@lab.test("CPU pools: a domain moved to a pool of its own keeps running, on "
          "its own CPU; the refusals", 5, smp=2, extra=ICOUNT, timeout=180,
          append="sched=credit domu=1,name=alone domu=2,name=h2 "
                 "domu=3,name=h3",
          modules=dom0("cpupool", f"move=1 sched=rr until={UNTIL_MS + 100}")
          + [Dom(name, window=(POOL_FROM_MS, UNTIL_MS)).module()
             for name in ("alone", "h2", "h3")])
def cpupools(t):
    r = t.boot()
    r.expect_in_order([exact(line) for line in (
        "(HV) Pool 1 created, with the rr policy",
        "(HV) CPU 1 removed from pool 0",
        "(HV) CPU 1 added to pool 1",
        "(HV) Domain 1 moved from pool 0 to pool 1")])
    moved = r.expect(r"^\(d0\) cpupool: move d1 to pool 1: 0, done at "
                     r"(?P<ms>[0-9]+) ms$")
    if int(moved.match["ms"]) >= POOL_FROM_MS:
        r.fail(f"the move done before {POOL_FROM_MS} ms", moved.match[0],
               moved.index)
    r.expect_in_order([exact(line) for line in (
        "(d0) cpupool: pool 0: sched credit, cpus 0x1, domains 3",
        "(d0) cpupool: pool 1: sched rr, cpus 0x2, domains 1")],
        moved.index)
    r.expect(r"^\(d0\) cpupool: refused affinity: no cpu -22, cpu 15 only "
             r"\(offline\) -22, vcpu 7 -2, d42 -3$")
    r.expect_line("(d0) cpupool: refused create: policy 77 -22, as pool 0 -17")
    r.expect_line("(d0) cpupool: a second credit pool: create 0 (pool 1, "
                  "sched credit), destroy 0")
    expect_running(r, {("alone", 0): BUSY, ("h2", 0): BUSY / 2,
                       ("h3", 0): BUSY / 2})
    expect_all_done(r, 4)
