#!/usr/bin/env bash
# Expiry costs, kvdb-server against redis-server with the same redis-benchmark flags.
#
# 1. SET with EX against plain SET, in the same run and on the same server (the baseline is plain
#    SET, interleaved round by round): -c 50 at -P 1 and -P 16, 100-byte values.
# 2. A million keys expiring in the same second: they are loaded with one absolute PXAT (through
#    redis-cli --pipe), then a latency probe (redis-benchmark GET, -c 10) runs once well before that
#    second (baseline) and once across it; prints the probe's p50/p99/max both times, and how long
#    after that second the server still held keys with a TTL (INFO keyspace expires=) — the time
#    to reclaim the memory.
#
#   mvn -B -q package -DskipTests
#   kvdb-bench/scripts/expiry-compare.sh        # ROUNDS=3, MODE=memory|durable (default memory),
#                                               # KEYS=1000000, PART="1 2"
# Loopback only; servers stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-200000}
MODE=${MODE:-memory}
KEYS=${KEYS:-1000000}
PARTS=${PART:-"1 2"}
# shellcheck source=servers.sh
. kvdb-bench/scripts/servers.sh

rps() { tr '\r' '\n' | awk 'match($0, /[0-9.]+ requests per second/) { v = substr($0, RSTART, RLENGTH); sub(/ .*/, "", v) } END { print v }'; }
V=$(printf 'v%.0s' $(seq 1 100))

PIPELINED_REQUESTS=${PIPELINED_REQUESTS:-1500000}  # -P 16 runs must last seconds (JIT)
bench() { # $1 port, $2 pipeline, $3 SET|SETEX
  local n=$REQUESTS
  [ "$2" = 16 ] && n=$PIPELINED_REQUESTS
  local common=(-p "$1" -n "$n" -r 100000 -c 50 -P "$2" -q)
  if [ "$3" = SET ]; then
    redis-benchmark "${common[@]}" SET key:__rand_int__ "$V" 2>/dev/null | rps
  else
    redis-benchmark "${common[@]}" SET key:__rand_int__ "$V" EX 3600 2>/dev/null | rps
  fi
}

start() { if [ "$1" = kvdb ]; then start_kvdb "$MODE"; PORT=$KVDB_PORT; else start_redis "$MODE"; PORT=$REDIS_PORT; fi; }

if [[ " $PARTS " == *" 1 "* ]]; then
  declare -A R
  for round in $(seq 1 "$ROUNDS"); do
    for server in kvdb redis; do
      start $server
      [ "$round" = 1 ] && bench "$PORT" 16 SET > /dev/null   # JIT warm-up
      for p in 1 16; do
        for c in SET SETEX; do
          R["$server|$p|$c"]+="$(bench "$PORT" "$p" "$c") "
        done
      done
      stop_all
    done
  done
  echo "part 1: machine $(nproc) cores; redis $(redis-server --version | awk '{print $3}'); mode $MODE; rounds $ROUNDS; -c 50, 100-byte values"
  printf '%-6s %-5s %12s %12s %14s\n' server "-P" "SET req/s" "SET EX req/s" "SET EX / SET"
  for server in kvdb redis; do
    for p in 1 16; do
      a=$(echo ${R["$server|$p|SET"]} | tr ' ' '\n' | median)
      b=$(echo ${R["$server|$p|SETEX"]} | tr ' ' '\n' | median)
      printf '%-6s %-5s %12.0f %12.0f %13.2fx\n' "$server" "$p" "$a" "$b" "$(awk -v a="$b" -v b="$a" 'BEGIN { print a / b }')"
    done
  done
fi

# Prints "p50 p99 max" (ms) of a GET probe.
probe() { # $1 port
  redis-benchmark -p "$1" -n "$REQUESTS" -r "$KEYS" -c 10 -t get --csv 2>/dev/null \
    | awk -F'","' '/^"GET/ { gsub(/"/, "", $0); split($0, f, ","); print f[5], f[7], f[8] }'
}

load() { # $1 port, $2 absolute expiry in ms
  awk -v n="$KEYS" -v t="$2" 'BEGIN {
    for (i = 0; i < n; i++) {
      k = "key:" i
      printf "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$3\r\nval\r\n$4\r\nPXAT\r\n$%d\r\n%s\r\n", length(k), k, length(t), t
    }
  }' | redis-cli -p "$1" --pipe > /dev/null
}

expires() { redis-cli -p "$1" info keyspace | tr -d '\r' | awk -F'[=,]' '/^db0:/ { print $4; f = 1 } END { if (!f) print 0 }'; }
now_ms() { date +%s%3N; }

if [[ " $PARTS " == *" 2 "* ]]; then
  echo "part 2: $KEYS keys expiring at one instant; probe: redis-benchmark GET -c 10 -n $REQUESTS (ms)"
  printf '%-6s %-22s %-22s %s\n' server "probe before (p50 p99 max)" "probe across (p50 p99 max)" "expires=0 after (ms)"
  for server in kvdb redis; do
    start $server
    t0=$(now_ms)
    at=$((t0 + 40000))
    load "$PORT" "$at"
    loaded=$(now_ms)
    before=$(probe "$PORT")
    # Start the second probe half a second before the instant, so that it runs across it.
    while [ "$(now_ms)" -lt $((at - 500)) ]; do sleep 0.05; done
    across=$(probe "$PORT")
    while [ "$(expires "$PORT")" != 0 ]; do
      sleep 0.05
      [ "$(now_ms)" -gt $((at + 120000)) ] && break
    done
    done_at=$(now_ms)
    printf '%-6s %-22s %-22s %s   (load took %d ms)\n' "$server" "$before" "$across" "$((done_at - at))" "$((loaded - t0))"
    stop_all
  done
fi
