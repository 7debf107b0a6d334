#!/usr/bin/env bash
# Load test of the query service's feature lookup: GET /customers/{id}/features open loop at a fixed
# rate (default 1,000/s) for 30 s after 10 s of warm-up that is not counted, against the service in
# its own JVM on the local stack's Redis (10,000 customers); prints requests/s, p50/p90/p99/p99.9,
# errors and the load average beside the target (p99 <= 5 ms), writes
# bench/results/query-load-<time>.json. About 40 s plus 30 s per rate, after the build.
#   bash bench/query-load.sh
#   bash bench/query-load.sh --rate=1000,2000,4000 --seconds=20
#   bash bench/query-load.sh --serverJfr=/tmp/query-service.jfr   # then: java -cp bench/target/classes dev.paystream.bench.JfrSummary /tmp/query-service.jfr
# Builds with the reactor (package, no install: the modules' jars stay in their target/ directories).
# Extra Maven flags for the build: MAVEN_ARGS="-o -Dmaven.repo.local=/path/to/repo" bash bench/query-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC2086 # MAVEN_ARGS is a list of flags
mvn -B -q ${MAVEN_ARGS:-} package -DskipTests -Dmaven.test.skip=true -pl bench -am
exec java -Xmx512m -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.paystream.bench.QueryLoad "$@"
