# Sourced by the benchmark scripts: CPU-time helpers.
# cpu_ticks PID   -> user+system CPU time of a process so far, in clock ticks (CLK_TCK per second)
# to_seconds T    -> seconds, from bash's `times` format XmY.ZZZs
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
to_seconds() { awk -v t="$1" 'BEGIN { split(t, p, "m"); sub("s", "", p[2]); print p[1] * 60 + p[2] }'; }
