#!/usr/bin/env bash
# The write-path issue's memory scenario: one client pipelines N SETs of 2 KB values over 1,000 keys
# without reading, then reads every reply. Prints each server's peak RSS (VmHWM) and the time taken:
# kvdb (fsync always, default wal.max_pending_bytes) and Redis (appendonly, appendfsync always).
#
#   mvn -B -q package -DskipTests
#   kvdb-bench/scripts/pipeline-rss.sh            # N=1000000 by default (2 GB of requests)
#
# Needs python3, redis-server, redis-cli. Loopback only; both servers are stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-1000000}
# shellcheck source=servers.sh
. kvdb-bench/scripts/servers.sh

pipeline() { # $1 port
  python3 - "$1" "$N" <<'PY'
import socket, sys, threading, time
port, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
value = b"x" * 2048
def send():
    buf = []
    for i in range(n):
        key = b"key:%d" % (i % 1000)
        buf.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$2048\r\n%s\r\n" % (len(key), key, value))
        if len(buf) == 256:
            s.sendall(b"".join(buf)); buf = []
    if buf:
        s.sendall(b"".join(buf))
start = time.time()
send()          # without reading a single reply: the server must not buffer without bound
sent = time.time()
want, got = n * 5, 0
while got < want:
    chunk = s.recv(1 << 20)
    if not chunk:
        raise SystemExit("connection closed after %d reply bytes" % got)
    got += len(chunk)
print("sent in %.1f s, all %d replies read after %.1f s" % (sent - start, n, time.time() - start))
PY
}

peak() { awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$1/status"; }

echo "N=$N SETs of 2 KB over 1,000 keys, pipelined without reading"
start_kvdb durable; printf 'kvdb  (fsync always):      '; pipeline "$KVDB_PORT"; echo "      kvdb peak RSS: $(peak "$KVDB_PID")"; stop_all
start_redis durable; RPID=$(redis-cli -p "$REDIS_PORT" info server | tr -d '\r' | awk -F: '/^process_id:/ { print $2 }')
printf 'redis (appendfsync always): '; pipeline "$REDIS_PORT"; echo "      redis peak RSS: $(peak "$RPID")"; stop_all
