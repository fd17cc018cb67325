#!/usr/bin/env bash
# Replication, kvdb vs Redis 7 on this machine, each run the same way:
#  1. full sync: a master holding KEYS keys (16-byte keys, 100-byte values); a new empty slave is
#     started; time until its link is up and its offset equals the master's;
#  2. live lag: RATE writes/s for SECONDS on the master; a reader on the slave sees each write
#     appear; lag = seen on the slave - acknowledged by the master; p50/p99/max;
#  3. master SET throughput, redis-benchmark -c 50 -P 16, with 0, 1 and 2 slaves attached (and, for
#     kvdb, with replication.ack_slaves 1 and one slave).
#
#   mvn -B -q package -DskipTests
#   kvdb-bench/scripts/replication-compare.sh        # KEYS=1000000 RATE=20000 LAG_SECONDS=10
#
# kvdb: fsync always. Redis: persistence off (as Redis replicates by default: RDB over the socket).
# Needs python3, redis-server, redis-cli, redis-benchmark. Loopback only; everything is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
KEYS=${KEYS:-1000000}
RATE=${RATE:-20000}
LAG_SECONDS=${LAG_SECONDS:-10}
PREQ=${PREQ:-2000000}
JAR=${JAR:-kvdb-server/target/kvdb-server.jar}
WORK=$(mktemp -d /tmp/kvdb-repl.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in 7401 7402 7403 7411 7412 7413; do redis-cli -p $p shutdown nosave >/dev/null 2>&1 || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_port() { for _ in $(seq 1 200); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.05; done; echo "no server on $1"; exit 1; }
field() { redis-cli -p "$1" info replication | tr -d '\r' | awk -F: -v k="$2" '$1 == k { print $2 }'; }
now() { date +%s.%N; }

kvdb() { # name port replport role [masterreplport] [extra yaml lines]
  local name=$1 port=$2 rport=$3 role=$4 mport=${5:-0} extra=${6:-}
  rm -rf "${WORK:?}/$name"; mkdir -p "$WORK/$name"
  {
    echo "network: {port: $port}"; echo "logging: {level: warn}"
    echo "wal: {data_directory: $WORK/$name/data, fsync: always}"
    echo "replication:"; echo "  role: $role"
    if [ "$role" = master ]; then echo "  master_port: $rport"; else echo "  master_port: $mport"; fi
    [ -n "$extra" ] && printf '%s\n' "$extra"
  } > "$WORK/$name/config.yaml"
  java -jar "$JAR" --config "$WORK/$name/config.yaml" > "$WORK/$name/log" 2>&1 &
  PIDS+=($!)
  wait_port "$port"
}
redis() { # port [masterport]
  local args=(--port "$1" --save '' --appendonly no --daemonize yes --dir "$WORK")
  [ -n "${2:-}" ] && args+=(--replicaof 127.0.0.1 "$2")
  redis-server "${args[@]}" --logfile "$WORK/redis-$1.log" >/dev/null
  wait_port "$1"
}
stop_kvdb() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=(); }
stop_redis() { for p in "$@"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done; }

load() { # port: KEYS distinct keys, 16-byte keys, 100-byte values, through redis-cli --pipe
  python3 - "$KEYS" <<'PY' | redis-cli -p "$1" --pipe > /dev/null
import sys
n = int(sys.argv[1]); v = b"v" * 100; out = sys.stdout.buffer
for i in range(n):
    k = b"key:%012d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$16\r\n%s\r\n$100\r\n%s\r\n" % (k, v))
PY
}

# 1. Full sync
fullsync() { # kind slaveport masterport -> seconds
  local t0 t1 m s
  t0=$(now)
  for _ in $(seq 1 2400); do
    m=$(field "$3" master_repl_offset); s=$(field "$2" slave_repl_offset)
    if [ "$(field "$2" master_link_status)" = up ] && [ -n "$s" ] && [ "$s" = "$m" ]; then break; fi
    sleep 0.02
  done
  t1=$(now); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
echo "machine: $(nproc) cores; redis $(redis-server --version | awk '{print $3}'); KEYS=$KEYS"
# Both slaves start empty as masters of their own; the clock starts at REPLICAOF.
kvdb km 7401 7411 master; load 7401; kvdb ks 7402 7412 master
redis-cli -p 7402 REPLICAOF 127.0.0.1 7411 > /dev/null; ksync=$(fullsync kvdb 7402 7401)
stop_kvdb
redis 7403; load 7403; redis 7413
redis-cli -p 7413 REPLICAOF 127.0.0.1 7403 > /dev/null; rsync=$(fullsync redis 7413 7403)
stop_redis 7403 7413
printf '\n1. full sync of %d keys (REPLICAOF to caught up): kvdb %s s, redis %s s\n' "$KEYS" "$ksync" "$rsync"

# 2. Live lag
lag() { # masterport slaveport
  python3 - "$1" "$2" "$RATE" "$LAG_SECONDS" <<'PY'
import socket, sys, threading, time
mport, sport, rate, secs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
n = int(rate * secs)
acked = [0.0] * n; seen = [0.0] * n; done = threading.Event()
def conn(p):
    s = socket.create_connection(("127.0.0.1", p)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s, s.makefile("rb")
def writer():
    s, f = conn(mport)
    start = time.perf_counter(); batch = 20; i = 0
    while i < n:
        due = start + i / rate
        d = due - time.perf_counter()
        if d > 0: time.sleep(d)
        k = min(batch, n - i)
        s.sendall(b"".join(b"*3\r\n$3\r\nSET\r\n$3\r\nlag\r\n$%d\r\n%d\r\n" % (len(str(j)), j) for j in range(i, i + k)))
        for j in range(i, i + k):
            f.readline(); acked[j] = time.perf_counter()
        i += k
    done.set()
def reader():
    s, f = conn(sport); last = -1
    while last < n - 1:
        s.sendall(b"*2\r\n$3\r\nGET\r\n$3\r\nlag\r\n")
        h = f.readline()
        if h.startswith(b"$-1"): continue
        v = int(f.readline()); t = time.perf_counter()
        for j in range(last + 1, v + 1): seen[j] = t
        last = max(last, v)
        if done.is_set() and time.perf_counter() > acked[n - 1] + 10: break
r = threading.Thread(target=reader); r.start(); writer(); r.join()
lags = sorted(max(0.0, seen[j] - acked[j]) * 1000 for j in range(n) if seen[j] and acked[j])
p = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
print("%.2f %.2f %.2f %d" % (p(0.5), p(0.99), lags[-1], len(lags)))
PY
}
kvdb km 7401 7411 master; kvdb ks 7402 0 slave 7411; sleep 1
klag=$(lag 7401 7402); stop_kvdb
redis 7403; redis 7413 7403; sleep 1
rlag=$(lag 7403 7413); stop_redis 7403 7413
printf '2. live lag at %d writes/s for %s s, master ack -> visible on slave (p50 p99 max ms, writes):\n   kvdb  %s\n   redis %s\n' "$RATE" "$LAG_SECONDS" "$klag" "$rlag"

# 3. Master throughput with slaves
tput() { redis-benchmark -p "$1" -t set -d 100 -r 100000 -n "$PREQ" -c 50 -P 16 -q 2>/dev/null | tr '\r' '\n' | awk '/^SET: [0-9]/ { print $2 }'; }
printf '3. master SET -c 50 -P 16 (requests/s):\n'
for slaves in 0 1 2; do
  kvdb km 7401 7411 master
  [ "$slaves" -ge 1 ] && kvdb ks1 7402 0 slave 7411
  [ "$slaves" -ge 2 ] && kvdb ks2 7403 0 slave 7411
  tput 7401 > /dev/null; k=$(tput 7401); stop_kvdb; rm -rf "$WORK"/k*
  redis 7404
  [ "$slaves" -ge 1 ] && redis 7414 7404
  [ "$slaves" -ge 2 ] && redis 7415 7404
  r=$(tput 7404); stop_redis 7404 7414 7415
  printf '   %d slaves: kvdb %s  redis %s\n' "$slaves" "$k" "$r"
done
kvdb km 7401 7411 master "  ack_slaves: 1"; kvdb ks1 7402 0 slave 7411; sleep 1
tput 7401 > /dev/null; k=$(tput 7401); stop_kvdb
printf '   1 slave, ack_slaves 1 (semi-synchronous): kvdb %s\n' "$k"
