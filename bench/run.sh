#!/usr/bin/env bash
# The benchmark: builds, then runs bench/ with every contender in its own JVM. See bench/README.md.
#   bash bench/run.sh                       # defaults: limit and Flink embedded over 1M events, Flink on Beam's sink over 10k, Direct over 5k, 60 s latency mode
#   bash bench/run.sh --profile=true        # plus a JFR profile of the Flink run
#   bash bench/run.sh --mode=soak           # soak: Flink embedded over 10M events (hours)
#   bash bench/run.sh --events=200000 --contenders=limit,direct --latencySeconds=0
#   bash bench/run.sh --events=20000 --contenders=limit,direct --directEvents=300 --latencySeconds=0   # quick check (ReadmeCommandsIT)
# Extra Maven flags for the build: MAVEN_ARGS="-o -Dmaven.repo.local=/path/to/repo" bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# package, not install: the reactor resolves the modules from their target/ directories, so the
# benchmark leaves the local Maven repository (and other builds' SNAPSHOTs) untouched.
# shellcheck disable=SC2086 # MAVEN_ARGS is a list of flags
mvn -B -q ${MAVEN_ARGS:-} package -DskipTests -Dmaven.test.skip=true -pl bench -am
exec java -Xmx2g $(cat bench/target/classes/jdk17-opens.txt) -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.paystream.bench.Benchmark "$@"
