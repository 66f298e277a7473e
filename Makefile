SHELL := /bin/bash
# A failing command in a pipe fails the recipe (the conformance step filters go test output).
.SHELLFLAGS := -eo pipefail -c
# Entry points. README.md names the two that matter: `make run` and `make test`.
# Heavy builds are cached outside the checkout, under $(YCAL_CACHE).

export YCAL_CACHE ?= $(HOME)/.cache/yandex-calendar
BUNDLE = dist/$(shell python3 -c 'import json;m=json.load(open("plugin.json"));print(m["id"]+"-"+m["version"])').tar.gz
TARGET_DIR = $(shell cargo metadata --format-version 1 --no-deps 2>/dev/null | python3 -c 'import json,sys;print(json.load(sys.stdin)["target_directory"])')
REFHOST = $(TARGET_DIR)/refhost/refhost

.PHONY: all run run-check dist wasm test lint test-rust fuzz fuzz-short test-go conformance refhost e2e bench clean

all: dist

# The bundle in a local Mattermost (+ PostgreSQL) with a demo calendar in Radicale, all on
# 127.0.0.1; prints the URL, logins and what to try, and stops everything on Ctrl-C.
run: dist
	YCAL_DEMO_SKIP_BUILD=1 tests/run/demo.sh

# The same, non-interactive: checks /yandex_calendar info and the demo calendar, then stops.
run-check: dist
	YCAL_DEMO_SKIP_BUILD=1 tests/run/demo.sh --check

dist:
	./build.sh dist

wasm:
	./build.sh wasm

# The whole suite: lints, Rust tests (unit, and CalDAV against real Radicale, Xandikos and
# the Yandex replay server), the bundle, the Go host against the real module, the
# conformance run against the wasmtime reference host, and the end-to-end suite in a real
# Mattermost server, and a check that `make run` brings the demo up.
test: lint test-rust fuzz-short dist test-go conformance e2e run-check

lint: wasm
	cargo fmt --all --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-wasip1 --lib -- -D warnings
	test -z "$$(gofmt -l host-shim tests/e2e tests/mattermost/server)" || { gofmt -l host-shim tests/e2e; exit 1; }
	cd host-shim && go vet ./...
	cd tests/e2e && go vet ./...

test-rust:
	cargo test

# Fuzzing (tests/fuzz/run.sh): every cargo-fuzz target for a minute inside `make test`,
# longer in `make fuzz` (FUZZ_SECONDS each), plus a long run of the change-detection
# property test (optimised, with unwinding: the release profile aborts on panic).
FUZZ_SECONDS ?= 600
fuzz-short:
	tests/fuzz/run.sh 60

fuzz:
	tests/fuzz/run.sh $(FUZZ_SECONDS)
	YCAL_PROPTEST_CASES=20000 cargo test --profile refhost --test changes_property

test-go: wasm
	cd host-shim && YCAL_BUNDLE=$(CURDIR)/$(BUNDLE) go test -count=1 ./...

refhost:
	cargo build -p refhost --profile refhost

conformance: wasm refhost
	cargo test -p refhost --profile refhost
	cd host-shim && YCAL_REFHOST=$(REFHOST) go test -count=1 -run Conformance -v ./component/ | grep -E '^(=== RUN|--- |PASS|FAIL|ok|\s+conformance_test)'

# The only Mattermost buildable from the Go module proxy here is 11.4, older than the
# manifest's min_server_version (11.7, the oldest supported ESR), so the suite installs a
# copy of the bundle with min_server_version lowered to the server's (and says so).
e2e: dist
	cd tests/e2e && YCAL_BUNDLE=$(CURDIR)/$(BUNDLE) YCAL_E2E_RELAX_MIN_SERVER=1 go test -count=1 -v ./...

# Benchmarks, each measured side by side in one run and reported as ratios.
bench: wasm refhost
	tests/bench/info.sh $(REFHOST)
	tests/bench/expand.sh
	tests/bench/caldav.sh

clean:
	rm -rf dist build host-shim/component.wasm webapp/dist
