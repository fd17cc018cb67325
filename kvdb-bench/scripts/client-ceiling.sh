#!/usr/bin/env bash
# How fast can one redis-benchmark process drive a server on this machine at -c 50 -P 1?
# Runs it against redis-server without persistence and prints requests/s with the CPU the client
# and the server used (in % of one core). A client near 100% is the ceiling for every server
# measured from this machine with this client, whatever the server does.
#
#   kvdb-bench/scripts/client-ceiling.sh        # needs redis-server and redis-benchmark
set -euo pipefail
PORT=${PORT:-7395}
N=${N:-300000}
for tool in redis-server redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install redis-server redis-tools)"; exit 1; }
done
WORK=$(mktemp -d /tmp/kvdb-ceiling.XXXXXX)
trap 'redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
redis-server --port "$PORT" --dir "$WORK" --save '' --appendonly no --daemonize yes >/dev/null
for _ in $(seq 1 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
SPID=$(redis-cli -p "$PORT" info server | tr -d '\r' | awk -F: '/^process_id:/ { print $2 }')
# shellcheck source=cpu-time.sh
. "$(dirname "$0")/cpu-time.sh"

run() { # label, redis-benchmark flags...
  local label=$1; shift
  redis-benchmark -p "$PORT" -n "$N" "$@" -q >/dev/null 2>&1 # warm-up
  local s0 s1 t0 t1 c
  s0=$(cpu_ticks "$SPID"); t0=$(date +%s.%N)
  ( redis-benchmark -p "$PORT" -n "$N" "$@" -q 2>/dev/null | tr '\r' '\n' \
      | awk '/: [0-9]/ { print $2 }' | tail -1 > "$WORK/rps"; times > "$WORK/times" )
  t1=$(date +%s.%N); s1=$(cpu_ticks "$SPID")
  c=$(awk 'NR == 2 { print $1, $2 }' "$WORK/times")
  awk -v l="$label" -v r="$(cat "$WORK/rps")" -v u="$(to_seconds "${c% *}")" -v s="$(to_seconds "${c#* }")" \
      -v a="$s0" -v b="$s1" -v tk="$TICK" -v t0="$t0" -v t1="$t1" \
      'BEGIN { w = t1 - t0; printf "%-34s %10.0f req/s   client %4.0f%%   server %4.0f%%\n", l, r, 100 * (u + s) / w, 100 * (b - a) / tk / w }'
}

echo "machine: $(nproc) cores; redis-server $(redis-server --version | awk '{print $3}'); $N requests per run"
run "SET -c 50 -P 1"             -t set -d 100 -r 100000 -c 50 -P 1
run "SET -c 50 -P 1 --threads 2" -t set -d 100 -r 100000 -c 50 -P 1 --threads 2
run "PING -c 50 -P 1"            -t ping_mbulk -c 50 -P 1
