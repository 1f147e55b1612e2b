#!/usr/bin/env bash
# Benchmarks of the scheduler (lab 7), part of `make bench`: how the credit
# scheduler shares one CPU among CPU-bound domains by weight and by cap,
# how soon it runs a domain that wakes from sleep (BOOST), and how it
# balances two CPUs.
#
# Every domain runs guest/tests/spin.c, which counts units of work between
# two points of system time; its share is its units over the sum
# (tests/bench/shares.awk prints the table). One CPU, under
# `-icount shift=0,sleep=off`: the guests' clocks count instructions, so
# the figures are the same run after run.
#
# Usage: tests/bench/sched.sh ELF GUEST_DIR
set -euo pipefail

elf=$1
spin=$2/spin.elf
here=$(dirname "$0")
qemu=${QEMU:-qemu-system-x86_64}

# The window every spin guest counts in, ms of system time: from past the
# boot (all domains run by then), whole accounting periods of the credit
# scheduler (30 ms): 3 s for the weights (the shares come within a few
# tenths of a point over that), 900 ms for the rest. A window that starts
# in the middle of a period would catch a capped domain that has used
# that period's budget already.
from=300
until_weights=3300
until_short=1200

# Boot the spin guests "$@" (each "NAME:WEIGHT:CAP[:MODE[:FROM:UNTIL]]";
# the first is dom0; CAP 0: none) under `sched=$sched` on ${smp:-1} CPUs,
# counting from $from until $until unless they say otherwise; print the
# guests' output.
run_spin() {
    local args="sched=$sched" modules=() i=0 dom name weight cap mode s u
    for dom in "$@"; do
        IFS=: read -r name weight cap mode s u <<<"$dom"
        if ((i == 0)); then
            args+=" dom0_weight=$weight dom0_cap=$cap"
        else
            args+=" domu=$i,name=$name,weight=$weight,cap=$cap"
        fi
        modules+=("$spin name=$name mode=${mode:-hog} from=${s:-$from} until=${u:-$until}")
        i=$((i + 1))
    done
    timeout 120 "$qemu" -cpu max -m 512M -nographic -no-reboot -kernel "$elf" \
        -smp "${smp:-1}" -icount shift=0,sleep=off \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -append "$args" \
        -initrd "$(
            IFS=,
            echo "${modules[*]}"
        )" 2>&1 || true
}

# Print the fairness table of the spin guests "$@" (as run_spin()'s).
fairness() {
    local dom name weight cap
    {
        for dom in "$@"; do
            IFS=: read -r name weight cap _ <<<"$dom"
            echo "want $name $weight $cap"
        done
        run_spin "$@"
    } | awk -f "$here/shares.awk"
}

# The wake-up latency line of an io guest next to two CPU hogs.
latency() {
    run_spin io:256:0:io hog1:256:0 hog2:256:0 |
        sed -n 's/^(d0) spin: io woke \(.*\)$/woke \1/p' |
        grep . || echo "the io guest did not report"
}

# The units of work the spin guests "$@" did in all, under $sched.
units() {
    run_spin "$@" | sed -n 's/^(d[0-9]*) spin: .* did \([0-9]*\) units.*/\1/p' |
        awk '{ n += $1 } END { print n + 0 }'
}

# What a switch from one domain to another costs: two domains that yield
# after every unit of work, against one that only works. Under icount a
# ms is a million instructions, so instructions per unit are
# 1e6 * ms / units, and the switch is the difference.
switch_cost() {
    local ms=$((until - from)) alone yielding
    sched=rr
    alone=$(units alone:256:0)
    yielding=$(units a:256:0:yield b:256:0:yield)
    if ((alone == 0 || yielding == 0)); then
        echo "  the spin guests did not report"
        return
    fi
    echo "  $((1000000 * ms / yielding - 1000000 * ms / alone)) instructions" \
        "per yield that switches to the other domain (a unit of work:" \
        "$((1000000 * ms / alone)))"
}

# Load balancing on 2 CPUs: two long hogs start on CPU 0 and two short
# ones on CPU 1 (vCPUs are placed in turn); once the short ones are done
# (600 ms), how much of 650-1200 ms does each long one run?
balance() {
    smp=2 run_spin long0:256:0:hog:650:1200 short1:256:0:hog:0:600 \
        long2:256:0:hog:650:1200 short3:256:0:hog:0:600 |
        sed -n 's/^(d[0-9]*) spin: \(long[0-9]\) v0 \(ran .*\)$/\1 \2/p' |
        paste -sd ';' | grep . || echo "the long hogs did not report"
}

[ -f "$spin" ] || exit 0

sched=credit
until=$until_weights
echo "credit shares, 1 CPU (icount), three CPU hogs by weight," \
    "$((until - from)) ms:"
fairness a:256:0 b:512:0 c:1024:0

until=$until_short
echo "credit shares, 1 CPU (icount), two CPU hogs, one capped," \
    "$((until - from)) ms:"
fairness capped:256:25 free:256:0

echo "wake-up latency, 1 CPU (icount), $((until - from)) ms, of an io guest" \
    "(20 ms asleep, 1 ms busy) next to two CPU hogs:"
for sched in credit rr; do
    echo "  sched=$sched: $(latency)"
done

echo "context switch, 1 CPU (icount), sched=rr, $((until - from)) ms:"
switch_cost

echo "load balancing, 2 CPUs (icount): two hogs left on CPU 0 when CPU 1's" \
    "two finish:"
for sched in credit rr; do
    echo "  sched=$sched: $(balance)"
done
