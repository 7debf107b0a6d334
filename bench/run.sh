#!/usr/bin/env bash
# The benchmark: builds, then runs bench/ with every contender in its own JVM.
#   bash bench/run.sh                       # defaults: 1M events, limit + Flink embedded + Direct, 60 s latency mode
#   bash bench/run.sh --events=200000 --contenders=limit,direct --latencySeconds=0
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -Dmaven.test.skip=true -pl bench -am
exec java -Xmx2g $(cat bench/target/classes/jdk17-opens.txt) -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.paystream.bench.Benchmark "$@"
