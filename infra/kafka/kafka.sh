#!/usr/bin/env bash
# Run a real single-node Apache Kafka broker (KRaft, combined broker+controller) from the
# Maven Central jars resolved by infra/kafka/pom.xml. No Docker, no tarball.
#
#   infra/kafka/kafka.sh fetch|start|stop|status|clean
#
# Environment (all optional):
#   KAFKA_PORT              broker (PLAINTEXT) port on 127.0.0.1      default 9092
#   KAFKA_CONTROLLER_PORT   KRaft controller port on 127.0.0.1        default KAFKA_PORT+1
#   KAFKA_RUN_DIR           state dir (config, data, logs, pid)       default <repo>/.run/kafka
#   KAFKA_START_TIMEOUT     seconds to wait for readiness             default 90
#   KAFKA_STOP_TIMEOUT      seconds to wait for a clean shutdown      default 30
#   KAFKA_HEAP_OPTS         JVM heap options                          default -Xms256m -Xmx512m
#   KAFKA_OPTS              extra JVM options appended to the broker command line
#   PYTHON                  interpreter (with aiokafka) for the readiness probe
#   JAVA_HOME               use $JAVA_HOME/bin/java instead of java from PATH
# See infra/kafka/README.md.
set -euo pipefail

readonly KAFKA_VERSION="3.9.2"

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/../.." && pwd -P)"
readonly SCRIPT_DIR REPO_ROOT
readonly LIB_DIR="$SCRIPT_DIR/lib"
readonly MARKER="$LIB_DIR/.fetched-kafka-$KAFKA_VERSION"
readonly WORK_DIR="$SCRIPT_DIR/target" # git-ignored scratch space for fetch

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_OPTS="${KAFKA_OPTS:-}"
RUN_DIR="${KAFKA_RUN_DIR:-$REPO_ROOT/.run/kafka}"

# ---------------------------------------------------------------------------- helpers

say() { printf 'kafka: %s\n' "$*"; }
die() {
    printf 'kafka: error: %s\n' "$*" >&2
    exit 1
}

# Milliseconds since the epoch (bash 5 EPOCHREALTIME; strip the locale's decimal mark).
now_ms() {
    local us="${EPOCHREALTIME//[!0-9]/}"
    printf '%d' "$((10#$us / 1000))"
}

# "12.3s" elapsed since a now_ms timestamp.
since() {
    local ms=$(($(now_ms) - $1))
    printf '%d.%ds' "$((ms / 1000))" "$(((ms % 1000) / 100))"
}

# Path for messages: relative to the repo when inside it.
pretty() {
    case "$1" in
    "$REPO_ROOT"/*) printf '%s' "${1#"$REPO_ROOT"/}" ;;
    *) printf '%s' "$1" ;;
    esac
}

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

java_bin() {
    if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
        printf '%s' "$JAVA_HOME/bin/java"
    elif command -v java >/dev/null 2>&1; then
        printf 'java'
    else
        die "java not found (install a JDK 17+ or set JAVA_HOME)"
    fi
}

# Alive and not a zombie.
pid_alive() {
    local pid=$1 state
    kill -0 "$pid" 2>/dev/null || return 1
    state="$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null || true)"
    [[ $state != Z ]]
}

# Something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

resolve_settings() {
    is_uint "$KAFKA_PORT" || die "KAFKA_PORT must be a port number, got '$KAFKA_PORT'"
    if [[ -z $KAFKA_CONTROLLER_PORT ]]; then
        KAFKA_CONTROLLER_PORT=$((KAFKA_PORT + 1))
    fi
    is_uint "$KAFKA_CONTROLLER_PORT" ||
        die "KAFKA_CONTROLLER_PORT must be a port number, got '$KAFKA_CONTROLLER_PORT'"
    [[ $KAFKA_PORT != "$KAFKA_CONTROLLER_PORT" ]] ||
        die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ ($KAFKA_PORT)"
    is_uint "$KAFKA_START_TIMEOUT" || die "KAFKA_START_TIMEOUT must be whole seconds"
    is_uint "$KAFKA_STOP_TIMEOUT" || die "KAFKA_STOP_TIMEOUT must be whole seconds"
    # Absolute run dir, whatever the caller's cwd (it ends up in configs and on the java
    # command line, which is how we recognise our own broker process).
    [[ $RUN_DIR == /* ]] || RUN_DIR="$PWD/$RUN_DIR"
    RUN_DIR="${RUN_DIR%/}"
    case "$RUN_DIR" in
    "" | / | "$HOME" | "$REPO_ROOT") die "refusing to use '$RUN_DIR' as KAFKA_RUN_DIR" ;;
    esac
    DATA_DIR="$RUN_DIR/data"
    PID_FILE="$RUN_DIR/kafka.pid"
    SERVER_PROPS="$RUN_DIR/server.properties"
    LOG4J_PROPS="$RUN_DIR/log4j.properties"
    LOG_FILE="$RUN_DIR/kafka.log"
    OUT_FILE="$RUN_DIR/kafka.out"
    LOCK_FILE="$RUN_DIR/.lock"
}

# Serialise start/stop/clean on one run dir (fd stays open until the script exits).
lock_run_dir() {
    mkdir -p "$RUN_DIR"
    exec {RUN_LOCK_FD}>"$LOCK_FILE"
    if ! flock -w 180 "$RUN_LOCK_FD"; then
        die "another kafka.sh is busy with $(pretty "$RUN_DIR") (lock $(pretty "$LOCK_FILE"))"
    fi
}

# PID of the broker running from this run dir, if any (checks the command line, so a
# recycled PID or a broker from another run dir is never mistaken for ours).
running_pid() {
    local pid cmdline
    [[ -f $PID_FILE ]] || return 1
    pid="$(<"$PID_FILE")"
    is_uint "$pid" || return 1
    pid_alive "$pid" || return 1
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    [[ $cmdline == *"kafka.Kafka $SERVER_PROPS"* ]] || return 1
    printf '%s' "$pid"
}

# key=value lookup in a properties file.
prop() {
    sed -n "s/^$2=//p" "$1" 2>/dev/null | tail -n 1
}

# Port the broker of this run dir was started with (may differ from $KAFKA_PORT).
running_port() {
    local l
    l="$(prop "$SERVER_PROPS" advertised.listeners)"
    printf '%s' "${l##*:}"
}

python_cmd() {
    if [[ -n ${PYTHON:-} ]]; then
        # shellcheck disable=SC2206 # allow PYTHON="uv run python"
        PY=($PYTHON)
    elif [[ -x $REPO_ROOT/.venv/bin/python ]]; then
        PY=("$REPO_ROOT/.venv/bin/python")
    elif command -v uv >/dev/null 2>&1; then
        PY=(uv run --no-sync --project "$REPO_ROOT" python)
    else
        PY=(python3)
    fi
}

# wait_ready.py: 0 ready, 1 timeout, 2 process died.
probe() { # probe <port> <timeout-s> [extra args...]
    local port=$1 timeout=$2
    shift 2
    python_cmd
    (cd "$REPO_ROOT" && "${PY[@]}" "$SCRIPT_DIR/wait_ready.py" \
        --bootstrap "127.0.0.1:$port" --timeout "$timeout" "$@")
}

show_logs() {
    local f
    for f in "$LOG_FILE" "$OUT_FILE"; do
        [[ -s $f ]] || continue
        printf -- '----- last 40 lines of %s -----\n' "$f" >&2
        tail -n 40 "$f" >&2
    done
}

# -------------------------------------------------------------------------------- fetch

cmd_fetch() {
    local t0 pom_sum tmp nfiles size
    t0="$(now_ms)"
    pom_sum="$(sha256sum "$SCRIPT_DIR/pom.xml" | cut -d' ' -f1)"
    if [[ -f $MARKER && "$(<"$MARKER")" == "$pom_sum" ]]; then
        say "reusing Kafka $KAFKA_VERSION jars in $(pretty "$LIB_DIR") ($(since "$t0"))"
        return 0
    fi
    command -v mvn >/dev/null 2>&1 || die "mvn not found (Maven 3.6.3+ is needed to fetch the jars)"
    mkdir -p "$WORK_DIR"
    local fd
    exec {fd}>"$WORK_DIR/fetch.lock"
    flock -w 600 "$fd" || die "timed out waiting for another fetch (lock $WORK_DIR/fetch.lock)"
    if [[ -f $MARKER && "$(<"$MARKER")" == "$pom_sum" ]]; then # fetched while we waited
        exec {fd}>&-
        say "reusing Kafka $KAFKA_VERSION jars in $(pretty "$LIB_DIR") ($(since "$t0"))"
        return 0
    fi
    tmp="$WORK_DIR/lib.tmp.$$"
    rm -rf "$tmp"
    if ! mvn -B -q -Dstyle.color=never -f "$SCRIPT_DIR/pom.xml" \
        dependency:copy-dependencies -DoutputDirectory="$tmp" -DincludeScope=runtime \
        >"$WORK_DIR/mvn.log" 2>&1; then
        tail -n 40 "$WORK_DIR/mvn.log" >&2
        rm -rf "$tmp"
        die "mvn could not resolve the Kafka $KAFKA_VERSION jars (log: $(pretty "$WORK_DIR/mvn.log"))"
    fi
    compgen -G "$tmp/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null ||
        die "mvn succeeded but kafka_2.13-$KAFKA_VERSION.jar is missing from $tmp"
    printf '%s\n' "$pom_sum" >"$tmp/.fetched-kafka-$KAFKA_VERSION"
    rm -rf "$LIB_DIR"
    mv "$tmp" "$LIB_DIR"
    exec {fd}>&-
    nfiles="$(find "$LIB_DIR" -name '*.jar' | wc -l)"
    size="$(du -sh "$LIB_DIR" | cut -f1)"
    say "downloaded Kafka $KAFKA_VERSION jars ($nfiles jars, $size) into $(pretty "$LIB_DIR") in $(since "$t0")"
}

# -------------------------------------------------------------------------------- start

write_configs() {
    cat >"$SERVER_PROPS" <<EOF
# Generated by infra/kafka/kafka.sh -- rewritten on every start; edit the script instead.
# Single-node KRaft: one process is both broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA_DIR

# Single node: every replication factor / ISR is 1.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
default.replication.factor=1
min.insync.replicas=1

# Test friendly.
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
num.partitions=3

# Retention: a day or 1 GiB per partition, small segments so compaction and deletion act.
log.retention.hours=24
log.retention.bytes=1073741824
log.segment.bytes=16777216
log.retention.check.interval.ms=60000

# Compacted topics are used: keep the cleaner on, with a heap-friendly dedupe buffer.
log.cleaner.enable=true
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=16777216
log.cleaner.backoff.ms=5000

# Small machine.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
EOF

    cat >"$LOG4J_PROPS" <<EOF
# Generated by infra/kafka/kafka.sh. Quiet broker: WARN and up, plus a few startup lines.
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$LOG_FILE
log4j.appender.file.Append=true
log4j.appender.file.MaxFileSize=10MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
log4j.logger.kafka.server.ControllerServer=INFO
log4j.logger.kafka.server.SharedServer=INFO
log4j.logger.org.apache.kafka.common.utils.AppInfoParser=INFO
log4j.logger.org.apache.kafka.common.config.AbstractConfig=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
EOF
}

# Short-lived JVM for the storage tool.
storage_tool() {
    "$(java_bin)" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
        "-Dlog4j.configuration=file:$LOG4J_PROPS" \
        -cp "$LIB_DIR/*" kafka.tools.StorageTool "$@"
}

format_if_needed() {
    local cid out
    if [[ -f $DATA_DIR/meta.properties ]]; then
        return 0
    fi
    mkdir -p "$DATA_DIR"
    if ! cid="$(storage_tool random-uuid 2>>"$OUT_FILE")" || [[ -z $cid ]]; then
        show_logs
        die "kafka.tools.StorageTool random-uuid failed"
    fi
    cid="$(printf '%s' "$cid" | tail -n 1 | tr -d '[:space:]')"
    if ! out="$(storage_tool format -t "$cid" -c "$SERVER_PROPS" 2>&1)"; then
        printf '%s\n' "$out" >>"$OUT_FILE"
        show_logs
        die "kafka.tools.StorageTool format failed"
    fi
    printf '%s\n' "$out" >>"$OUT_FILE"
    say "formatted KRaft log dir $(pretty "$DATA_DIR") (cluster id $cid)"
}

cmd_start() {
    local t0 pid port rc cid
    t0="$(now_ms)"
    cmd_fetch
    lock_run_dir

    if pid="$(running_pid)"; then
        port="$(running_port)"
        if [[ $port != "$KAFKA_PORT" ]]; then
            say "note: the broker in $(pretty "$RUN_DIR") uses port $port, not KAFKA_PORT=$KAFKA_PORT" >&2
        fi
        cid="$(prop "$DATA_DIR/meta.properties" cluster.id)"
        if probe "$port" 5 --cluster-id "$cid" 2>/dev/null; then
            say "already running (pid $pid) on 127.0.0.1:$port (Kafka $KAFKA_VERSION), run dir $(pretty "$RUN_DIR")"
            return 0
        fi
        say "pid $pid is running but not answering yet; waiting up to ${KAFKA_START_TIMEOUT}s"
        rc=0
        probe "$port" "$KAFKA_START_TIMEOUT" --pid "$pid" --cluster-id "$cid" || rc=$?
        if ((rc == 0)); then
            say "ready on 127.0.0.1:$port (Kafka $KAFKA_VERSION) in $(since "$t0")"
            return 0
        fi
        show_logs
        die "broker pid $pid in $(pretty "$RUN_DIR") does not answer (left running; try: $0 stop)"
    fi
    rm -f "$PID_FILE"

    local p
    for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
        if port_in_use "$p"; then
            die "port 127.0.0.1:$p is already in use (another broker? set KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
        fi
    done

    write_configs
    format_if_needed
    cid="$(prop "$DATA_DIR/meta.properties" cluster.id)"
    [[ -n $cid ]] || die "no cluster.id in $DATA_DIR/meta.properties"

    # shellcheck disable=SC2206 # word splitting of the *_OPTS strings is intended
    local jvm_opts=(
        $KAFKA_HEAP_OPTS
        -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
        -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError
        -Djava.awt.headless=true
        "-Dlog4j.configuration=file:$LOG4J_PROPS"
        "-Dkafka.logs.dir=$RUN_DIR"
        $KAFKA_OPTS
    )
    {
        printf '\n===== %s starting Kafka %s: java' "$(date '+%Y-%m-%d %H:%M:%S')" "$KAFKA_VERSION"
        printf ' %s' "${jvm_opts[@]}"
        printf ' -cp %s kafka.Kafka %s\n' "$LIB_DIR/*" "$SERVER_PROPS"
    } >>"$OUT_FILE"
    # nohup: survive the terminal going away; the lock fd must not leak into the JVM.
    nohup "$(java_bin)" "${jvm_opts[@]}" -cp "$LIB_DIR/*" kafka.Kafka "$SERVER_PROPS" \
        </dev/null >>"$OUT_FILE" 2>&1 {RUN_LOCK_FD}>&- &
    pid=$!
    printf '%s\n' "$pid" >"$PID_FILE"

    rc=0
    probe "$KAFKA_PORT" "$KAFKA_START_TIMEOUT" --pid "$pid" --cluster-id "$cid" || rc=$?
    if ((rc == 0)); then
        say "ready on 127.0.0.1:$KAFKA_PORT (Kafka $KAFKA_VERSION) in $(since "$t0")"
        return 0
    fi
    if ((rc == 2)) || ! pid_alive "$pid"; then
        show_logs
        rm -f "$PID_FILE"
        die "the broker JVM (pid $pid) exited during startup; see $(pretty "$LOG_FILE") and $(pretty "$OUT_FILE")"
    fi
    show_logs
    stop_pid "$pid" >/dev/null
    rm -f "$PID_FILE"
    die "broker not ready after ${KAFKA_START_TIMEOUT}s; stopped it (pid $pid)"
}

# --------------------------------------------------------------------------- stop etc.

# SIGTERM, wait up to KAFKA_STOP_TIMEOUT, then SIGKILL. Prints how it went.
stop_pid() {
    local pid=$1 t0 deadline
    t0="$(now_ms)"
    deadline=$((t0 + KAFKA_STOP_TIMEOUT * 1000))
    kill -TERM "$pid" 2>/dev/null || true
    while pid_alive "$pid" && (($(now_ms) < deadline)); do
        sleep 0.1
    done
    if pid_alive "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
        while pid_alive "$pid"; do sleep 0.1; done
        say "pid $pid did not stop within ${KAFKA_STOP_TIMEOUT}s: killed (SIGKILL)"
    else
        say "stopped (pid $pid) in $(since "$t0")"
    fi
}

cmd_stop() {
    local pid
    if [[ ! -d $RUN_DIR ]]; then
        say "not running (no run dir $(pretty "$RUN_DIR"))"
        return 0
    fi
    lock_run_dir
    if pid="$(running_pid)"; then
        stop_pid "$pid"
    else
        say "not running (run dir $(pretty "$RUN_DIR"))"
    fi
    rm -f "$PID_FILE"
}

cmd_status() {
    local pid
    if pid="$(running_pid)"; then
        say "running (pid $pid) on 127.0.0.1:$(running_port) (Kafka $KAFKA_VERSION), run dir $(pretty "$RUN_DIR")"
        return 0
    fi
    say "not running (run dir $(pretty "$RUN_DIR"))"
    return 1
}

cmd_clean() {
    cmd_stop
    [[ -d $RUN_DIR ]] || return 0
    # Remove only what this script creates, then the dir itself if that left it empty.
    rm -rf -- "$DATA_DIR" "$SERVER_PROPS" "$LOG4J_PROPS" "$PID_FILE" "$OUT_FILE" "$LOG_FILE"*
    rm -f -- "$LOCK_FILE"
    rmdir -- "$RUN_DIR" 2>/dev/null || true
    say "cleaned $(pretty "$RUN_DIR")"
}

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

main() {
    local cmd="${1:-}"
    case "$cmd" in
    fetch) cmd_fetch ;;
    start | stop | status | clean)
        resolve_settings
        "cmd_$cmd"
        ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
}

main "$@"
