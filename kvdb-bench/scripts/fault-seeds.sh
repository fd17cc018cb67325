#!/usr/bin/env bash
# The replication fault harness (RandomFaultsTest) over many seeds, on demand: three embedded
# nodes through TCP proxies, random writes, link cuts and stalls, crashes and power cuts, stalled
# and full disks, wipes, snapshots and failovers (docs/reliability.md). CI runs 50 seeds.
#
#   SEEDS=2000 kvdb-bench/scripts/fault-seeds.sh     # about 20 minutes on 2 cores
#   SEED=10989405741773 kvdb-bench/scripts/fault-seeds.sh   # replay one seed
#
# On a failure it prints the seed and the steps the run took; the nodes' log lines are in
# kvdb-replication/target/surefire-reports/io.kvdb.replication.RandomFaultsTest-output.txt,
# each step marked "[fault run <seed>]".
set -euo pipefail
cd "$(dirname "$0")/../.."
SEEDS=${SEEDS:-1000}
if [ -n "${SEED:-}" ]; then P=(-Dkvdb.faultSeed="$SEED"); else P=(-Dkvdb.faultSeeds="$SEEDS"); fi
mvn -B -q install -DskipTests -pl kvdb-core,kvdb-wal
LOG=kvdb-replication/target/fault-seeds.log
mkdir -p kvdb-replication/target
status=0
mvn -B test -pl kvdb-replication -Dtest=RandomFaultsTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Djunit.jupiter.execution.timeout.mode=disabled -Dkvdb.forkTimeout=10800 "${P[@]}" \
  > "$LOG" 2>&1 || status=$?
report=kvdb-replication/target/surefire-reports/io.kvdb.replication.RandomFaultsTest.txt
if [ "$status" -ne 0 ]; then
  grep -m1 -o 'seed [0-9]* after steps .*' "$report" | cut -c1-4000 || tail -40 "$LOG"
  echo "FAILED (full output: $LOG)"
  exit 1
fi
grep -h 'Tests run:.*RandomFaultsTest' "$LOG" | tail -1
echo "all seeds passed"
