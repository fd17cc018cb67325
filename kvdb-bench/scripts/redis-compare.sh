#!/usr/bin/env bash
# redis-benchmark against kvdb-server and redis-server on this machine, alternating, same flags.
# Prints the median requests/s of each and the ratio kvdb/Redis.
#
#   mvn -B -q package -DskipTests
#   kvdb-bench/scripts/redis-compare.sh            # ROUNDS=3 by default; see the *REQUESTS knobs
#
# Needs redis-server and redis-benchmark (Debian: apt-get install redis-server redis-tools).
# Everything runs on loopback; both servers are stopped at the end.
set -euo pipefail
# shellcheck source=cpu-time.sh
. "$(dirname "$0")/cpu-time.sh"
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-3}
# Requests per run, sized so that each run lasts seconds (the JVM needs seconds of warm-up; a
# run shorter than its JIT compilation measures the interpreter).
REQUESTS=${REQUESTS:-300000}                   # -P 1 cases
PIPELINED_REQUESTS=${PIPELINED_REQUESTS:-2000000}  # -P 16 cases
DURABLE_REQUESTS=${DURABLE_REQUESTS:-100000}   # durable -P 1
DURABLE_PIPELINED_REQUESTS=${DURABLE_PIPELINED_REQUESTS:-1000000}
# shellcheck source=servers.sh
. kvdb-bench/scripts/servers.sh

# Runs redis-benchmark once; prints "SET <rps>" and "GET <rps>" lines.
bench() { # $1 port, $2 requests, rest: flags
  local port=$1 n=$2; shift 2
  redis-benchmark -p "$port" -t set,get -d 100 -r 100000 -n "$n" "$@" -q 2>/dev/null \
    | tr '\r' '\n' | awk '/^(SET|GET): [0-9]/ { sub(":", "", $1); print $1, $2 }'
}

declare -A RESULTS
run_case() { # $1 label, $2 mode, $3 requests, rest: flags
  local label=$1 mode=$2 n=$3; shift 3
  for round in $(seq 1 "$ROUNDS"); do
    for server in kvdb redis; do
      local port spid
      if [ $server = kvdb ]; then start_kvdb "$mode"; port=$KVDB_PORT; spid=$KVDB_PID
      else start_redis "$mode"; port=$REDIS_PORT
        spid=$(redis-cli -p "$port" info server | tr -d '\r' | awk -F: '/^process_id:/ { print $2 }')
      fi
      bench "$port" "$n" "$@" > /dev/null   # warm-up run of the same length (JIT for kvdb)
      # The measured run, with the CPU time each side spent on it: at -P 1 redis-benchmark (one
      # thread) is near 100% of a core against either server, which caps both.
      local s0 t0 t1 s1 client
      s0=$(cpu_ticks "$spid"); t0=$(date +%s.%N)
      ( bench "$port" "$n" "$@" > "$WORK/bench.out"; times > "$WORK/bench.times" )
      t1=$(date +%s.%N); s1=$(cpu_ticks "$spid")
      client=$(awk 'NR == 2 { print $1, $2 }' "$WORK/bench.times")
      client=$(awk -v u="$(to_seconds "${client% *}")" -v s="$(to_seconds "${client#* }")" 'BEGIN { print u + s }')
      while read -r cmd rps; do
        RESULTS["$label|$server|$cmd"]+="$rps "
      done < "$WORK/bench.out"
      # µs of CPU per request (SET and GET runs together: 2n requests), and client core use.
      RESULTS["$label|$server|scpu"]+="$(awk -v a="$s0" -v b="$s1" -v t="$TICK" -v n="$n" 'BEGIN { print (b - a) / t * 1e6 / (2 * n) }') "
      RESULTS["$label|$server|ccpu"]+="$(awk -v c="$client" -v n="$n" 'BEGIN { print c * 1e6 / (2 * n) }') "
      RESULTS["$label|$server|cuse"]+="$(awk -v c="$client" -v a="$t0" -v b="$t1" 'BEGIN { print 100 * c / (b - a) }') "
      stop_all
    done
  done
}

echo "machine: $(nproc) cores, $(uname -r); redis: $(redis-server --version | awk '{print $3}'); rounds: $ROUNDS"
run_case "off -c 50 -P 1"  memory "$REQUESTS" -c 50 -P 1
run_case "off -c 50 -P 16" memory "$PIPELINED_REQUESTS" -c 50 -P 16
run_case "off -c 1 -P 1"   memory $((REQUESTS / 5)) -c 1 -P 1
run_case "durable -c 50 -P 1"  durable "$DURABLE_REQUESTS" -c 50 -P 1
run_case "durable -c 50 -P 16" durable "$DURABLE_PIPELINED_REQUESTS" -c 50 -P 16

printf '\n%-22s %-4s %14s %14s %8s\n' "case (persistence)" cmd "kvdb req/s" "redis req/s" ratio
for label in "off -c 50 -P 1" "off -c 50 -P 16" "off -c 1 -P 1" "durable -c 50 -P 1" "durable -c 50 -P 16"; do
  for cmd in SET GET; do
    k=$(echo ${RESULTS["$label|kvdb|$cmd"]:-0} | tr ' ' '\n' | median)
    r=$(echo ${RESULTS["$label|redis|$cmd"]:-0} | tr ' ' '\n' | median)
    printf '%-22s %-4s %14.0f %14.0f %7.2fx\n' "$label" "$cmd" "$k" "$r" "$(awk -v a="$k" -v b="$r" 'BEGIN { print (b > 0) ? a / b : 0 }')"
  done
done

printf '\nCPU per request in the measured runs (medians; µs of user+system time per SET/GET request):\n'
printf '%-22s %12s %12s %12s %12s %10s %10s\n' "case (persistence)" "kvdb server" "redis server" "client→kvdb" "client→redis" "cli% kvdb" "cli% redis"
for label in "off -c 50 -P 1" "off -c 50 -P 16" "off -c 1 -P 1" "durable -c 50 -P 1" "durable -c 50 -P 16"; do
  row=()
  for key in "kvdb|scpu" "redis|scpu" "kvdb|ccpu" "redis|ccpu" "kvdb|cuse" "redis|cuse"; do
    row+=("$(echo ${RESULTS["$label|$key"]:-0} | tr ' ' '\n' | median)")
  done
  printf '%-22s %12.1f %12.1f %12.1f %12.1f %9.0f%% %9.0f%%\n' "$label" "${row[@]}"
done
