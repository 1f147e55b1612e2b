#!/usr/bin/env bash
# Benchmarks (`make bench`): boot time, from lab 4 the PV round trips, and
# from lab 7 the scheduler's shares and wake-up latency.
#
# Wall time: QEMU start to the banner and to "Boot complete", five boots,
# medians (noisy: the host's load shows). Instructions: one boot under
# `-icount shift=0,sleep=off`, where the TSC counts guest instructions
# exactly, so the figures repeat run after run (see QEMU.md).
#
# Usage: tests/bench/boot.sh ELF [GUEST_DIR [RUNS]]
set -euo pipefail

elf=$1
guests=${2:-}
runs=${3:-5}
qemu=${QEMU:-qemu-system-x86_64}
qemu_args=(-cpu max -m 512M -nographic -no-reboot -kernel "$elf")

now_ms() { date +%s%3N; }

# Boot with extra QEMU arguments "$@"; print "banner_ms complete_ms" and the
# "Boot took" line. The hypervisor halts forever after "Boot complete", so
# we read its output as it comes and stop QEMU there.
boot() {
    local start banner=- line took=
    start=$(now_ms)
    coproc QEMU_PROC { exec "$qemu" "${qemu_args[@]}" -smp 2 "$@" 2>&1; }
    while IFS= read -r line <&"${QEMU_PROC[0]}"; do
        case $line in
        *"(HV) Hospes "*) banner=$(($(now_ms) - start)) ;;
        *"Boot took"*) took=$line ;;
        *"(HV) Boot complete"*)
            echo "$banner $(($(now_ms) - start)) $took"
            break
            ;;
        esac
    done
    kill "$QEMU_PROC_PID" 2>/dev/null || true
    wait "$QEMU_PROC_PID" 2>/dev/null || true
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

banners=() completes=()
for ((i = 0; i < runs; i++)); do
    read -r b c _ < <(boot -append "")
    banners+=("$b")
    completes+=("$c")
done
echo "boot to banner:   median $(printf '%s\n' "${banners[@]}" | median) ms" \
    "over $runs boots (${banners[*]})"
echo "boot to complete: median $(printf '%s\n' "${completes[@]}" | median) ms" \
    "over $runs boots (${completes[*]})"

took=$(boot -icount shift=0,sleep=off -append "loglvl=all")
hv=$(sed -n 's/.*Boot took \([0-9]*\) TSC ticks in start_hospes.*/\1/p' <<<"$took")
total=$(sed -n 's/.*, \([0-9]*\) since reset.*/\1/p' <<<"$took")
echo "instructions (icount): ${hv:-?} in start_hospes()," \
    "${total:-?} since reset (firmware included)"

# The heap self-test under icount: the cost of allocating and freeing all
# free memory (about 506 MiB with -m 512M) in mixed orders.
alloc=$(timeout 120 "$qemu" "${qemu_args[@]}" -smp 2 -icount shift=0,sleep=off \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -append "selftest=alloc" 2>&1 | sed -n 's/.*(HV) alloc check: //p' || true)
echo "heap (icount): ${alloc:-the alloc self-test did not report}"

# Labs 4 and 5: the round trips of a PV guest (guest/tests/bench.c) as dom0,
# under icount, where one TSC tick is one guest instruction: a null
# hypercall (xen_version) and an exception bounced to the guest's handler
# and back through the iret hypercall; update_va_mapping, and mmu_update
# of one entry and of a batch of 512. Averages over n=1000 of each.
# The bench guest as dom0, and again as a domU that echoes its events
# (guest/tests/bench.c); one CPU, so that a round trip between the two
# is two switches, and nothing else runs meanwhile.
if [ -n "$guests" ] && [ -f "$guests/bench.elf" ]; then
    pv=$(timeout 120 "$qemu" "${qemu_args[@]}" -smp 1 -icount shift=0,sleep=off \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -append "domu=1" \
        -initrd "$guests/bench.elf n=1000 peer=1,$guests/bench.elf n=1000 echo=1" \
        2>&1 |
        sed -n 's/^(d0) bench: \(.*\) ticks per \(.*\)$/\1 instructions per \2/p' ||
        true)
    echo "PV round trips (icount):"
    sed 's/^/  /' <<<"${pv:-the bench guest did not report}"
fi

# Lab 7: how the credit scheduler shares one CPU by weight and by cap, and
# how soon it runs a domain that wakes (tests/bench/sched.sh).
if [ -n "$guests" ]; then
    bash "$(dirname "$0")/sched.sh" "$elf" "$guests"
fi
