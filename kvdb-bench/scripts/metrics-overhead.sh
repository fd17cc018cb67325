#!/usr/bin/env bash
# The cost of the Prometheus endpoint: kvdb-server with monitoring.metrics_port off and on, in the
# same run, alternating; while it is on, a scraper fetches /metrics every SCRAPE seconds (default
# 1 s, harsher than Prometheus' usual 15 s). redis-benchmark SET/GET at -P 1 and -P 16, in memory,
# -c 50; prints the median req/s and the server's CPU time per request of each arm and the ratio.
# (INFO's per-command statistics are always on, as in Redis; see jar-ab.sh for their cost.)
#
#   mvn -B -q package -DskipTests
#   kvdb-bench/scripts/metrics-overhead.sh          # ROUNDS=3, REQUESTS=400000, PIPELINED_REQUESTS=1500000
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-400000}
PIPELINED_REQUESTS=${PIPELINED_REQUESTS:-1500000}
SCRAPE=${SCRAPE:-1}
METRICS_PORT=${METRICS_PORT:-7393}
# shellcheck source=cpu-time.sh
. kvdb-bench/scripts/cpu-time.sh
# shellcheck source=servers.sh
. kvdb-bench/scripts/servers.sh
command -v curl >/dev/null || { echo "missing curl"; exit 1; }

declare -A RPS CPU
SCRAPER=""
for round in $(seq 1 "$ROUNDS"); do
  for arm in off on; do
    if [ $arm = on ]; then
      KVDB_EXTRA_CONFIG=$(printf 'monitoring:\n  metrics_port: %s' "$METRICS_PORT")
    else
      KVDB_EXTRA_CONFIG=""
    fi
    start_kvdb memory
    if [ $arm = on ]; then
      ( while true; do curl -s -o /dev/null "http://127.0.0.1:$METRICS_PORT/metrics" || true; sleep "$SCRAPE"; done ) &
      SCRAPER=$!
    fi
    for p in 1 16; do
      n=$REQUESTS; [ $p = 16 ] && n=$PIPELINED_REQUESTS
      args=(-p "$KVDB_PORT" -t set,get -d 100 -r 100000 -c 50 -P "$p" -q)
      [ "$round" = 1 ] && redis-benchmark "${args[@]}" -n "$n" >/dev/null 2>&1   # warm-up
      c0=$(cpu_ticks "$KVDB_PID")
      out=$(redis-benchmark "${args[@]}" -n "$n" 2>/dev/null | tr '\r' '\n')
      c1=$(cpu_ticks "$KVDB_PID")
      for cmd in SET GET; do
        RPS["$arm|$p|$cmd"]+="$(echo "$out" | awk -v c="$cmd:" '$1 == c && $2 ~ /^[0-9]/ { v = $2 } END { print v }') "
      done
      CPU["$arm|$p"]+="$(awk -v c=$((c1 - c0)) -v t="$TICK" -v n=$((n * 2)) 'BEGIN { printf "%.3f", c / t / n * 1e6 }') "
    done
    if [ -n "$SCRAPER" ]; then kill "$SCRAPER" 2>/dev/null || true; wait "$SCRAPER" 2>/dev/null || true; SCRAPER=""; fi
    stop_all
  done
done

echo "machine $(nproc) cores; rounds $ROUNDS; in memory, -c 50, 100-byte values; scrape every ${SCRAPE}s while on"
printf '%-5s %-4s %12s %12s %8s\n' "-P" cmd "off req/s" "on req/s" "on/off"
for p in 1 16; do
  for cmd in SET GET; do
    a=$(echo ${RPS["off|$p|$cmd"]} | tr ' ' '\n' | median)
    b=$(echo ${RPS["on|$p|$cmd"]} | tr ' ' '\n' | median)
    printf '%-5s %-4s %12.0f %12.0f %7.3fx\n' "$p" "$cmd" "$a" "$b" "$(awk -v a="$b" -v b="$a" 'BEGIN { print a / b }')"
  done
  a=$(echo ${CPU["off|$p"]} | tr ' ' '\n' | median)
  b=$(echo ${CPU["on|$p"]} | tr ' ' '\n' | median)
  printf '%-5s %-4s %11.3fus %11.3fus %7.3fx  (server CPU per request: %s | %s)\n' "$p" cpu "$a" "$b" "$(awk -v a="$b" -v b="$a" 'BEGIN { print a / b }')" "${CPU["off|$p"]}" "${CPU["on|$p"]}"
done
