#!/usr/bin/env bash
# Checks (or with --fix, applies) clang-format 14 over the C++ sources, tracked or not
# (files .gitignore excludes are skipped). The style is the checked-in .clang-format.
#
#   tools/check_format.sh         prints "format: N files ok", or the offending files and exits 1
#   tools/check_format.sh --fix   reformats those files in place
set -euo pipefail

clang_format=clang-format-14

fix=0
case "${1:-}" in
  "") ;;
  --fix) fix=1 ;;
  *)
    echo "usage: $0 [--fix]" >&2
    exit 2
    ;;
esac

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$repo"

command -v "$clang_format" >/dev/null 2>&1 ||
  { echo "format: $clang_format not found (scripts/install-deps.sh installs it)" >&2; exit 2; }

# -c lists tracked files even when deleted from the work tree; skip those.
files=()
while IFS= read -r -d '' file; do
  [[ -f "$file" ]] && files+=("$file")
done < <(git ls-files -z -co --exclude-standard -- \
  ':(glob)src/**/*.hpp' ':(glob)src/**/*.cpp' \
  ':(glob)bench/*.hpp' ':(glob)bench/*.cpp' \
  ':(glob)tests/**/*.hpp' ':(glob)tests/**/*.cpp' | sort -zu)

if ((${#files[@]} == 0)); then
  echo "format: 0 files ok"
  exit 0
fi

if ((fix)); then
  "$clang_format" -i "${files[@]}"
  echo "format: formatted ${#files[@]} files"
  exit 0
fi

# One clang-format run per file, in parallel, so each offender is named once.
offenders="$(printf '%s\0' "${files[@]}" |
  xargs -0 -n 1 -P "$(nproc)" sh -c \
    '"$0" --dry-run -Werror "$1" >/dev/null 2>&1 || printf "%s\n" "$1"' "$clang_format" |
  sort)"

if [[ -n "$offenders" ]]; then
  echo "format: these files differ from clang-format (fix: tools/check_format.sh --fix):"
  while IFS= read -r file; do echo "  $file"; done <<<"$offenders"
  exit 1
fi
echo "format: ${#files[@]} files ok"
