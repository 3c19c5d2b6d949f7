#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for PromoFlow development and tests, built from the
# Debian server packages (no Docker, no systemd, no pg_ctlcluster).
#
#   postgres.sh install   install the Debian `postgresql` package if no server binaries exist
#   postgres.sh start     install, initdb (first time) and start; prints the DSN
#   postgres.sh stop      fast shutdown; exit 0 if it was not running
#   postgres.sh status    exit 0 if running, 1 if not
#   postgres.sh clean     stop and delete the run dir (and its shadow dir, see below)
#   postgres.sh dsn       print the SQLAlchemy DSN for PG_PORT
#
# Environment:
#   PG_RUN_DIR        run dir (default <repo>/.run/postgres)
#   PG_PORT           TCP port on 127.0.0.1 (default 5433; 5432 belongs to Debian's 15/main)
#   PG_START_TIMEOUT  seconds to wait for readiness (default 60)
#   PG_OS_USER        system user that owns the cluster when this script runs as root
#                     (default postgres; created as a system user if missing)
#   PG_SHADOW_BASE    where the data dir goes when PG_OS_USER cannot reach PG_RUN_DIR
#                     (root only, default /var/tmp/promoflow-postgres)
#
# The cluster is independent of Debian's default cluster (15/main on port 5432, created and
# maybe auto-started by the package): we neither use it nor stop it.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_DIR="$(cd -- "$SCRIPT_DIR/../.." && pwd -P)"

PG_PORT="${PG_PORT:-5433}"
PG_START_TIMEOUT="${PG_START_TIMEOUT:-60}"
PG_OS_USER="${PG_OS_USER:-postgres}"
PG_SHADOW_BASE="${PG_SHADOW_BASE:-/var/tmp/promoflow-postgres}"
RUN_DIR_RAW="${PG_RUN_DIR:-$REPO_DIR/.run/postgres}"
# Absolute, normalised path (the directory need not exist yet).
RUN_DIR="$(realpath -m -- "$RUN_DIR_RAW")"
# All paths are absolute from here on. The caller's cwd may be unreadable for the server user
# (or for us, e.g. /root after runuser); PostgreSQL tools warn about that, so leave it.
cd /

APP_USER=promoflow
APP_PASSWORD=promoflow
APP_DB=promoflow
SUPERUSER=postgres
MARKER=".promoflow-postgres"

log() { printf 'postgres: %s\n' "$*"; }
die() { printf 'postgres: error: %s\n' "$*" >&2; exit 1; }

[[ "$PG_PORT" =~ ^[0-9]+$ ]] && ((PG_PORT > 0 && PG_PORT < 65536)) || die "bad PG_PORT: $PG_PORT"
[[ "$PG_START_TIMEOUT" =~ ^[0-9]+$ ]] || die "bad PG_START_TIMEOUT: $PG_START_TIMEOUT"
case "$RUN_DIR" in
  / | /root | /home | /tmp | /var | /var/tmp | /usr | /etc | "${HOME:-/}" | "$REPO_DIR")
    die "refusing to use $RUN_DIR as PG_RUN_DIR" ;;
esac

dsn() { printf 'postgresql+psycopg://%s:%s@127.0.0.1:%s/%s\n' "$APP_USER" "$APP_PASSWORD" "$1" "$APP_DB"; }

now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# ---------------------------------------------------------------------------------------
# Binaries
# ---------------------------------------------------------------------------------------

# Newest major version with a server (initdb) under /usr/lib/postgresql, or nothing.
newest_major() {
  local d
  for d in /usr/lib/postgresql/*/bin/initdb; do
    [[ -x "$d" ]] && basename "$(dirname "$(dirname "$d")")"
  done | sort -V | tail -n 1
}

server_version() { # major -> "15.18"
  "/usr/lib/postgresql/$1/bin/postgres" --version | awk '{ print $3 }'
}

cmd_install() {
  local major t0
  major="$(newest_major)"
  if [[ -n "$major" ]]; then
    log "already installed (version $(server_version "$major"))"
    return 0
  fi
  t0="$(now)"
  local -a sudo=()
  if ! is_root; then
    command -v sudo >/dev/null 2>&1 || die "PostgreSQL server is not installed and this is not root (no sudo either)"
    sudo=(sudo -n)
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Try without `apt-get update` first: on a machine with fresh lists it saves many seconds.
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; then
    log "apt-get install failed; running apt-get update and retrying"
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
  fi
  major="$(newest_major)"
  [[ -n "$major" ]] || die "apt-get install postgresql did not provide /usr/lib/postgresql/*/bin/initdb"
  log "installed version $(server_version "$major") in $(elapsed "$t0") s"
}

# ---------------------------------------------------------------------------------------
# Who runs the server, and where its files live
# ---------------------------------------------------------------------------------------
#
# initdb and postgres refuse to run as root (and pg_ctl refuses even `status`). As root we
# therefore run them as PG_OS_USER via runuser. That user must be able to reach the data
# directory and the socket directory, i.e. search (x) permission on every parent. This is
# not the case when the repo lives under /root (mode 700) or in a CI clone made with
# `mktemp -d` (mode 700). We do NOT chmod o+x those parents: it would silently loosen the
# permissions of a home or temp directory we do not own, for the lifetime of the machine.
# Instead, when the run dir is unreachable for PG_OS_USER, the cluster directory (data/ and
# socket/) goes to a "shadow" dir $PG_SHADOW_BASE/<hash of run dir>, which root creates with
# reachable permissions, and the run dir gets symlinks `data` and `socket` pointing there.
# The server log stays in the run dir in both cases: root opens it and hands the open file
# to the server as its stdout/stderr, so the server never has to resolve that path.
#
# Layout of the run dir:
#   .promoflow-postgres  marker (clean/start refuse to touch non-empty dirs without it)
#   postgres.log         server log (appended, kept after stop)
#   initdb.log           output of initdb
#   data/                PGDATA (or symlink into the shadow dir)
#   socket/              unix socket directory (or symlink into the shadow dir)
#   .lock                flock to serialise concurrent start/stop/clean on this run dir

as_pg() { # run a command as the cluster owner
  if is_root; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

ensure_os_user() {
  is_root || return 0
  if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    log "creating system user $PG_OS_USER"
    useradd --system --user-group --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin "$PG_OS_USER"
  fi
}

shadow_dir() {
  printf '%s/%s\n' "$PG_SHADOW_BASE" "$(printf '%s' "$RUN_DIR" | sha256sum | cut -c1-16)"
}

# Where data/ and socket/ really live (after resolving symlinks), or "" if not created yet.
cluster_dir() {
  if [[ -L "$RUN_DIR/data" ]]; then
    dirname "$(readlink -- "$RUN_DIR/data")"
  elif [[ -d "$RUN_DIR/data" ]]; then
    printf '%s\n' "$RUN_DIR"
  fi
}

check_marker_or_empty() {
  [[ -d "$RUN_DIR" ]] || return 0
  [[ -e "$RUN_DIR/$MARKER" ]] && return 0
  [[ -z "$(ls -A -- "$RUN_DIR")" ]] && return 0
  die "$RUN_DIR exists, is not empty and was not created by this script; refusing to use it"
}

lock_run_dir() {
  exec 9>>"$RUN_DIR/.lock"
  flock -w "$((PG_START_TIMEOUT + 60))" 9 || die "timed out waiting for the lock on $RUN_DIR"
}

# Choose (and create) the cluster dir; the run dir exists and is locked. Prints the cluster dir.
prepare_dirs() {
  local cdir
  cdir="$(cluster_dir)"
  if [[ -n "$cdir" ]]; then
    printf '%s\n' "$cdir"
    return 0
  fi
  if ! is_root; then
    mkdir -p -m 700 -- "$RUN_DIR/data" "$RUN_DIR/socket"
    printf '%s\n' "$RUN_DIR"
    return 0
  fi
  # Root: can PG_OS_USER reach the run dir? (test -x needs search permission on every
  # ancestor; we test the parent because the run dir itself gets chowned to PG_OS_USER.)
  if runuser -u "$PG_OS_USER" -- test -x "$(dirname -- "$RUN_DIR")"; then
    chown -- "$PG_OS_USER:" "$RUN_DIR"
    install -d -m 700 -o "$PG_OS_USER" -g "$(id -gn "$PG_OS_USER")" -- "$RUN_DIR/data"
    install -d -m 755 -o "$PG_OS_USER" -g "$(id -gn "$PG_OS_USER")" -- "$RUN_DIR/socket"
    printf '%s\n' "$RUN_DIR"
    return 0
  fi
  # Shadow dir. PG_SHADOW_BASE may sit in a world-writable dir (/var/tmp): make sure nobody
  # else pre-created it (e.g. as a symlink) before we chown things inside it.
  if [[ -e "$PG_SHADOW_BASE" || -L "$PG_SHADOW_BASE" ]]; then
    [[ -d "$PG_SHADOW_BASE" && ! -L "$PG_SHADOW_BASE" && "$(stat -c %u -- "$PG_SHADOW_BASE")" == 0 ]] \
      || die "$PG_SHADOW_BASE exists but is not a root-owned directory"
  else
    install -d -m 711 -o root -g root -- "$PG_SHADOW_BASE"
  fi
  chmod 711 -- "$PG_SHADOW_BASE"
  runuser -u "$PG_OS_USER" -- test -x "$PG_SHADOW_BASE" \
    || die "$PG_OS_USER cannot reach $PG_SHADOW_BASE either; set PG_SHADOW_BASE"
  cdir="$(shadow_dir)"
  # Leftover of a run dir deleted without `clean`: stop its server (if any), then delete.
  if [[ -f "$cdir/data/postmaster.pid" ]]; then
    local old_major
    old_major="$(cluster_major "$cdir")"
    [[ -x "/usr/lib/postgresql/$old_major/bin/pg_ctl" ]] \
      && as_pg "/usr/lib/postgresql/$old_major/bin/pg_ctl" stop -D "$cdir/data" -m immediate -s \
        >/dev/null 2>&1 || true
  fi
  rm -rf -- "$cdir"
  local grp
  grp="$(id -gn "$PG_OS_USER")"
  install -d -m 700 -o "$PG_OS_USER" -g "$grp" -- "$cdir" "$cdir/data"
  install -d -m 755 -o "$PG_OS_USER" -g "$grp" -- "$cdir/socket"
  printf '%s\n' "$RUN_DIR" >"$cdir.run-dir" # which run dir owns this shadow (for humans)
  ln -sfn -- "$cdir/data" "$RUN_DIR/data"
  ln -sfn -- "$cdir/socket" "$RUN_DIR/socket"
  printf '%s\n' "$cdir"
}

# Major version of an initialised cluster, or "".
cluster_major() {
  local cdir="$1"
  [[ -n "$cdir" && -f "$cdir/data/PG_VERSION" ]] && cat -- "$cdir/data/PG_VERSION" || true
}

bin_dir_for() {
  local major="$1"
  [[ -x "/usr/lib/postgresql/$major/bin/postgres" ]] \
    || die "cluster in $RUN_DIR was created by PostgreSQL $major, which is no longer installed; run '$0 clean'"
  printf '/usr/lib/postgresql/%s/bin\n' "$major"
}

# Port of the running postmaster from postmaster.pid (line 4), or "".
running_port() {
  local pidfile="$1/data/postmaster.pid"
  [[ -f "$pidfile" ]] && sed -n 4p -- "$pidfile" || true
}

pg_is_running() { # cluster_dir bin_dir
  [[ -n "$1" && -f "$1/data/PG_VERSION" ]] || return 1
  as_pg "$2/pg_ctl" status -D "$1/data" >/dev/null 2>&1
}

psql_tcp() { # port db sql...  (as the invoking user; trust auth on 127.0.0.1)
  local port="$1" db="$2"
  shift 2
  PGCONNECT_TIMEOUT=3 "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
    -U "$SUPERUSER" -d "$db" "$@"
}

sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

write_config() { # cluster_dir
  local cdir="$1"
  local conf="$cdir/data/promoflow.conf"
  # Rewritten at every start so that PG_PORT can change between starts.
  {
    echo "# Written by infra/postgres/postgres.sh at every start; do not edit."
    echo "# Throwaway dev/test cluster: durability is off on purpose."
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $PG_PORT"
    echo "unix_socket_directories = $(sql_quote "$cdir/socket")"
    echo "max_connections = 200"
    echo "shared_buffers = 128MB"
    echo "fsync = off"
    echo "synchronous_commit = off"
    echo "full_page_writes = off"
    echo "timezone = 'UTC'"
    echo "log_timezone = 'UTC'"
    echo "logging_collector = off # server stderr goes to <run dir>/postgres.log"
    echo "log_line_prefix = '%m [%p] %q%u@%d '"
  } >"$conf.tmp"
  is_root && chown -- "$PG_OS_USER:" "$conf.tmp"
  mv -f -- "$conf.tmp" "$conf"
}

init_cluster() { # cluster_dir major
  local cdir="$1" major="$2" locale=C
  local bin="/usr/lib/postgresql/$major/bin"
  locale -a 2>/dev/null | grep -qix 'c\.utf-\?8' && locale=C.UTF-8
  log "initdb (PostgreSQL $major, locale $locale) in $cdir/data"
  # --no-sync: throwaway cluster, no need to fsync the fresh files.
  if ! as_pg "$bin/initdb" -D "$cdir/data" -U "$SUPERUSER" --auth=trust \
    --encoding=UTF8 --locale="$locale" --no-sync >"$RUN_DIR/initdb.log" 2>&1; then
    tail -n 30 -- "$RUN_DIR/initdb.log" >&2
    find "$cdir/data" -mindepth 1 -delete 2>/dev/null || true # initdb needs an empty dir next time
    die "initdb failed (see $RUN_DIR/initdb.log)"
  fi
  # Auth: `trust` for unix socket and 127.0.0.1. This is a throwaway dev/test cluster that
  # listens on loopback only; never use this configuration for anything else.
  cat >"$cdir/data/pg_hba.conf" <<'EOF'
# Written by infra/postgres/postgres.sh. Throwaway dev/test cluster on loopback: trust.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
EOF
  printf "\ninclude 'promoflow.conf'\n" >>"$cdir/data/postgresql.conf"
  is_root && chown -- "$PG_OS_USER:" "$cdir/data/pg_hba.conf"
  return 0
}

ensure_app_role_and_db() { # port
  local port="$1"
  psql_tcp "$port" postgres <<EOF
SELECT 'CREATE ROLE $APP_USER LOGIN CREATEDB PASSWORD ''$APP_PASSWORD'''
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$APP_USER') \gexec
SELECT 'CREATE DATABASE $APP_DB OWNER $APP_USER'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$APP_DB') \gexec
EOF
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ready_line() { # port version t0
  log "ready on 127.0.0.1:$1 (PostgreSQL $2) in $(elapsed "$3")s; DSN $(dsn "$1")"
}

cmd_start() {
  local t0
  t0="$(now)"
  cmd_install
  ensure_os_user
  check_marker_or_empty
  mkdir -p -- "$RUN_DIR"
  touch -- "$RUN_DIR/$MARKER"
  lock_run_dir
  local cdir major
  cdir="$(prepare_dirs)"
  major="$(cluster_major "$cdir")"
  [[ -n "$major" ]] || major="$(newest_major)"
  BIN="$(bin_dir_for "$major")"

  if pg_is_running "$cdir" "$BIN"; then
    local port
    port="$(running_port "$cdir")"
    local note=""
    [[ "$port" == "$PG_PORT" ]] || note=" (not PG_PORT=$PG_PORT: stop it first to change the port)"
    log "already running from $RUN_DIR on 127.0.0.1:$port$note; DSN $(dsn "$port")"
    return 0
  fi

  if port_in_use "$PG_PORT"; then
    die "127.0.0.1:$PG_PORT is already in use by another process; set PG_PORT"
  fi
  if [[ ! -f "$cdir/data/PG_VERSION" ]]; then
    init_cluster "$cdir" "$major"
  fi
  write_config "$cdir"

  local logfile="$RUN_DIR/postgres.log"
  printf '\n===== %s postgres.sh start (port %s) =====\n' "$(date -u +%FT%TZ)" "$PG_PORT" >>"$logfile"
  # No -l: the invoking user opens the log (in a dir the server may not be able to reach)
  # and the server inherits it as stdout/stderr. 9>&- so the server does not inherit our
  # lock. pg_ctl -w returns early and non-zero if the postmaster exits during startup.
  if ! as_pg "$BIN/pg_ctl" start -D "$cdir/data" -w -t "$PG_START_TIMEOUT" -s \
    >>"$logfile" 2>&1 9>&-; then
    tail -n 30 -- "$logfile" >&2
    die "pg_ctl start failed (log: $logfile)"
  fi

  # Ready = accepts TCP connections *and* it is our server (another server could own the
  # port if ours failed to bind), checked with a real query.
  local deadline=$((SECONDS + PG_START_TIMEOUT)) want got=""
  want="$(realpath -- "$cdir/data")"
  while ((SECONDS < deadline)); do
    if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U "$SUPERUSER" -d postgres -t 2 \
      && got="$(psql_tcp "$PG_PORT" postgres -c 'select 1' -c 'show data_directory' 2>/dev/null)"; then
      break
    fi
    got=""
    sleep 0.1
  done
  if [[ "$got" != $'1\n'"$want" ]]; then
    tail -n 30 -- "$logfile" >&2
    [[ -n "$got" ]] && die "127.0.0.1:$PG_PORT answers, but with another data directory: $got"
    die "not ready after ${PG_START_TIMEOUT}s (log: $logfile)"
  fi
  ensure_app_role_and_db "$PG_PORT"
  ready_line "$PG_PORT" "$(psql_tcp "$PG_PORT" postgres -c "select split_part(current_setting('server_version'), ' ', 1)")" "$t0"
}

# For stop/status/clean: resolve the cluster without creating anything.
locate() {
  CDIR=""
  BIN=""
  [[ -d "$RUN_DIR" ]] || return 0
  CDIR="$(cluster_dir)"
  local major
  major="$(cluster_major "$CDIR")"
  if [[ -n "$major" ]]; then
    BIN="$(bin_dir_for "$major")"
  fi
}

cmd_stop() {
  locate
  if [[ -z "$BIN" ]] || ! pg_is_running "$CDIR" "$BIN"; then
    log "not running ($RUN_DIR)"
    return 0
  fi
  lock_run_dir
  as_pg "$BIN/pg_ctl" stop -D "$CDIR/data" -m fast -w -t 60 -s
  log "stopped ($RUN_DIR)"
}

cmd_status() {
  locate
  if [[ -n "$BIN" ]] && pg_is_running "$CDIR" "$BIN"; then
    local port
    port="$(running_port "$CDIR")"
    log "running on 127.0.0.1:$port, pid $(sed -n 1p -- "$CDIR/data/postmaster.pid") ($RUN_DIR); DSN $(dsn "$port")"
    return 0
  fi
  log "not running ($RUN_DIR)"
  return 1
}

cmd_clean() {
  if [[ ! -e "$RUN_DIR" ]]; then
    log "nothing to clean ($RUN_DIR)"
    return 0
  fi
  check_marker_or_empty
  cmd_stop
  local shadow=""
  [[ -L "$RUN_DIR/data" ]] && shadow="$(dirname "$(readlink -- "$RUN_DIR/data")")"
  if [[ -n "$shadow" ]]; then
    case "$shadow" in
      "$PG_SHADOW_BASE"/?*) rm -rf -- "$shadow" "$shadow.run-dir" ;;
      *) log "not deleting unexpected shadow dir $shadow" ;;
    esac
  fi
  rm -rf -- "$RUN_DIR"
  log "cleaned $RUN_DIR"
}

BIN=""
CDIR=""
case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  clean) cmd_clean ;;
  dsn) dsn "$PG_PORT" ;;
  *)
    echo "usage: $0 {install|start|stop|status|clean|dsn}" >&2
    exit 2
    ;;
esac
