#!/usr/bin/env bash
# `make bench`: builds the release preset's benchmarks and runs each beside its baseline, on
# SQLite and on a private, throwaway PostgreSQL 15 (bench/README.md says what is measured):
# demo_bench, then bench/import_bench.py (`steward import/export residents` against sqlite3
# .import and PostgreSQL COPY), then bench/http_bench.py (wrk against the API beside nginx), then
# bench/web_bench.mjs (the console in Chromium: JS sizes and the dashboard's data-ready time), then
# segment_bench (segments on the in-memory model against indexed SQL on both engines;
# SEGMENT_BENCH_RESIDENTS, default 10000000, grown from SEGMENT_BENCH_BASE, default 500000), then
# campaign_bench (the AI social worker on the simulator: the engine alone beside whole campaigns on
# SQLite and PostgreSQL, and a segment snapshot beside INSERT … SELECT; CAMPAIGN_BENCH_RESIDENTS,
# default 70000, CAMPAIGN_BENCH_SNAPSHOT, default 1000000), then bench/sip_bench.py (campaigns on
# the real phone line with SIPp as every resident on loopback, beside SIPp's own CPU;
# SIP_BENCH_STEPS, default 100,250,500,1000,1500 calls).
#
#   scripts/bench.sh [demo_bench options]     e.g. scripts/bench.sh --residents 300000
#
# Output: the tables go to the terminal and to build/release/bench/results/demo_bench-<UTC>.txt
# and import_bench-<UTC>.txt; progress lines go to the terminal only.
# Environment: CMAKE_BUILD_PARALLEL_LEVEL caps build jobs (say 1 on a small machine);
# BENCH_TMPDIR is where the SQLite files, the import files and the PostgreSQL cluster go (default
# $TMPDIR or /tmp; removed at the end; a default run needs about 8 GB there at its peak);
# IMPORT_BENCH_ROWS sets the rows of the import benchmark's file (default 1000000);
# SIP_BENCH_STEPS the calls of sip_bench's steps (comma-separated; its recordings, about 0.75 MB a
# call, go under BENCH_TMPDIR and are removed after each step).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$repo"

scripts/install-deps.sh --test --bench
cmake --preset release
cmake --build --preset release --target demo_bench segment_bench campaign_bench steward

# As root, pg-test-server.sh runs the server as `postgres`, which must get through this folder.
work="$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/steward-bench.XXXXXX")"
chmod 755 "$work"
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  scripts/pg-test-server.sh stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # run the EXIT trap on Ctrl-C too

url="$(scripts/pg-test-server.sh start "$work/pg")"
results="$repo/build/release/bench/results"
mkdir -p "$results"
out="$results/demo_bench-$(date -u +%Y%m%dT%H%M%SZ).txt"
echo "bench: the table goes to this terminal and to $out"

status=0
TMPDIR="$work" build/release/bench/demo_bench --postgres "$url" "$@" | tee "$out" || status=$?
echo "bench: saved in $out"

out="$results/import_bench-$(date -u +%Y%m%dT%H%M%SZ).txt"
echo "bench: the import table goes to this terminal and to $out"
python3 bench/import_bench.py --steward build/release/src/app/steward --postgres "$url" \
  --rows "${IMPORT_BENCH_ROWS:-1000000}" --workdir "$work/import_bench" | tee "$out" ||
  status=$?
echo "bench: saved in $out"

out="$results/http_bench-$(date -u +%Y%m%dT%H%M%SZ).txt"
echo "bench: the HTTP table goes to this terminal and to $out"
python3 bench/http_bench.py --steward build/release/src/app/steward \
  --workdir "$work/http_bench" | tee "$out" || status=$?
echo "bench: saved in $out"

out="$results/web_bench-$(date -u +%Y%m%dT%H%M%SZ).txt"
echo "bench: the console table goes to this terminal and to $out"
web/build.sh && node bench/web_bench.mjs --steward build/release/src/app/steward | tee "$out" || status=$?
echo "bench: saved in $out"

out="$results/segment_bench-$(date -u +%Y%m%dT%H%M%SZ).txt"
echo "bench: the segment table goes to this terminal and to $out"
build/release/bench/segment_bench --postgres "$url" --db "$work/segment_bench.db" \
  --residents "${SEGMENT_BENCH_RESIDENTS:-10000000}" --base "${SEGMENT_BENCH_BASE:-500000}" |
  tee "$out" || status=$?
echo "bench: saved in $out"

out="$results/campaign_bench-$(date -u +%Y%m%dT%H%M%SZ).txt"
echo "bench: the campaign table goes to this terminal and to $out"
TMPDIR="$work" build/release/bench/campaign_bench --postgres "$url" \
  --residents "${CAMPAIGN_BENCH_RESIDENTS:-70000}" \
  --snapshot-residents "${CAMPAIGN_BENCH_SNAPSHOT:-1000000}" | tee "$out" || status=$?
echo "bench: saved in $out"

out="$results/sip_bench-$(date -u +%Y%m%dT%H%M%SZ).txt"
echo "bench: the SIP table goes to this terminal and to $out"
python3 bench/sip_bench.py --steward build/release/src/app/steward --workdir "$work/sip_bench" \
  --steps "${SIP_BENCH_STEPS:-100,250,500,1000,1500}" | tee "$out" || status=$?
echo "bench: saved in $out"
exit "$status"
