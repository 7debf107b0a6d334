#!/usr/bin/env bash
# The fault-injection suite (issue 9): payments streamed at a fixed rate through the fraud pipeline
# on a Flink session cluster (PostgreSQL and Redis sinks on) while faults are injected in turn, then
# audited with a read_committed consumer. Prints: fault, events, lost, duplicated, time to recover.
#   bash chaos/run.sh                 # 200,000 payments at 600/s; TaskManager kill -9, stop with
#                                     # savepoint + restore, poison records, PostgreSQL and Redis down 30 s,
#                                     # JobManager kill -9 + restart from the retained checkpoint,
#                                     # Kafka broker down 30 s (data kept); then the analytics
#                                     # job's TaskManager kill -9, audited per merchant window
#   bash chaos/run.sh --short         # 10,000 at 100/s; broker down 30 s, poison, TaskManager kill (CI)
#   bash chaos/run.sh --records=50000 --rate=400
# Builds the job jar (-Pflink-runner) and runs ChaosSuite; the cluster's logs, checkpoints and the report
# stay under pipelines/target/chaos/<run>/. Extra Maven flags: MAVEN_ARGS="-o" bash chaos/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mode=full
props=()
for arg in "$@"; do
  case $arg in
    --short) mode=short ;;
    --records=*) props+=("-Dpaystream.chaos.records=${arg#*=}") ;;
    --rate=*) props+=("-Dpaystream.chaos.rate=${arg#*=}") ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
rm -f "pipelines/target/chaos/report-$mode.txt"
status=0
# shellcheck disable=SC2086 # MAVEN_ARGS is a list of flags
mvn -B -q ${MAVEN_ARGS:-} -Pflink-runner -pl pipelines -am verify \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ChaosSuite -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dpaystream.chaos="$mode" ${props[@]+"${props[@]}"} || status=$?
if [[ -f pipelines/target/chaos/report-$mode.txt ]]; then
  cat "pipelines/target/chaos/report-$mode.txt"
else
  echo "chaos: no report; see pipelines/target/failsafe-reports/ and pipelines/target/chaos/" >&2
fi
exit $status
