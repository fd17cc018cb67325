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
# kvdb: fsync always (SLAVE_FSYNC=everysec for the slaves). Redis: persistence off (as Redis
# replicates by default: RDB over the socket).
# Needs python3, redis-server, redis-cli, redis-benchmark. Loopback only; everything is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
KEYS=${KEYS:-1000000}
RATE=${RATE:-20000}
LAG_SECONDS=${LAG_SECONDS:-10}
PREQ=${PREQ:-2000000}
# shellcheck source=repl-lib.sh
. kvdb-bench/scripts/repl-lib.sh

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
PARTS=${PARTS:-123}   # which sections to run
echo "machine: $(nproc) cores; redis $(redis-server --version | awk '{print $3}'); KEYS=$KEYS"
# Both slaves start empty as masters of their own; the clock starts at REPLICAOF.
if [[ $PARTS == *1* ]]; then
kvdb km 7401 7411 master; load 7401; kvdb ks 7402 7412 master
redis-cli -p 7402 REPLICAOF 127.0.0.1 7411 > /dev/null; ksync=$(fullsync kvdb 7402 7401)
stop_kvdb
redis 7403; load 7403; redis 7413
redis-cli -p 7413 REPLICAOF 127.0.0.1 7403 > /dev/null; rsync=$(fullsync redis 7413 7403)
stop_redis 7403 7413
printf '\n1. full sync of %d keys (REPLICAOF to caught up): kvdb %s s, redis %s s\n' "$KEYS" "$ksync" "$rsync"
fi

# 2. Live lag
lag() { # masterport slaveport: writer and reader in two processes (no shared GIL), one clock
  python3 - "$2" "$((RATE * LAG_SECONDS))" "$((LAG_SECONDS + 30))" > "$WORK/seen" <<'PY' &
import socket, sys, time
port, n, limit = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
s = socket.create_connection(("127.0.0.1", port)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
f = s.makefile("rb"); last = -1; out = []; deadline = time.monotonic() + limit
while last < n - 1 and time.monotonic() < deadline:
    s.sendall(b"*2\r\n$3\r\nGET\r\n$3\r\nlag\r\n")
    h = f.readline()
    if h.startswith(b"$-1"):
        continue
    v = int(f.readline()); t = time.monotonic()
    if v > last:
        out.append("%d %.6f" % (v, t)); last = v
print("\n".join(out))
PY
  local reader=$!
  python3 - "$1" "$RATE" "$LAG_SECONDS" > "$WORK/acked" <<'PY'
import socket, sys, time
port, rate, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
n = int(rate * secs)
s = socket.create_connection(("127.0.0.1", port)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
f = s.makefile("rb"); acked = [0.0] * n
start = time.monotonic(); batch = 10; i = 0
while i < n:
    d = start + i / rate - time.monotonic()
    if d > 0: time.sleep(d)
    k = min(batch, n - i)
    s.sendall(b"".join(b"*3\r\n$3\r\nSET\r\n$3\r\nlag\r\n$%d\r\n%d\r\n" % (len(str(j)), j) for j in range(i, i + k)))
    for j in range(i, i + k):
        f.readline(); acked[j] = time.monotonic()
    i += k
print("\n".join("%.6f" % a for a in acked))
PY
  wait "$reader"
  python3 - "$WORK/acked" "$WORK/seen" <<'PY'
import sys
acked = [float(l) for l in open(sys.argv[1]) if l.strip()]
seen = [None] * len(acked); prev = -1
for line in open(sys.argv[2]):
    if not line.strip(): continue
    v, t = line.split(); v = int(v); t = float(t)
    for j in range(prev + 1, v + 1): seen[j] = t   # writes overwritten before a GET saw them
    prev = v
lags = sorted(max(0.0, seen[j] - acked[j]) * 1000 for j in range(len(acked)) if seen[j] is not None)
p = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
print("%.2f %.2f %.2f %d" % (p(0.5), p(0.99), lags[-1], len(lags)))
PY
}
if [[ $PARTS == *2* ]]; then
link_up() { for _ in $(seq 1 600); do [ "$(field "$1" master_link_status)" = up ] && return 0; sleep 0.05; done; echo "link of $1 not up"; exit 1; }
kvdb km 7401 7411 master; kvdb ks 7402 0 slave 7411; link_up 7402
klag=$(lag 7401 7402); stop_kvdb
redis 7403; redis 7413 7403; link_up 7413
rlag=$(lag 7403 7413); stop_redis 7403 7413
printf '2. live lag at %d writes/s for %s s, master ack -> visible on slave (p50 p99 max ms, writes):\n   kvdb  %s\n   redis %s\n' "$RATE" "$LAG_SECONDS" "$klag" "$rlag"
fi

# 3. Master throughput with slaves
# shellcheck source=cpu-time.sh
. kvdb-bench/scripts/cpu-time.sh
# requests/s and the master's CPU µs per request (user + system): on 2 shared cores the slaves' own
# CPU comes out of the master's and the client's, so the CPU the master spends is the fair figure.
tput() { # port pid
  local t0 t1 rps
  t0=$(cpu_ticks "$2")
  rps=$(redis-benchmark -p "$1" -t set -d 100 -r 100000 -n "$PREQ" -c 50 -P 16 -q 2>/dev/null | tr '\r' '\n' | awk '/^SET: [0-9]/ { print $2 }')
  t1=$(cpu_ticks "$2")
  awk -v r="$rps" -v a="$t0" -v b="$t1" -v t="$TICK" -v n="$PREQ" 'BEGIN { printf "%.0f/s (master %.1f us CPU/req)", r, (b - a) / t * 1e6 / n }'
}
rpid() { redis-cli -p "$1" info server | tr -d '\r' | awk -F: '/^process_id:/ { print $2 }'; }
if [[ $PARTS == *3* ]]; then
printf '3. master SET -c 50 -P 16 (requests/s):\n'
for slaves in 0 1 2; do
  kvdb km 7401 7411 master
  [ "$slaves" -ge 1 ] && kvdb ks1 7402 0 slave 7411
  [ "$slaves" -ge 2 ] && kvdb ks2 7403 0 slave 7411
  tput 7401 "${PIDS[0]}" > /dev/null; k=$(tput 7401 "${PIDS[0]}"); stop_kvdb; rm -rf "$WORK"/k*
  redis 7404
  [ "$slaves" -ge 1 ] && redis 7414 7404
  [ "$slaves" -ge 2 ] && redis 7415 7404
  r=$(tput 7404 "$(rpid 7404)"); stop_redis 7404 7414 7415
  printf '   %d slaves: kvdb %s  redis %s\n' "$slaves" "$k" "$r"
done
kvdb km 7401 7411 master "  ack_slaves: 1"; kvdb ks1 7402 0 slave 7411; sleep 1
tput 7401 "${PIDS[0]}" > /dev/null; k=$(tput 7401 "${PIDS[0]}"); stop_kvdb
printf '   1 slave, ack_slaves 1 (semi-synchronous): kvdb %s\n' "$k"
fi
