#!/usr/bin/env bash
# Start-up and memory, kvdb beside Redis in one run (efficiency issue): the README's launch command
# (java -jar kvdb-server.jar, default heap, built-in defaults: a WAL in ./data with fsync always)
# against redis-server with appendonly yes / appendfsync always.
#
#   mvn -B -q package -DskipTests && kvdb-bench/scripts/footprint.sh
#
# Prints, per server and round: start to the first PONG on an empty data directory, and the RSS
# of the idle server 2 s later. ROUNDS=3. JAVA_OPTS adds JVM options (to measure candidates).
# kvdb runs with its built-in defaults, so on its default ports (3223, and 3333 for slaves): run
# nothing else on them meanwhile. Redis on 7392. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
JAR=${JAR:-kvdb-server/target/kvdb-server.jar}
KVDB_PORT=3223 # the built-in default
REDIS_PORT=${REDIS_PORT:-7392}
WORK=$(mktemp -d /tmp/kvdb-footprint.XXXXXX)
PID=""
cleanup() {
  [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for tool in redis-server redis-cli python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool"; exit 1; }
done
[ -f "$JAR" ] || { echo "missing $JAR: run mvn -B -q package -DskipTests first"; exit 1; }
JAR=$(realpath "$JAR")

# Seconds from now until a PING on $1 is answered, polled every millisecond (python: a shell loop
# would add a process start per poll).
until_pong() {
  python3 - "$1" <<'EOF'
import socket, sys, time
port = int(sys.argv[1]); start = time.monotonic()
while time.monotonic() - start < 30:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1)
        s.sendall(b"PING\r\n")
        if s.recv(16).startswith(b"+PONG"):
            print("%.3f" % (time.monotonic() - start)); sys.exit(0)
    except OSError:
        time.sleep(0.001)
print("timeout"); sys.exit(1)
EOF
}

rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$WORK/kvdb" && mkdir -p "$WORK/kvdb"
  # The README's command, from a directory of its own (the defaults put the WAL in ./data).
  (cd "$WORK/kvdb" && exec env -u CONFIG_FILEPATH java ${JAVA_OPTS:-} -jar "$JAR" \
    > "$WORK/kvdb.log" 2>&1) &
  PID=$!
  t=$(until_pong "$KVDB_PORT")
  sleep 2
  echo "round $round kvdb:  first PONG ${t}s  idle RSS $(rss_mb "$PID") MB"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""

  rm -rf "$WORK/redis" && mkdir -p "$WORK/redis"
  redis-server --port "$REDIS_PORT" --dir "$WORK/redis" --appendonly yes --appendfsync always \
    --save "" --daemonize no > "$WORK/redis.log" 2>&1 &
  PID=$!
  t=$(until_pong "$REDIS_PORT")
  sleep 2
  echo "round $round redis: first PONG ${t}s  idle RSS $(rss_mb "$PID") MB"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
done
