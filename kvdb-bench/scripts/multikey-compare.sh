#!/usr/bin/env bash
# Multi-key commands against kvdb-server and redis-server, alternating, same redis-benchmark flags:
# MSET of 10 keys (redis-benchmark's own -t mset), MSET of 100 keys, MGET of 10 keys, and SET as a
# reference. Prints the median requests/s of each server and the ratio kvdb/Redis.
#
#   mvn -B -q package -DskipTests
#   kvdb-bench/scripts/multikey-compare.sh          # ROUNDS=3; MODE=durable|memory (default both)
#
# Durable = kvdb fsync always / Redis appendfsync always. Loopback only; servers stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-100000}
MODES=${MODE:-"durable memory"}
# shellcheck source=servers.sh
. kvdb-bench/scripts/servers.sh

V=$(printf 'v%.0s' $(seq 1 100))
mset_args() { for i in $(seq 1 "$1"); do printf 'key:__rand_int__ %s ' "$V"; done; }
mget_args() { for i in $(seq 1 "$1"); do printf 'key:__rand_int__ '; done; }

# One redis-benchmark run of a named case; prints its requests/s.
bench_case() { # $1 port, $2 case, $3 requests
  local port=$1 c=$2 n=$3 common=(-p "$1" -n "$3" -r 100000 -c 50 -q)
  case "$c" in
    SET) redis-benchmark "${common[@]}" -t set -d 100 ;;
    MSET10) redis-benchmark "${common[@]}" -t mset -d 100 ;;
    MSET100) redis-benchmark "${common[@]}" MSET $(mset_args 100) ;;
    MGET10) redis-benchmark "${common[@]}" MGET $(mget_args 10) ;;
  esac 2>/dev/null | tr '\r' '\n' | awk 'match($0, /[0-9.]+ requests per second/) { v = substr($0, RSTART, RLENGTH); sub(/ .*/, "", v) } END { print v }'
}

declare -A R
CASES=(SET MSET10 MSET100 MGET10)
for mode in $MODES; do
  for round in $(seq 1 "$ROUNDS"); do
    for server in kvdb redis; do
      if [ $server = kvdb ]; then start_kvdb "$mode"; port=$KVDB_PORT; else start_redis "$mode"; port=$REDIS_PORT; fi
      for c in "${CASES[@]}"; do
        n=$REQUESTS; [ "$c" = MSET100 ] && n=$((REQUESTS / 5))
        [ "$round" = 1 ] && bench_case "$port" "$c" "$n" > /dev/null   # JIT warm-up for kvdb
        R["$mode|$c|$server"]+="$(bench_case "$port" "$c" "$n") "
      done
      stop_all
    done
  done
done

echo "machine: $(nproc) cores; redis $(redis-server --version | awk '{print $3}'); rounds $ROUNDS; -c 50 -P 1, 100-byte values"
printf '%-8s %-8s %14s %14s %8s\n' mode case "kvdb req/s" "redis req/s" ratio
for mode in $MODES; do
  for c in "${CASES[@]}"; do
    k=$(echo ${R["$mode|$c|kvdb"]} | tr ' ' '\n' | median)
    r=$(echo ${R["$mode|$c|redis"]} | tr ' ' '\n' | median)
    printf '%-8s %-8s %14.0f %14.0f %7.2fx\n' "$mode" "$c" "$k" "$r" "$(awk -v a="$k" -v b="$r" 'BEGIN { print (b > 0) ? a / b : 0 }')"
  done
done
