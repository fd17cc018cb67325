# Sourced by the benchmark scripts (run from the repository root): starts and stops kvdb-server and
# redis-server on loopback ports, each fresh per run, and a median helper.
#   start_kvdb durable|memory   -> KVDB_PID, port $KVDB_PORT (KVDB_IO_THREADS, KVDB_EXTRA_CONFIG)
#   start_redis durable|memory  -> port $REDIS_PORT (durable = appendonly, appendfsync always)
#   stop_all; median < numbers
KVDB_PORT=${KVDB_PORT:-7391}
# KVDB_IO_THREADS=n sets network.io_threads (default: the server's own default)
REDIS_PORT=${REDIS_PORT:-7392}
JAR=${JAR:-kvdb-server/target/kvdb-server.jar}
WORK=$(mktemp -d /tmp/kvdb-compare.XXXXXX)
KVDB_PID=""

for tool in redis-server redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install redis-server redis-tools)"; exit 1; }
done
[ -f "$JAR" ] || { echo "missing $JAR: run mvn -B -q package -DskipTests first"; exit 1; }

stop_all() {
  [ -n "$KVDB_PID" ] && kill "$KVDB_PID" 2>/dev/null && wait "$KVDB_PID" 2>/dev/null || true
  KVDB_PID=""
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}
trap 'stop_all; rm -rf "$WORK"' EXIT

wait_port() {
  for _ in $(seq 1 100); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start"; exit 1
}

start_kvdb() { # $1 = durable|memory
  rm -rf "$WORK/kvdb"; mkdir -p "$WORK/kvdb"
  {
    echo "network:"; echo "  port: $KVDB_PORT"
    [ -n "${KVDB_IO_THREADS:-}" ] && echo "  io_threads: $KVDB_IO_THREADS"
    echo "logging:"; echo "  level: warn"
    [ -n "${KVDB_EXTRA_CONFIG:-}" ] && printf '%s\n' "$KVDB_EXTRA_CONFIG"
    if [ "$1" = durable ]; then
      echo "wal:"; echo "  data_directory: $WORK/kvdb/data"; echo "  fsync: always"
    fi
  } > "$WORK/kvdb/config.yaml"
  java -jar "$JAR" --config "$WORK/kvdb/config.yaml" > "$WORK/kvdb/server.log" 2>&1 &
  KVDB_PID=$!
  wait_port "$KVDB_PORT"
}

start_redis() { # $1 = durable|memory
  rm -rf "$WORK/redis"; mkdir -p "$WORK/redis"
  if [ "$1" = durable ]; then
    redis-server --port "$REDIS_PORT" --dir "$WORK/redis" --save '' --appendonly yes --appendfsync always --daemonize yes >/dev/null
  else
    redis-server --port "$REDIS_PORT" --dir "$WORK/redis" --save '' --appendonly no --daemonize yes >/dev/null
  fi
  wait_port "$REDIS_PORT"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }


