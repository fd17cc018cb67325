#!/usr/bin/env bash
# A/B of two kvdb-server jars, alternating on the same machine: redis-benchmark SET and GET
# (-c 50 -P 1, in memory) and the server's CPU time per request, which this noisy VM measures
# better than throughput. Use it to check that a change costs the existing commands nothing.
#
#   git worktree add /tmp/before <commit> && (cd /tmp/before && mvn -B -q package -DskipTests)
#   mvn -B -q package -DskipTests
#   OLD_JAR=/tmp/before/kvdb-server/target/kvdb-server.jar kvdb-bench/scripts/jar-ab.sh
#
# ROUNDS=4, REQUESTS=400000 (after a warm-up of 1.5x that), PIPELINE=1, MODE=memory (or durable:
# a write-ahead log with fsync always, to measure the write path through the log). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-4}
REQUESTS=${REQUESTS:-400000}
PIPELINE=${PIPELINE:-1}
MODE=${MODE:-memory}
NEW_JAR=${NEW_JAR:-kvdb-server/target/kvdb-server.jar}
: "${OLD_JAR:?set OLD_JAR to the jar to compare against}"
# shellcheck source=cpu-time.sh
. kvdb-bench/scripts/cpu-time.sh
# shellcheck source=servers.sh
. kvdb-bench/scripts/servers.sh

for round in $(seq 1 "$ROUNDS"); do
  # Alternate which jar goes first: the second of a pair runs on a warmer, busier machine.
  order="old new"
  [ $((round % 2)) -eq 0 ] && order="new old"
  for which in $order; do
    if [ $which = old ]; then JAR=$OLD_JAR; else JAR=$NEW_JAR; fi
    start_kvdb "$MODE"
    args=(-p "$KVDB_PORT" -t set,get -d 100 -r 100000 -c 50 -P "$PIPELINE" -q)
    redis-benchmark "${args[@]}" -n $((REQUESTS * 3 / 2)) >/dev/null 2>&1
    c0=$(cpu_ticks "$KVDB_PID")
    r=$(redis-benchmark "${args[@]}" -n "$REQUESTS" 2>/dev/null | tr '\r' '\n' \
      | awk '/^(SET|GET): [0-9]/ { printf "%s %s  ", $1, $2 }')
    c1=$(cpu_ticks "$KVDB_PID")
    echo "round $round $which: $r cpu/request $(awk -v c=$((c1 - c0)) -v t="$TICK" -v n=$((REQUESTS * 2)) 'BEGIN { printf "%.2f us", c / t / n * 1e6 }')"
    stop_all
  done
done
