# The two commands of the README are the contract: `make run` and `make test`.
SHELL := /bin/bash
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: run build test bench format check clean

## make run: install what is missing, build (release), create ./data/steward.db with the demo city
## on first run, and start the server on http://127.0.0.1:8080
run: build
	@scripts/run.sh

## make build: release build; the binary is ./build/steward, the console web/dist
build:
	@scripts/install-deps.sh
	@cmake --preset release >/dev/null
	@cmake --build --preset release
	@ln -sfn release/src/app/steward build/steward
	@web/build.sh
	@echo "built ./build/steward"

## make test: install what is missing (PostgreSQL too), build with sanitizers, run every test on
## SQLite and PostgreSQL, print a summary; non-zero exit on any failure
test:
	@scripts/test.sh

## make bench: benchmarks with their baselines (never part of make test)
bench:
	@scripts/bench.sh

## make format: reformat the C++ sources with clang-format 14
format:
	@tools/check_format.sh --fix

## make check: formatting and include layering only
check:
	@tools/check_format.sh
	@tools/check_layering.py

clean:
	rm -rf build
