#!/usr/bin/env bash
# A Flink 1.19 standalone session cluster on 127.0.0.1 -- one JobManager, one TaskManager, each in
# its own JVM -- started from the Flink jars on Maven Central: no Flink distribution, no Docker.
# It does what Flink's bin/jobmanager.sh and bin/taskmanager.sh do: BashJavaUtils turns the memory
# settings of the configuration into JVM flags and dynamic properties, then the entry points run.
#
#   runner-profiles/flink-session-cluster.sh start [--rest-port=8081] [--rpc-port=6123] [--slots=2]
#                                                  [--work-dir=.paystream/flink] [--conf=FILE]
#   runner-profiles/flink-session-cluster.sh status   # GET /overview
#   runner-profiles/flink-session-cluster.sh stop     # TaskManager, then JobManager
#   runner-profiles/flink-session-cluster.sh start-taskmanager [--work-dir=DIR]   # a fresh
#       TaskManager for a running JobManager (after the previous one died, e.g. kill -9)
#   runner-profiles/flink-session-cluster.sh cli [--work-dir=DIR] list   # Flink's CLI (CliFrontend):
#       ... cli stop --savepointPath file:///tmp/sp <jobId>    stop with a savepoint
#       ... cli cancel <jobId>
#       ... cli run -d -s <savepoint> <jar> <args>             (a Beam jar: pass --flinkMaster=[auto])
#
# Options may also come from the environment: FLINK_REST_PORT, FLINK_RPC_PORT, FLINK_SLOTS,
# FLINK_WORK_DIR, FLINK_CONF_TEMPLATE, JAVA_HOME. The work directory holds the effective
# configuration (conf/config.yaml), logs (log/), checkpoints, savepoints and pid files; "stop" and
# "cli" must be given the same --work-dir as "start".
#
# The classpath is runner-profiles' dependencies (pom.xml), resolved once by Maven into
# runner-profiles/target/flink-cluster.classpath.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

REST_PORT=${FLINK_REST_PORT:-8081}
RPC_PORT=${FLINK_RPC_PORT:-6123}
SLOTS=${FLINK_SLOTS:-2}
WORK_DIR=${FLINK_WORK_DIR:-$ROOT/.paystream/flink}
CONF_TEMPLATE=${FLINK_CONF_TEMPLATE:-$HERE/flink-conf/config.yaml}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
START_TIMEOUT_S=${FLINK_START_TIMEOUT_S:-90}

die() { echo "flink-session-cluster: $*" >&2; exit 1; }
log() { echo "flink-session-cluster: $*" >&2; }

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

cmd=${1:-help}
[[ $# -gt 0 ]] && shift
if [[ $cmd == cli ]]; then
  if [[ ${1:-} == --work-dir=* ]]; then WORK_DIR=${1#*=}; shift; fi
else
  for arg in "$@"; do
    case $arg in
      --rest-port=*) REST_PORT=${arg#*=} ;;
      --rpc-port=*) RPC_PORT=${arg#*=} ;;
      --slots=*) SLOTS=${arg#*=} ;;
      --work-dir=*) WORK_DIR=${arg#*=} ;;
      --conf=*) CONF_TEMPLATE=${arg#*=} ;;
      *) die "unknown option $arg (see: $0 help)" ;;
    esac
  done
fi
mkdir -p "$WORK_DIR"
WORK_DIR=$(cd "$WORK_DIR" && pwd)
CONF_DIR=$WORK_DIR/conf
LOG_DIR=$WORK_DIR/log
PID_DIR=$WORK_DIR/pids

classpath() {
  local file=$HERE/target/flink-cluster.classpath
  if [[ ! -s $file || $HERE/pom.xml -nt $file ]]; then
    log "resolving the Flink jars (mvn dependency:build-classpath)"
    (cd "$HERE" && mvn -B -q dependency:build-classpath -Dmdep.outputFile="$file" >&2) \
      || die "could not resolve the Flink jars"
  fi
  cat "$file"
}

# The value of a flat "key: value" line of the effective configuration.
conf_value() { sed -n "s/^$1:[[:space:]]*//p" "$CONF_DIR/config.yaml" | tail -n 1; }

write_conf() {
  [[ -f $CONF_TEMPLATE ]] || die "no configuration template at $CONF_TEMPLATE"
  mkdir -p "$CONF_DIR" "$LOG_DIR" "$PID_DIR" "$WORK_DIR/tmp" "$WORK_DIR/checkpoints" "$WORK_DIR/savepoints"
  local managed='rest\.port|jobmanager\.rpc\.port|taskmanager\.numberOfTaskSlots|parallelism\.default|io\.tmp\.dirs|state\.checkpoints\.dir|state\.savepoints\.dir'
  {
    grep -Ev "^($managed):" "$CONF_TEMPLATE"
    echo
    echo "# ---- set by flink-session-cluster.sh"
    echo "rest.port: $REST_PORT"
    echo "jobmanager.rpc.port: $RPC_PORT"
    echo "taskmanager.numberOfTaskSlots: $SLOTS"
    echo "parallelism.default: $SLOTS"
    echo "io.tmp.dirs: $WORK_DIR/tmp"
    echo "state.checkpoints.dir: file://$WORK_DIR/checkpoints"
    echo "state.savepoints.dir: file://$WORK_DIR/savepoints"
  } > "$CONF_DIR/config.yaml"
  cp "$HERE/flink-conf/log4j.properties" "$CONF_DIR/log4j.properties"
}

# Runs BashJavaUtils like Flink's config.sh and prints its two result lines: JVM flags, then
# dynamic properties.
resource_params() {
  local cp=$1 what=$2 output
  output=$("$JAVA" -classpath "$cp" org.apache.flink.runtime.util.bash.BashJavaUtils "$what" \
    --configDir "$CONF_DIR" 2>&1) || die "BashJavaUtils $what failed: $output"
  output=$(grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"$output" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')
  [[ $(wc -l <<<"$output") -eq 2 ]] || die "BashJavaUtils $what: unexpected output: $output"
  echo "$output"
}

running() { [[ -f $PID_DIR/$1.pid ]] && kill -0 "$(cat "$PID_DIR/$1.pid")" 2>/dev/null; }

rest() { curl -fsS --max-time 5 "http://127.0.0.1:$REST_PORT$1"; }

start_process() {
  local name=$1 main=$2 cp=$3 params jvm dynamic
  params=$(resource_params "$cp" "$4")
  jvm=$(sed -n 1p <<<"$params")
  dynamic=$(sed -n 2p <<<"$params")
  # shellcheck disable=SC2086  # the flags are space-separated words, as in Flink's scripts
  nohup "$JAVA" $jvm $(conf_value env.java.opts.all) \
    -Dlog.file="$LOG_DIR/$name.log" \
    -Dlog4j.configuration="file:$CONF_DIR/log4j.properties" \
    -Dlog4j.configurationFile="file:$CONF_DIR/log4j.properties" \
    -classpath "$cp" "$main" --configDir "$CONF_DIR" $dynamic \
    > "$LOG_DIR/$name.out" 2>&1 < /dev/null &
  echo $! > "$PID_DIR/$name.pid"
  log "$name started, pid $!, log $LOG_DIR/$name.log"
}

wait_for() {
  local what=$1 check=$2 deadline=$((SECONDS + START_TIMEOUT_S))
  until eval "$check" > /dev/null 2>&1; do
    running jobmanager || die "the JobManager died; see $LOG_DIR/jobmanager.log and .out"
    ((SECONDS < deadline)) || die "no $what after ${START_TIMEOUT_S}s; see $LOG_DIR"
    sleep 0.5
  done
}

start() {
  if running jobmanager || running taskmanager; then
    die "already running in $WORK_DIR (stop it first: $0 stop --work-dir=$WORK_DIR)"
  fi
  command -v curl > /dev/null || die "curl is needed to wait for the REST endpoint"
  local cp begin=$SECONDS
  cp=$(classpath)
  write_conf
  start_process jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "$cp" GET_JM_RESOURCE_PARAMS
  wait_for "REST endpoint on port $REST_PORT" "rest /overview"
  start_process taskmanager org.apache.flink.runtime.taskexecutor.TaskManagerRunner "$cp" GET_TM_RESOURCE_PARAMS
  wait_for "registered TaskManager" "rest /overview | grep -q '\"taskmanagers\":[1-9]'"
  log "session cluster up in $((SECONDS - begin))s: http://127.0.0.1:$REST_PORT ($SLOTS slots; work dir $WORK_DIR)"
  echo "http://127.0.0.1:$REST_PORT"
}

# A new TaskManager JVM for the JobManager of the work directory, with the configuration "start"
# wrote: what a supervisor (systemd, Kubernetes) does after a TaskManager died.
start_taskmanager() {
  running jobmanager || die "no JobManager running in $WORK_DIR"
  running taskmanager && die "a TaskManager already runs in $WORK_DIR"
  local cp
  REST_PORT=$(conf_value rest.port)
  cp=$(classpath)
  # the dead TaskManager's log is kept; the new one's shows when it registered
  [[ -f $LOG_DIR/taskmanager.log ]] && mv "$LOG_DIR/taskmanager.log" "$LOG_DIR/taskmanager-$(date +%s).log"
  start_process taskmanager org.apache.flink.runtime.taskexecutor.TaskManagerRunner "$cp" GET_TM_RESOURCE_PARAMS
  wait_for "registered TaskManager" "grep -q 'Successful registration at resource manager' '$LOG_DIR/taskmanager.log'"
  log "TaskManager registered with the JobManager at http://127.0.0.1:$REST_PORT"
}

stop_process() {
  local name=$1 pid
  [[ -f $PID_DIR/$name.pid ]] || return 0
  pid=$(cat "$PID_DIR/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" && log "$name (pid $pid) did not stop in 15s: killed"
    log "$name stopped (pid $pid)"
  fi
  rm -f "$PID_DIR/$name.pid"
}

case $cmd in
  start) start ;;
  stop)
    stop_process taskmanager
    stop_process jobmanager
    ;;
  start-taskmanager) start_taskmanager ;;
  status)
    running jobmanager || die "no JobManager running in $WORK_DIR"
    REST_PORT=$(conf_value rest.port)
    rest /overview
    echo
    ;;
  cli)
    [[ -f $CONF_DIR/config.yaml ]] || die "no cluster configuration in $WORK_DIR (start one first, or set FLINK_WORK_DIR)"
    cp=$(classpath)
    # shellcheck disable=SC2046
    FLINK_CONF_DIR=$CONF_DIR exec "$JAVA" $(conf_value env.java.opts.all) \
      -Dlog.file="$LOG_DIR/client.log" -Dlog4j.configurationFile="file:$CONF_DIR/log4j.properties" \
      -classpath "$cp" org.apache.flink.client.cli.CliFrontend "$@"
    ;;
  help | -h | --help) usage ;;
  *) usage >&2; exit 2 ;;
esac
