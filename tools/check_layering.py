#!/usr/bin/env python3
"""Checks that #include lines in src/ follow Steward's module graph (STYLE.md rules 2 and 3).

A file's module is its first folder under src/. Rules:
  * a module includes only itself and the modules GRAPH allows it;
  * only `app` and `storage` include a concrete engine (storage/sqlite/..., storage/postgres/...),
    though unit tests (*_test.cpp) anywhere may, to run against a real engine;
  * no module includes another module's internal/ headers;
  * <boost/...> only inside src/http/ (Beast is slow to compile; keep it in few files).

Usage: tools/check_layering.py [REPO]   (REPO defaults to this script's parent folder)
Prints one line per violation and exits 1, or prints "layering: N files ok" and exits 0.
"""

import pathlib
import re
import sys

ANY = "*"  # may include every module

# Module -> the modules it may include (besides itself). A new module is one line here.
GRAPH = {
    "base": [],
    "crypto": ["base"],
    "storage": ["base"],
    "geo": ["base"],
    "sheet": ["base"],
    "org": ["base", "storage", "geo"],
    "registry": ["base", "storage", "crypto", "org", "geo", "sheet"],
    "audit": ["base", "storage", "crypto"],
    "auth": ["base", "storage", "crypto", "org", "audit"],
    "segment": ["base", "storage", "org"],
    "campaign": ["base", "storage", "crypto", "sheet", "org", "segment", "registry"],
    "voice": ["base", "crypto"],
    "demo": ["base", "storage", "crypto", "org", "geo", "registry", "sheet"],
    # The server itself needs only base; the API's handlers (http/handlers/, api.*) call the
    # domain modules.
    "http": ["base", "storage", "crypto", "geo", "sheet", "org", "registry", "segment", "auth",
             "audit", "campaign", "voice"],
    "app": ANY,
}

ENGINE_PREFIXES = ("storage/sqlite/", "storage/postgres/")
ENGINE_USERS = {"app", "storage"}
BOOST_MODULES = {"http"}
SOURCE_SUFFIXES = {".hpp", ".cpp"}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def allowed_text(module):
    allowed = GRAPH[module]
    if allowed == ANY:
        return "everything"
    return ", ".join(allowed) if allowed else "none"


# Unit tests (*_test.cpp) may also include these test-only helper folders of the repository.
TEST_SUPPORT = ("tests/cases/", "tests/support/")


def may_include(module, target):
    allowed = GRAPH[module]
    return target == module or allowed == ANY or target in allowed


def resolve_quoted(src, source, include):
    """Returns the include's path relative to src/, or None if it is not under src/."""
    first = include.split("/", 1)[0]
    if "/" in include and first not in (".", "..") and (first in GRAPH or (src / first).is_dir()):
        return include
    beside = source.parent / include
    if beside.is_file() and beside.resolve().is_relative_to(src):
        # Relative to the including file: legal C++, though STYLE.md writes includes from src/.
        return beside.resolve().relative_to(src).as_posix()
    return None


def check_file(src, source, problems):
    relative = source.relative_to(src)
    shown = f"src/{relative.as_posix()}"
    if len(relative.parts) < 2:
        problems.append(f"{shown}:1: file is in no module (put it in a folder under src/)")
        return
    module = relative.parts[0]
    if module not in GRAPH:
        problems.append(f"{shown}:1: unknown module {module}:"
                        f" add it to the graph (GRAPH in tools/check_layering.py)")
        return
    is_test = source.name.endswith("_test.cpp")
    text = source.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        match = INCLUDE.match(line)
        if not match:
            continue
        bracket, include = match.groups()
        where = f"{shown}:{number}:"
        if include.startswith("boost/"):
            if module not in BOOST_MODULES:
                problems.append(f"{where} module {module} may not include <{include}>"
                                f" (Boost is only allowed in src/http/)")
            continue
        if bracket == "<":
            continue
        if is_test and include.startswith(TEST_SUPPORT) and (src.parent / include).is_file():
            continue  # test-only helpers shared by unit tests (rule tables, workbook files)
        path = resolve_quoted(src, source, include)
        if path is None:
            problems.append(f'{where} "{include}" is not under src/ (write includes from src/,'
                            f" or use <> for a third-party header)")
            continue
        target = path.split("/", 1)[0]
        if target not in GRAPH:
            problems.append(f'{where} "{include}" is in unknown module {target}:'
                            f" add it to the graph (GRAPH in tools/check_layering.py)")
            continue
        if not may_include(module, target):
            problems.append(f"{where} module {module} may not include {target}"
                            f" (allowed: {allowed_text(module)})")
        if target != module and "internal" in path.split("/")[:-1]:
            problems.append(f'{where} module {module} may not include "{include}":'
                            f" internal/ headers are private to module {target}")
        if path.startswith(ENGINE_PREFIXES) and module not in ENGINE_USERS and not is_test:
            problems.append(f'{where} module {module} may not include "{include}":'
                            f" only app/ picks a concrete storage engine")


def main():
    repo = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
    src = (repo / "src").resolve()
    if not src.is_dir():
        print(f"layering: no src/ folder in {repo}", file=sys.stderr)
        return 2
    sources = sorted(p for p in src.rglob("*") if p.suffix in SOURCE_SUFFIXES and p.is_file())
    problems = []
    for source in sources:
        check_file(src, source, problems)
    for problem in problems:
        print(problem)
    if problems:
        print(f"layering: {len(problems)} problems in {len(sources)} files", file=sys.stderr)
        return 1
    print(f"layering: {len(sources)} files ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
