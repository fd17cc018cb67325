# Sourced by the replication scripts (replication-compare.sh, replication-faults.sh): kvdb and
# Redis servers on loopback in a work directory, stopped and removed on exit.
#   kvdb NAME PORT REPLPORT ROLE [MASTERREPLPORT] [EXTRA YAML]   redis PORT [MASTERPORT]
#   load PORT (KEYS keys: 16-byte keys, 100-byte values)   field PORT INFO-FIELD
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
    if [ "$role" = master ] && [ "$mport" = 0 ]; then fsync=always; else fsync=${SLAVE_FSYNC:-always}; fi
    echo "wal: {data_directory: $WORK/$name/data, fsync: $fsync}"
    echo "replication:"; echo "  role: $role"
    if [ "$role" = master ]; then echo "  master_port: $rport"; else echo "  master_port: $mport"; fi
    [ -n "$extra" ] && printf '%s\n' "$extra"
  } > "$WORK/$name/config.yaml"
  java -jar "$JAR" --config "$WORK/$name/config.yaml" > "$WORK/$name/log" 2>&1 &
  PIDS+=($!)
  wait_port "$port"
}
redis() { # port [masterport]
  # repl-diskless-sync-delay 0: by default Redis waits 5 s for more replicas before a full sync.
  local args=(--port "$1" --save '' --appendonly no --daemonize yes --dir "$WORK" --repl-diskless-sync-delay 0)
  [ -n "${2:-}" ] && args+=(--replicaof 127.0.0.1 "$2")
  # shellcheck disable=SC2206
  [ -n "${REDIS_EXTRA:-}" ] && args+=($REDIS_EXTRA)
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

