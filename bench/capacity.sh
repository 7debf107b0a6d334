#!/usr/bin/env bash
# Capacity advice from the benchmark's per-core throughput (bench/results/): partitions, Flink
# parallelism and TaskManagers, broker disk and topic settings for a target payment rate, with the
# arithmetic printed. See bench/README.md.
#   bash bench/capacity.sh --rate=10000
#   bash bench/capacity.sh --rate=100000 --retentionDays=3 --recordBytes=350
# Extra Maven flags for the build: MAVEN_ARGS="-o -Dmaven.repo.local=/path/to/repo" bash bench/capacity.sh --rate=10000
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC2086 # MAVEN_ARGS is a list of flags
mvn -B -q ${MAVEN_ARGS:-} package -DskipTests -Dmaven.test.skip=true -pl bench -am
exec java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.paystream.bench.CapacityAdvice "$@"
