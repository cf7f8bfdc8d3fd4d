#!/usr/bin/env bash
# Builds the console into web/dist when it is missing or older than its sources: `npm ci` when
# node_modules is missing or older than package-lock.json, then `npm run build` (API types from
# api/openapi.yaml, vue-tsc, vite build), then a gzip copy of each text file over 1 kB (served to
# browsers that take gzip). Used by `make build`, `make run` and the ctest fixture.
#
#   web/build.sh            build if needed
#   web/build.sh --deps     only make sure node_modules is installed (for vitest)
set -euo pipefail
web="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(dirname "$web")"
cd "$web"

if ! command -v npm >/dev/null 2>&1; then
  echo "web/build.sh: npm not found (scripts/install-deps.sh installs it)" >&2
  exit 1
fi

# When run as root in someone else's checkout, install as the checkout's owner.
as_owner=()
owner="$(stat -c %U "$web")"
if ((EUID == 0)) && [[ "$owner" != root ]] && getent passwd "$owner" >/dev/null; then
  as_owner=(runuser -u "$owner" -- env HOME="$(getent passwd "$owner" | cut -d: -f6)")
fi

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "web: npm ci"
  "${as_owner[@]}" npm ci --no-audit --no-fund
fi
[[ "${1:-}" == --deps ]] && exit 0

# gzip copies beside the text files over 1 kB that lack a current one: steward serve sends them to
# browsers that take gzip.
precompress() {
  find dist -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \
    -o -name '*.json' \) -size +1k -print0 | while IFS= read -r -d '' file; do
    [[ -f "$file.gz" && ! "$file.gz" -ot "$file" ]] || gzip -k -9 -f -n "$file"
  done
}

newest_source() {
  find "$web/src" "$web/index.html" "$web/vite.config.ts" "$web/tsconfig.json" "$web/package-lock.json" \
    "$repo/api/openapi.yaml" -type f -not -path '*/generated/*' -newer "$web/dist/index.html" -print -quit 2>/dev/null
}
if [[ -f dist/index.html && -z "$(newest_source)" ]]; then
  precompress
  echo "web: dist is up to date"
  exit 0
fi
echo "web: building the console (vite build)"
"${as_owner[@]}" npm run build --silent
precompress
