#!/usr/bin/env bash
# Replication under faults, kvdb vs Redis 7 side by side in one run (replication issue, figures):
#  1. full sync of KEYS keys (16-byte keys, 100-byte values) while 4 clients write to the master
#     (redis-benchmark -c 4 SET): REPLICAOF on an empty node to its link up with no sync in
#     progress;
#  2. catch-up after a 0.5 s link outage (every connection reset, new ones refused, by a proxy),
#     4 writers on: from the link's return to a write made during the outage being visible on
#     the slave; CUTS times;
#  3. a flapping link: a 0.5 s outage every 3 s for FLAP_SECONDS, 4 writers on; after the last
#     return the writers stop: time until the slave's offset equals the master's (both in sync).
#
#   mvn -B -q package -DskipTests
#   kvdb-bench/scripts/replication-faults.sh     # KEYS=1000000 CUTS=5 FLAP_SECONDS=40
#
# kvdb: master fsync always, slave SLAVE_FSYNC (default everysec); Redis: persistence off (as it
# replicates by default: RDB over the socket), repl-diskless-sync-delay 0. The links of both go
# through kvdb-bench/scripts/tcp-proxy.py. REDIS_EXTRA adds redis-server options (e.g.
# "--repl-backlog-size 256mb": with its default 1 MB backlog, 0.5 s of these writers overflows it
# and every return is a full resync). Needs python3, redis-server, redis-cli,
# redis-benchmark. Loopback only; everything is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
KEYS=${KEYS:-1000000}
CUTS=${CUTS:-5}
FLAP_SECONDS=${FLAP_SECONDS:-40}
SLAVE_FSYNC=${SLAVE_FSYNC:-everysec}
# shellcheck source=repl-lib.sh
. kvdb-bench/scripts/repl-lib.sh

proxy() { # listenport targetport: a proxy whose pid is in PROXY
  python3 kvdb-bench/scripts/tcp-proxy.py "$1" "$2" > "$WORK/proxy-$1" 2>&1 &
  PROXY=$!; PIDS+=("$PROXY")
  for _ in $(seq 1 100); do grep -q ready "$WORK/proxy-$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "proxy on $1 did not start"; exit 1
}
writers() { # port: 4 clients writing until killed; pid in WRITERS
  redis-benchmark -p "$1" -c 4 -n 2000000000 -t set -r "$KEYS" -d 100 -q > /dev/null 2>&1 &
  WRITERS=$!
}
stop_writers() { kill "$WRITERS" 2>/dev/null || true; wait "$WRITERS" 2>/dev/null || true; }
synced() { # slaveport: link up, no sync in progress
  [ "$(field "$1" master_link_status)" = up ] && [ "$(field "$1" master_sync_in_progress)" = 0 ]
}
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
until_synced() { # slaveport -> seconds from now
  local t0; t0=$(now)
  for _ in $(seq 1 12000); do synced "$1" && break; sleep 0.005; done
  elapsed "$t0"
}
until_equal() { # masterport slaveport -> seconds until the offsets are equal and the link is up
  local t0; t0=$(now)
  for _ in $(seq 1 12000); do
    synced "$2" && [ "$(field "$1" master_repl_offset)" = "$(field "$2" slave_repl_offset)" ] && break
    sleep 0.005
  done
  elapsed "$t0"
}
outage() { # proxypid masterport slaveport i -> seconds from the link's return to the marker seen
  kill -USR1 "$1"; sleep 0.5
  redis-cli -p "$2" set marker "m$4" > /dev/null
  local t0; t0=$(now); kill -USR2 "$1"
  for _ in $(seq 1 12000); do [ "$(redis-cli -p "$3" get marker)" = "m$4" ] && break; sleep 0.002; done
  elapsed "$t0"
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# kvdb: master 7401 (replication 7411), slave 7402 behind proxy 7421; Redis: 7403, 7413 behind 7423.
start_kvdb() { kvdb km 7401 7411 master; load 7401; proxy 7421 7411; KPROXY=$PROXY; kvdb ks 7402 0 master; }
start_redis() { redis 7403; load 7403; proxy 7423 7403; RPROXY=$PROXY; redis 7413; }
echo "machine: $(nproc) cores; redis $(redis-server --version | awk '{print $3}'); KEYS=$KEYS; kvdb slave fsync $SLAVE_FSYNC"

start_kvdb; writers 7401
redis-cli -p 7402 replicaof 127.0.0.1 7421 > /dev/null; kfull=$(until_synced 7402)
kcuts=""; for i in $(seq 1 "$CUTS"); do sleep 1; kcuts="$kcuts $(outage "$KPROXY" 7401 7402 "$i")"; done
end=$(( $(date +%s) + FLAP_SECONDS )); n=0
while [ "$(date +%s)" -lt "$end" ]; do kill -USR1 "$KPROXY"; sleep 0.5; kill -USR2 "$KPROXY"; n=$((n + 1)); sleep 2.5; done
kill -USR1 "$KPROXY"; sleep 0.5; kill -USR2 "$KPROXY"; stop_writers; kflap=$(until_equal 7401 7402)
kfulls=$(redis-cli -p 7401 info stats | tr -d '\r' | awk -F: '$1 == "sync_full" { print $2 }')
stop_kvdb

start_redis; writers 7403
redis-cli -p 7413 replicaof 127.0.0.1 7423 > /dev/null; rfull=$(until_synced 7413)
rcuts=""; for i in $(seq 1 "$CUTS"); do sleep 1; rcuts="$rcuts $(outage "$RPROXY" 7403 7413 "$i")"; done
end=$(( $(date +%s) + FLAP_SECONDS ))
while [ "$(date +%s)" -lt "$end" ]; do kill -USR1 "$RPROXY"; sleep 0.5; kill -USR2 "$RPROXY"; sleep 2.5; done
kill -USR1 "$RPROXY"; sleep 0.5; kill -USR2 "$RPROXY"; stop_writers; rflap=$(until_equal 7403 7413)
rfulls=$(redis-cli -p 7403 info stats | tr -d '\r' | awk -F: '$1 == "sync_full" { print $2 }')
stop_redis 7403 7413

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
km=$(echo "$kcuts" | median); rm_=$(echo "$rcuts" | median)
printf '\n1. full sync of %d keys under 4 writers: kvdb %s s, redis %s s (kvdb/redis %s)\n' "$KEYS" "$kfull" "$rfull" "$(ratio "$kfull" "$rfull")"
printf '2. catch-up after a 0.5 s outage (s, each of %d):\n   kvdb %s (median %s)\n   redis%s (median %s)\n' "$CUTS" "$kcuts" "$km" "$rcuts" "$rm_"
printf '3. flapping link (%d outages in %d s), writers stopped at the last return -> equal: kvdb %s s, redis %s s\n' "$((n + 1))" "$FLAP_SECONDS" "$kflap" "$rflap"
printf '   full syncs in the whole run (the first included): kvdb %s, redis %s%s\n' "$kfulls" "$rfulls" "${REDIS_EXTRA:+ (redis: $REDIS_EXTRA)}"
