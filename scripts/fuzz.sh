#!/usr/bin/env bash
# Fuzzes Steward's parsers of untrusted input with libFuzzer (clang-14, ASan+UBSan).
#
#   scripts/fuzz.sh [SECONDS] [FUZZER...]     default: 60 seconds each, all fuzzers (csv xlsx)
#
# Builds tests/fuzz/<name>_fuzz.cpp in build/fuzz (its own configure: clang++-14,
# STEWARD_FUZZ=ON), runs each fuzzer for SECONDS on tests/fuzz/corpus/<name>, then merges the
# inputs that reached new code back into that corpus: commit them, `make test` replays them.
# A crash stops that fuzzer and leaves the input in build/fuzz/artifacts/; add it to the corpus
# as a regression case once fixed. Exits non-zero if any fuzzer failed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
seconds="${1:-60}"
shift || true
fuzzers=("$@")
if ((${#fuzzers[@]} == 0)); then
  fuzzers=(csv xlsx)
fi
build="$repo/build/fuzz"
export CCACHE_BASEDIR="$repo" CCACHE_NOHASHDIR=1

command -v clang++-14 >/dev/null 2>&1 ||
  { echo "fuzz: clang++-14 not found (scripts/install-deps.sh --test installs it)" >&2; exit 2; }

sanitizers="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
cmake -S "$repo" -B "$build" -G Ninja \
  -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DCMAKE_CXX_FLAGS="$sanitizers -fno-omit-frame-pointer" \
  -DSTEWARD_SANITIZE=OFF -DSTEWARD_FUZZ=ON >/dev/null
targets=()
for fuzzer in "${fuzzers[@]}"; do targets+=("${fuzzer}_fuzz"); done
cmake --build "$build" --target "${targets[@]}"

mkdir -p "$build/artifacts"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1"
failed=()
for fuzzer in "${fuzzers[@]}"; do
  corpus="$repo/tests/fuzz/corpus/$fuzzer"
  fresh="$(mktemp -d "/tmp/steward-fuzz-$fuzzer-XXXXXX")"
  echo "== $fuzzer: ${seconds}s on $corpus"
  # New inputs go to the first folder (a scratch one); the corpus is only read here.
  if ! "$build/tests/fuzz/${fuzzer}_fuzz" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$fuzzer-" "$fresh" "$corpus"; then
    failed+=("$fuzzer")
  fi
  before=$(find "$corpus" -type f | wc -l)
  "$build/tests/fuzz/${fuzzer}_fuzz" -merge=1 -max_len=16384 "$corpus" "$fresh" 2>/dev/null || true
  after=$(find "$corpus" -type f | wc -l)
  echo "== $fuzzer: corpus $before -> $after inputs"
  rm -rf "$fresh"
done

if ((${#failed[@]})); then
  echo "fuzz: FAILED (${failed[*]}); inputs in $build/artifacts/" >&2
  exit 1
fi
echo "fuzz: no crashes"
