#!/usr/bin/env bash
# A private, throwaway PostgreSQL 15 for tests: unix socket only, no TCP, no durability.
#
#   pg-test-server.sh start DIR          init (first time) and start; prints the libpq URL
#                                        and writes it to DIR/url
#   pg-test-server.sh stop DIR           stop it; harmless when it is not running
#   pg-test-server.sh createdb DIR NAME  create database NAME if absent; prints its URL
#
# As root the server runs as the `postgres` OS user (DIR is chowned to it, so every directory
# above DIR must let that user through); otherwise it runs as the current user.
# Layout: DIR/data (cluster), DIR/sock (socket), DIR/server.log, DIR/initdb.log, DIR/url, DIR/port.
set -euo pipefail

pgbin=/usr/lib/postgresql/15/bin

usage() {
  echo "usage: $0 start DIR | stop DIR | createdb DIR NAME" >&2
  exit 2
}

die() {
  echo "pg-test-server: $*" >&2
  exit 1
}

# Runs a command as the server's OS user, from a directory that user can read.
as_server_user() {
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Percent-encodes a path or name for a libpq URL ('/' kept readable in host paths).
url_encode() {
  python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=sys.argv[2]))' \
    "$1" "$2"
}

# Prints the URL of database $2 on the server in DIR $1 (port read from DIR/port).
database_url() {
  local dir="$1" database="$2" port
  port="$(cat "$dir/port")"
  printf 'postgresql://postgres@/%s?host=%s&port=%s\n' \
    "$(url_encode "$database" '')" "$(url_encode "$dir/sock" '/')" "$port"
}

is_running() {
  local dir="$1"
  [[ -f "$dir/data/postmaster.pid" ]] &&
    as_server_user "$pgbin/pg_ctl" status -D "$dir/data" >/dev/null 2>&1
}

fail_with_log() {
  local message="$1" log="$2"
  echo "pg-test-server: $message" >&2
  if [[ -f "$log" ]]; then
    echo "--- last lines of $log ---" >&2
    tail -n 30 "$log" >&2
  fi
  exit 1
}

free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

start() {
  local dir="$1"
  [[ -x "$pgbin/postgres" ]] ||
    die "$pgbin/postgres not found: install postgresql-15 (scripts/install-deps.sh --test)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd -P)"
  # pg_ctl hands the server options to a shell, where DIR sits inside single quotes.
  [[ "$dir" != *"'"* ]] || die "DIR may not contain a single quote: $dir"
  if ((EUID == 0)); then
    id postgres >/dev/null 2>&1 || die "no 'postgres' OS user: install postgresql-15"
    chown postgres:postgres "$dir"
  fi
  chmod 700 "$dir"
  if ((EUID == 0)) && ! runuser -u postgres -- test -w "$dir" 2>/dev/null; then
    die "the postgres user cannot write $dir: a directory above it is closed to it" \
      "(e.g. a mode-700 mktemp dir); choose a DIR under a world-traversable directory"
  fi

  if is_running "$dir"; then
    cat "$dir/url"
    return 0
  fi

  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    [[ ! -e "$dir/data" ]] || die "$dir/data exists but holds no cluster; remove it first"
    if ! as_server_user "$pgbin/initdb" -D "$dir/data" -E UTF8 --locale=C -A trust -U postgres \
      >"$dir/initdb.log" 2>&1; then
      fail_with_log "initdb failed" "$dir/initdb.log"
    fi
  fi
  as_server_user mkdir -p "$dir/sock"

  local port socket
  port="$(free_port)"
  # sun_path holds 107 bytes; a longer socket path makes the server fail late and obscurely.
  socket="$dir/sock/.s.PGSQL.$port"
  ((${#socket} <= 107)) || die "socket path too long (${#socket} > 107 bytes): $socket"

  # log_min_error_statement=panic keeps failing statements (and the personal data in them)
  # out of the server log; log_error_verbosity=terse drops DETAIL lines such as
  # "Key (phone)=(...) already exists". An error's first line can still quote a value.
  local options="-k '$dir/sock' -c listen_addresses='' -p $port -c fsync=off"
  options+=" -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
  options+=" -c shared_buffers=256MB -c log_min_error_statement=panic"
  options+=" -c log_min_messages=warning -c log_error_verbosity=terse"
  if ! as_server_user "$pgbin/pg_ctl" start -D "$dir/data" -w -t 60 -l "$dir/server.log" \
    -o "$options" >/dev/null 2>&1; then
    fail_with_log "the server did not start" "$dir/server.log"
  fi

  echo "$port" >"$dir/port"
  database_url "$dir" postgres >"$dir/url"
  cat "$dir/url"
}

stop() {
  local dir="$1"
  [[ -d "$dir/data" ]] || return 0
  if is_running "$dir"; then
    if ! as_server_user "$pgbin/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 >/dev/null 2>&1; then
      fail_with_log "the server did not stop" "$dir/server.log"
    fi
  fi
}

createdb() {
  local dir="$1" name="$2"
  [[ -d "$dir" ]] || die "no server directory $dir"
  dir="$(cd "$dir" && pwd -P)"
  is_running "$dir" || die "no server running in $dir (run: $0 start $dir)"
  local port
  port="$(cat "$dir/port")"
  # \gexec runs the CREATE only when the database is absent; a concurrent creator may still win
  # the race, so a failure counts as success when the database exists afterwards.
  local sql="SELECT format('CREATE DATABASE %I', :'name')
    WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'name') \\gexec"
  if ! "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -v name="$name" \
    -h "$dir/sock" -p "$port" -U postgres -d postgres <<<"$sql" >/dev/null; then
    local exists
    exists="$("$pgbin/psql" -X -At -v name="$name" -h "$dir/sock" -p "$port" -U postgres \
      -d postgres <<<"SELECT 1 FROM pg_database WHERE datname = :'name'")"
    [[ "$exists" == 1 ]] || die "could not create database $name"
  fi
  database_url "$dir" "$name"
}

(($# >= 2)) || usage
case "$1" in
  start) (($# == 2)) || usage; start "$2" ;;
  stop) (($# == 2)) || usage; stop "$2" ;;
  createdb) (($# == 3)) || usage; createdb "$2" "$3" ;;
  *) usage ;;
esac
