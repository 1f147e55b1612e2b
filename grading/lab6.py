"""
lab6.py: the tests of lab 6, "Event channels and time"
(labs/06-events-and-time/README.md).

As in labs 4 and 5 (grading/lab4.py, grading/lab5.py), every test boots
Hospes with guest programs (guest/tests/*.c) as its domains; each guest
prints what it did and ends with "Test result: SUCCESS" when its own
checks held, and the grader matches those lines and the hypervisor's.
QEMU exits when the last domain is gone.

The guests and what they prove:
  evtchn    one domain's own ports, in three parts (part=): every kind
            of port and its status, close, reuse, reset and the errors
            that deliver nothing (no exercise); an IPI to itself and a
            loopback interdomain pair, and send's errors (exercise 3:
            evtchn_send()); a masked port sent 1000 times, then
            unmasked: one upcall (exercise 2: evtchn_2l_unmask()).
  timer     time, in three parts: the clock, wall clock, runstate, poll
            timeouts and the argument errors (no exercise); SCHEDOP_poll
            woken by the timer's pending bit (exercise 1:
            evtchn_2l_set_pending()); one-shot and periodic timers whose
            VIRQ_TIMER upcalls come never early, then register_vcpu_info
            and a timer that still ticks through the moved vcpu_info
            (exercise 4: pv_check_events(); exercises 1 and 4 must take
            the vCPU's vcpu_info, not shared_info's).
  pingpong  two domains on one CPU: 1000 round trips over an interdomain
            channel (exercise 4), then the client closes its end during
            a burst of the server's (exercise 3: sends to an unbound port
            are dropped, sends on a closed one refused).
  evflood   two domains on one CPU: a million sends to a masked port; the
            receiver keeps its turns and gets one event when it unmasks
            (exercise 1: one pending bit, nothing queued).

Nothing the grader matches depends on timing: how late a timer fires is
only checked against a bound, in the guest.
"""

from grading.gradelib import EXIT_SUCCESS, Lab, exact
from grading.lab4 import ALL_GONE, DOM0_FRAMES, SUCCESS, dom0
from grading.lab5 import (DESTROYED, DOMU_FRAMES, EFAULT, EINVAL, ESRCH,
                          FAILED_CHECK, expect_dom0_done)

lab = Lab(6)

# Xen's errnos, as the guests print them (lab 5 has the others).
ENOENT, EEXIST, ENOSYS, ETIME = -2, -17, -38, -62

# evtchn.elf part=ports: its errors, in its order, and Xen's answer to
# each (guest/tests/evtchn.c says where in Xen each comes from).
PORT_ERRORS = [
    ("close port 0 (reserved)", EINVAL),
    ("close port 6 (free)", EINVAL),
    ("close port 5000", EINVAL),
    ("status of port 5000", EINVAL),
    ("bind_virq 99", EINVAL),
    ("bind_virq VIRQ_TIMER again", EEXIST),
    ("bind_interdomain to d42", ESRCH),
    ("bind_interdomain to our port 5 (unbound for d7)", EINVAL),
    ("bind_interdomain to our port 4 (an IPI)", EINVAL),
    ("bind_vcpu of port 4 to vCPU 5", ENOENT),
    ("bind_ipi to vCPU 3", ENOENT),
    ("alloc_unbound in d7", ESRCH),
    ("reset of d7", ESRCH),
    ("init_control (FIFO ABI)", ENOSYS),
    ("command 99", ENOSYS),
    ("status with its argument at NULL", EFAULT),
    ("alloc_unbound with its argument in the hypervisor", EFAULT),
]

# evtchn.elf part=send: send's errors.
SEND_ERRORS = [
    ("send on port 0 (reserved)", EINVAL),
    ("send on port 5000", EINVAL),
    ("send on port 4 (closed)", EINVAL),
    ("send on port 2 (VIRQ_TIMER)", EINVAL),
]

# timer.elf part=clock: the argument errors of vcpu_op and sched_op.
CLOCK_ERRORS = [
    ("periodic timer of 1 ms - 1 ns", EINVAL),
    ("singleshot timer in the past, VCPU_SSHOTTMR_future", ETIME),
    ("runstate of vCPU 1", ENOENT),
    ("runstate area in the hypervisor", EFAULT),
    ("vcpu_info at offset 4064", EINVAL),
    ("poll of 129 ports", EINVAL),
    ("poll with its ports at NULL", EFAULT),
]

# The first port a domain allocates: 0 is reserved. The pingpong server
# prints it, and the client is told it on its command line.
FIRST_PORT = 1


def said(domid, program, lines):
    """The exact lines @p lines of guest @p program in domain @p domid:
    "(dN) program: line"."""
    return [exact(f"(d{domid}) {program}: {line}") for line in lines]


def errors(table):
    """The lines of an error table: "<what>: <answer>"."""
    return [f"{what}: {answer}" for what, answer in table]


def expect_both_done(r, domu):
    """dom0 and domain 1 (named @p domu) succeeded, gave back all their
    frames, and the machine stopped with success."""
    r.expect_absent(FAILED_CHECK)
    for domid, name, frames in ((0, "Domain-0", DOM0_FRAMES),
                                (1, domu, DOMU_FRAMES)):
        done = r.expect_line(SUCCESS.format(domid))
        r.expect_line(DESTROYED.format(domid, name, frames), done.index)
    r.expect_line(ALL_GONE)
    r.expect_status(EXIT_SUCCESS)


# ---------------------------------------------------------------------------
# Part 1: no exercise. Ports and their states, and time, which deliver
# nothing: the handout passes these.
# ---------------------------------------------------------------------------

@lab.test("ports: every state and its status, close, reuse, reset, and "
          f"{len(PORT_ERRORS)} errors", 10,
          modules=dom0("evtchn", "part=ports"))
def evtchn_ports(t):
    r = t.boot()
    r.expect_in_order(said(0, "evtchn", [
        "alloc_unbound for DOMID_SELF: port 1",
        "status of port 1: unbound for d0",
        "bind_interdomain to DOMID_SELF port 1: port 2",
        "status of port 1: interdomain to d0 port 2",
        "status of port 2: interdomain to d0 port 1",
        "bind_virq VIRQ_TIMER: port 3",
        "status of port 3: virq 0 on vCPU 0",
        "bind_ipi: port 4",
        "status of port 4: ipi on vCPU 0",
        "status of port 0: closed",
        "status of port 5: closed",
        # Closing one end leaves the other unbound, for the same domain.
        "close port 2: 0",
        "status of port 1: unbound for d0",
        "status of port 2: closed",
        "alloc_unbound again (the lowest free): port 2",
        "alloc_unbound for d7: port 5",
        "status of port 5: unbound for d7",
        *errors(PORT_ERRORS),
        "reset: 0 ports left open",
        "alloc_unbound after the reset: port 1",
        "reset: 0 ports left open"]))
    expect_dom0_done(r)


@lab.test("time: guest_now() monotonic, wall clock, runstate, poll "
          "timeouts, argument errors", 10,
          modules=dom0("timer", "part=clock"))
def timer_clock(t):
    r = t.boot()
    r.expect_in_order(
        said(0, "timer", [
            "guest_now() over 100000 reads, 100 yields and 10 blocks: went "
            "back 0 times"])
        + [r"^\(d0\) timer: wall clock: year 20[2-9][0-9]$"]
        + said(0, "timer", [
            "runstate: running; running time grew by the 2 ms spun: yes",
            "runstate after a block: blocked time grew: yes",
            "runstate area: after a block, running since a later time: "
            "yes; blocked time grew: yes",
            "runstate area unregistered: left alone: yes",
            "poll on a quiet port, 5 ms timeout: returned after the "
            "timeout; pending 0",
            *errors(CLOCK_ERRORS)]))
    expect_dom0_done(r)


# ---------------------------------------------------------------------------
# Part 2: marking a port pending (exercise 1). A poll wakes on the bit; a
# flood of sends is still one bit.
# ---------------------------------------------------------------------------

@lab.test("SCHEDOP_poll wakes when the timer marks a masked port pending, "
          "and returns at once if it is", 10, exercise=1,
          modules=dom0("timer", "part=poll"))
def timer_poll(t):
    r = t.boot()
    r.expect_in_order(said(0, "timer", [
        "poll on the masked timer port, a timer 2 ms ahead: woke after the "
        "timer, before its timeout; pending 1",
        "poll on it, pending already: returned long before its timeout"]))
    expect_dom0_done(r)


@lab.test("a million sends to a masked port: one event, and the receiver "
          "keeps its turns", 10, exercise=1, smp=1,
          append="domu=1,name=flooder",
          modules=dom0("evflood", "role=peer peer=1")
          + [("guest:evflood", f"role=flooder peer=0 port={FIRST_PORT} "
              f"done={FIRST_PORT + 1}")])
def evflood(t):
    r = t.boot()
    # The two domains' lines interleave as the scheduler runs them; each
    # domain's come in order. The peer counts its turns only until the
    # done event, and checks that it had at least 20 (MIN_TURNS in
    # evflood.c).
    r.expect_line(f"(d1) evflood: flooder: bound d0's ports {FIRST_PORT} and "
                  f"{FIRST_PORT + 1}")
    r.expect_line("(d1) evflood: flooder: 1000000 sends on port "
                  f"{FIRST_PORT}: 1000000 returned 0")
    r.expect_in_order(said(0, "evflood", [
        f"peer: port {FIRST_PORT} (masked) for the flood, port "
        f"{FIRST_PORT + 1} for its end, both for d1",
        *(f"peer: {n} turns while flooded" for n in (5, 10, 15, 20)),
        "peer: the flood is over, after at least 20 turns of ours",
        f"peer: port {FIRST_PORT} pending 1, masked 1, 0 upcalls",
        "peer: unmasked: 1 upcall(s), pending 0; none more in 10 ms"]))
    expect_both_done(r, "flooder")


# ---------------------------------------------------------------------------
# Part 3: unmask (exercise 2): what came while masked comes once.
# ---------------------------------------------------------------------------

@lab.test("a masked port sent 1000 times: no upcall, one pending bit; "
          "unmask delivers it once", 15, exercise=2,
          modules=dom0("evtchn", "part=mask"))
def evtchn_mask(t):
    r = t.boot()
    r.expect_in_order(said(0, "evtchn", [
        "bind_ipi: port 1",
        "port 1 masked, 1000 sends: 1000 returned 0, 0 upcalls, pending 1",
        "unmask port 1: 0; 1 upcall(s), pending 0",
        "send on port 1: 0; upcalls on port 1: 1, elsewhere: 0",
        "reset: 0 ports left open"]))
    expect_dom0_done(r)


# ---------------------------------------------------------------------------
# Part 4: send (exercise 3).
# ---------------------------------------------------------------------------

@lab.test("events to itself: an IPI, a loopback pair both ways, the bind's "
          f"own event, {len(SEND_ERRORS)} send errors", 10, exercise=3,
          modules=dom0("evtchn", "part=send"))
def evtchn_send(t):
    r = t.boot()
    r.expect_in_order(said(0, "evtchn", [
        "bind_ipi: port 1",
        "send on port 1: 0; upcalls on port 1: 1, elsewhere: 0",
        "an IPI sent while events were disabled: 1 upcall when enabled",
        "bind_virq VIRQ_TIMER: port 2",
        "alloc_unbound for DOMID_SELF: port 3",
        "bind_interdomain to DOMID_SELF port 3: port 4",
        "upcalls on port 4 from the bind itself: 1",
        "send on port 3: 0; upcalls on port 4: 1, elsewhere: 0",
        "send on port 4: 0; upcalls on port 3: 1, elsewhere: 0",
        "status of port 3: unbound for d0",
        "send on port 3 (unbound): 0; upcalls: 0",
        *errors(SEND_ERRORS),
        "reset: 0 ports left open"]))
    expect_dom0_done(r)


# Two domains on one CPU: dom0 the server, domain 1 the client.
PINGPONG = dict(
    smp=1, append="domu=1,name=client",
    modules=dom0("pingpong", "role=server peer=1")
    + [("guest:pingpong", f"role=client peer=0 port={FIRST_PORT}")])


@lab.test("closing a port mid-stream: the sender's sends are dropped, the "
          "closed port refuses", 5, exercise=3, **PINGPONG)
def pingpong_close(t):
    r = t.boot()
    r.expect_line(f"(d1) pingpong: client: closed port {FIRST_PORT} after 10 "
                  f"events of the burst; send on it: {EINVAL}; status closed")
    r.expect_in_order(said(0, "pingpong", [
        "server: burst of 100 sends: 100 returned 0, some after the client "
        "closed its end: yes",
        f"server: port {FIRST_PORT} is unbound for d1 again"]))
    expect_both_done(r, "client")


# ---------------------------------------------------------------------------
# Part 5: the upcall (exercise 4).
# ---------------------------------------------------------------------------

@lab.test("timers raise VIRQ_TIMER never early: 10 one-shots, singleshot, "
          "periodic; stopped ones stay quiet; vcpu_info moved, still ticks",
          15, exercise=4,
          modules=dom0("timer", "part=timers"))
def timers(t):
    r = t.boot()
    r.expect_in_order(said(0, "timer", [
        "set_timer_op 1 to 10 ms ahead: 10 of 10 fired, none early; then 0 "
        "ticks in 20 ms",
        "VCPUOP_set_singleshot_timer 2 ms ahead: 0; fired, not early",
        "set_timer_op in the past: fired",
        "a singleshot timer stopped before its time: 0 ticks until 20 ms "
        "past it",
        "set_timer_op(0) cancels: 0 ticks until 20 ms past it",
        "periodic, every 2 ms: 10 of 10 ticks, none early; stopped: 0 "
        "ticks in 20 ms",
        # The guest runtime follows vcpu_info to the page of the image it
        # moves to; the hypervisor's delivery must follow too.
        "register_vcpu_info in a page of ours, at offset 128: 0",
        "the new vcpu_info: mask 1, upcall_pending 1, pending_sel all ones",
        "guest_now() across the move: went on: yes",
        "after a block: the new vcpu_info's time updated: yes; the old "
        "one's: no",
        f"register_vcpu_info again: {EINVAL}",
        "after the move: a timer 2 ms ahead fired, not early"]))
    expect_dom0_done(r)


@lab.test("ping-pong: 1000 round trips between two domains", 15,
          exercise=4, **PINGPONG)
def pingpong_round_trips(t):
    r = t.boot()
    r.expect_in_order(
        said(0, "pingpong", [f"server: port {FIRST_PORT} for d1"])
        + said(1, "pingpong", [
            f"client: bound to d0 port {FIRST_PORT}: port {FIRST_PORT}",
            "client: the bind's own event arrived"]))
    r.expect_line("(d0) pingpong: 1000 round trips")
    r.expect_line("(d1) pingpong: 1000 round trips")
    expect_both_done(r, "client")
