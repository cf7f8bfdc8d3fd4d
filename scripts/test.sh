#!/usr/bin/env bash
# `make test`: installs what is missing, builds the `ci` preset (ASan+UBSan), checks formatting and
# include layering, starts a private PostgreSQL, runs every test on SQLite and PostgreSQL, and
# prints a summary. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
export CCACHE_BASEDIR="$repo" CCACHE_NOHASHDIR=1

step() { printf '\n== %s\n' "$*"; }
failures=()

step "dependencies"
scripts/install-deps.sh --test || exit 1

step "build (ci preset: -O1, ASan+UBSan)"
cmake --preset ci >/dev/null || exit 1
cmake --build --preset ci || exit 1

step "formatting and layering"
tools/check_format.sh || failures+=("format")
tools/check_layering.py || failures+=("layering")

step "PostgreSQL (private, unix socket only)"
pg_dir=$(mktemp -d /tmp/steward-pg-XXXXXX)
chmod 755 "$pg_dir"
trap 'scripts/pg-test-server.sh stop "$pg_dir/server" >/dev/null 2>&1; rm -rf "$pg_dir"' EXIT
if ! url=$(scripts/pg-test-server.sh start "$pg_dir/server"); then
  echo "PostgreSQL did not start: make test needs it" >&2
  exit 1
fi
export STEWARD_TEST_POSTGRES_URL="$url" STEWARD_REQUIRE_POSTGRES=1
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0" UBSAN_OPTIONS="print_stacktrace=1"

step "tests (SQLite and PostgreSQL)"
ctest --test-dir build/ci --output-on-failure -j2 --timeout 2400 || failures+=("ctest")

# Personal data must not reach the PostgreSQL server's log either.
if grep -En '(^|[^0-9])(1999[0-9]{7}|[1-9][0-9]{5}(19|20)[0-9]{9}[0-9X])([^0-9]|$)' \
    "$pg_dir/server/server.log" >/dev/null 2>&1; then
  echo "personal data found in the PostgreSQL server log" >&2
  failures+=("pg-log")
fi

step "summary"
if ((${#failures[@]})); then
  echo "make test: FAILED (${failures[*]})"
  exit 1
fi
echo "make test: all checks and tests passed"
