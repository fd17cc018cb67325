#!/usr/bin/env bash
# The hostile-input and fault suites at full size, on demand (CI runs them at CI size):
#   protocol and replication-frame fuzzers, crash loops in every fsync mode, linearizability with
#   kills, the soak, abusive clients, Lincheck over KvStore and the replication fault harness.
#
#   kvdb-bench/scripts/hostile.sh            # full size: about an hour on 2 cores
#   SCALE=small kvdb-bench/scripts/hostile.sh  # a few times CI size: minutes
#
# Each suite prints its seed on failure; rerun one with its -Dkvdb.*Seed property (docs/reliability.md).
# Per-test timeouts are off for these runs; the fork timeout is 3 hours. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${SCALE:-full}" = small ]; then
  P=(-Dkvdb.fuzzCases=300000 -Dkvdb.crashCycles=20 -Dkvdb.linOps=10000 -Dkvdb.soakSeconds=120
     -Dkvdb.abuseScale=2 -Dkvdb.faultSeeds=50 -Dkvdb.lincheckIterations=200)
else
  P=(-Dkvdb.fuzzCases=2000000 -Dkvdb.crashCycles=200 -Dkvdb.linOps=250000 -Dkvdb.soakSeconds=600
     -Dkvdb.abuseScale=10 -Dkvdb.faultSeeds=1000 -Dkvdb.lincheckIterations=2000)
fi
mvn -B -q install -DskipTests
mvn -B test -pl kvdb-core,kvdb-replication,kvdb-server \
  -Dtest='ProtocolFuzzTest,FrameFuzzTest,CrashLoopTest,LinearizabilityTest,SoakTest,AbusiveClientsTest,RandomFaultsTest,LincheckTest' \
  -Dsurefire.failIfNoSpecifiedTests=false \
  -Djunit.jupiter.execution.timeout.mode=disabled -Dkvdb.forkTimeout=10800 \
  "${P[@]}"
