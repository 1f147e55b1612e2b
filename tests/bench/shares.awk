# The fairness table of tests/bench/sched.sh: each domain's requested
# share of one CPU next to the share it got.
#
# Input: first one line per domain, "want NAME WEIGHT CAP" (CAP 0: none),
# then the guests' output, of which it reads the lines of spin.c:
# "(dN) spin: NAME did UNITS units in T ms (from F to U)". A domain's
# measured share is its units over all domains' units (they all count in
# the same window, on the same CPU).
#
# The requested share is what the credit scheduler promises on one CPU:
# the CPU split by weight, except that a domain whose part would pass its
# cap gets its cap, and the rest is split again among the others
# (split_by_weight() in hypervisor/common/sched/credit.c).
$1 == "want" {
    names[++n] = $2
    weight[$2] = $3
    cap[$2] = $4
    next
}
$2 == "spin:" && $4 == "did" {
    units[$3] = $5
    total += $5
}
END {
    # Settle the domains capped below their part until none is.
    left = 100
    do {
        more = 0
        wsum = 0
        for (i = 1; i <= n; i++)
            if (!(names[i] in want))
                wsum += weight[names[i]]
        for (i = 1; i <= n; i++) {
            d = names[i]
            if (!(d in want) && cap[d] && cap[d] <= left * weight[d] / wsum) {
                want[d] = cap[d]
                left -= cap[d]
                more = 1
            }
        }
    } while (more)
    for (i = 1; i <= n; i++)
        if (!(names[i] in want))
            want[names[i]] = left * weight[names[i]] / wsum
    printf "  %-8s %7s %5s %10s %9s\n", "domain", "weight", "cap", "requested",
        "measured"
    for (i = 1; i <= n; i++) {
        d = names[i]
        printf "  %-8s %7d %5s %9.1f%% ", d, weight[d],
            cap[d] ? cap[d] "%" : "-", want[d]
        if (d in units && total)
            printf "%8.1f%%\n", 100 * units[d] / total
        else
            printf "%9s\n", "no report"
    }
}
