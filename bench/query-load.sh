#!/usr/bin/env bash
# Load test of the query service's feature lookup: 1,000 GET /customers/{id}/features per second for
# 30 s (after 10 s of warm-up) against a service on the local stack's Redis; prints the achieved rate
# and p50/p90/p99 latencies, writes bench/results/query-load-<time>.json. About 1.5 minutes.
#   bash bench/query-load.sh
#   bash bench/query-load.sh --rate=2000 --seconds=60
# Extra Maven flags for the build: MAVEN_ARGS="-o -Dmaven.repo.local=/path/to/repo" bash bench/query-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC2086 # MAVEN_ARGS is a list of flags
mvn -B -q ${MAVEN_ARGS:-} install -DskipTests -Dmaven.test.skip=true -pl bench -am
exec java -Xmx1g -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.paystream.bench.QueryLoad "$@"
