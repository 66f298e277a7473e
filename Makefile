SHELL := /bin/bash
# A failing command in a pipe fails the recipe (the conformance step filters go test output).
.SHELLFLAGS := -eo pipefail -c
# Entry points. README.md names the two that matter: `make run` and `make test`.
# Heavy builds are cached outside the checkout, under $(YCAL_CACHE).

export YCAL_CACHE ?= $(HOME)/.cache/yandex-calendar
NAME = $(shell python3 -c 'import json;m=json.load(open("plugin.json"));print(m["id"]+"-"+m["version"])')
BUNDLE = dist/$(NAME).tar.gz
# The test bundle: the ABI probes in the module and a /probe route in the shim (build.sh).
PROBE_BUNDLE = build/probe/$(NAME).tar.gz
# The tests install a bundle for this machine only; `make dist` builds all five platforms.
HOST_PLATFORM = $(shell go env GOOS)/$(shell go env GOARCH)
TARGET_DIR = $(shell cargo metadata --format-version 1 --no-deps 2>/dev/null | python3 -c 'import json,sys;print(json.load(sys.stdin)["target_directory"])')
REFHOST = $(TARGET_DIR)/refhost/refhost

.PHONY: all run run-check dist bundle probe-bundle wasm test lint test-rust test-webapp fuzz fuzz-short test-go conformance refhost browser-deps e2e e2e-newest e2e-oldest e2e-ha browser bench bench-scale clean

all: dist

# The bundle in a local Mattermost (+ PostgreSQL) with a demo calendar in Radicale, all on
# 127.0.0.1; prints the URL, logins and what to try, and stops everything on Ctrl-C.
run: bundle
	YCAL_DEMO_SKIP_BUILD=1 tests/run/demo.sh

# The same, non-interactive: checks /yandex_calendar info and the demo calendar, then stops.
run-check: bundle
	YCAL_DEMO_SKIP_BUILD=1 tests/run/demo.sh --check

# The bundle to upload: executables for all five platforms.
dist:
	./build.sh dist

# The same bundle for this machine's platform only, in dist/ (what the tests install).
bundle:
	PLATFORMS=$(HOST_PLATFORM) ./build.sh dist

probe-bundle:
	PLATFORMS=$(HOST_PLATFORM) ./build.sh probe

wasm:
	./build.sh wasm

# The whole suite: lints, Rust tests (unit, and CalDAV against real Radicale, Xandikos and
# the Yandex replay server), the bundle, the Go host against the real module, the
# conformance run against the wasmtime reference host, and the end-to-end suite in a real
# Mattermost server (with the web app's panel in headless Chromium), and a check that
# `make run` brings the demo up.
test: lint test-rust fuzz-short test-webapp bundle test-go conformance e2e run-check

lint: wasm
	cargo fmt --all --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-wasip1 --lib -- -D warnings
	cargo clippy --target wasm32-wasip1 --lib --features abi-probe -- -D warnings
	test -z "$$(gofmt -l host-shim tests/e2e tests/mmclient tests/mattermost tests/scale)" || { gofmt -l host-shim tests/e2e tests/mmclient tests/mattermost tests/scale; exit 1; }
	cd host-shim && go vet ./... && go vet -tags probe ./...
	cd tests/e2e && go vet ./...
	cd tests/mmclient && go vet ./...
	cd tests/scale && go vet ./...

test-rust:
	cargo test

# The web app's unit tests (vitest) and type check.
test-webapp:
	cd webapp && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm test

# Fuzzing (tests/fuzz/run.sh): every cargo-fuzz target for a minute inside `make test`,
# longer in `make fuzz` (FUZZ_SECONDS each), plus a long run of the change-detection
# property test (optimised, with unwinding: the release profile aborts on panic).
FUZZ_SECONDS ?= 600
fuzz-short:
	tests/fuzz/run.sh 60

fuzz:
	tests/fuzz/run.sh $(FUZZ_SECONDS)
	YCAL_PROPTEST_CASES=20000 cargo test --profile refhost --test changes_property

# With the race detector: hooks run concurrently with activation and deactivation. On a
# shared 2-core machine the race detector can take longer than go test's 10-minute default.
test-go: wasm
	cd host-shim && YCAL_BUNDLE=$(CURDIR)/$(BUNDLE) go test -race -count=1 -timeout 30m ./...
	cd tests/scale && go test -count=1 ./...

refhost:
	cargo build -p refhost --profile refhost

conformance: wasm refhost
	YCAL_WASM=$(CURDIR)/host-shim/component-probe.wasm cargo test -p refhost --profile refhost
	cd host-shim && YCAL_REFHOST=$(REFHOST) go test -count=1 -run Conformance -v ./component/ | grep -E '^(=== RUN|--- |PASS|FAIL|ok|\s+conformance_test)'

# The end-to-end suite on the newest and the oldest Mattermost the Go module proxy builds
# here (tests/mattermost/README.md); the bundle's min_server_version must admit both.
# It includes the browser test of the web app's panel (headless Chromium).
# The notifications story runs in real minutes (about five): go test's 10-minute default is too short.
e2e: e2e-newest e2e-oldest

e2e-newest e2e-oldest: bundle probe-bundle browser-deps
	cd tests/e2e && MM_SERVER=$(@:e2e-%=%) YCAL_BUNDLE=$(CURDIR)/$(BUNDLE) YCAL_PROBE_BUNDLE=$(CURDIR)/$(PROBE_BUNDLE) \
		go test -count=1 -timeout 40m -v ./...

# Two Mattermost nodes on one PostgreSQL (tests/e2e/ha_test.go): 50 users over ten
# minutes, the second node killed with SIGKILL and started again; every bot post counted.
# About fourteen minutes, so not part of `make test`.
e2e-ha: bundle
	cd tests/e2e && MM_SERVER=newest YCAL_E2E_HA=1 YCAL_BUNDLE=$(CURDIR)/$(BUNDLE) \
		go test -count=1 -v -timeout 40m -run '^TestHATwoNodesOneDatabase$$' ./...

# Chromium (Debian's) and the Playwright driver for the browser test, part of e2e.
browser-deps:
	tests/browser/setup.sh

# Only the browser test (the panel in headless Chromium against the real plugin);
# screenshots in tests/browser/out.
browser: bundle probe-bundle browser-deps
	cd tests/e2e && MM_SERVER=newest YCAL_BUNDLE=$(CURDIR)/$(BUNDLE) YCAL_PROBE_BUNDLE=$(CURDIR)/$(PROBE_BUNDLE) go test -count=1 -v -run TestPanelInTheBrowser ./...

# Benchmarks, each measured side by side in one run and reported as ratios; and how late
# reminders due in the same minute are posted (p50/p99/max): 1,000 on the plugin-API test
# double, 100 on a real Mattermost.
bench: wasm refhost bundle
	tests/bench/info.sh $(REFHOST) host-shim/component-probe.wasm
	tests/bench/expand.sh
	tests/bench/caldav.sh
	tests/bench/reminders.sh
	tests/bench/reminders-mm.sh $(BUNDLE)

# Many users on one node, measured (tests/bench/scale.sh, tests/scale/): the real plugin
# process on a plugin-API double with 10,000 users (SCALE_USERS=10000,20000,40000: one
# process growing, a window at each count), then 300 users through a real Mattermost +
# PostgreSQL. A benchmark, not a test: hours at the big counts; figures in
# build/bench-scale.jsonl.
bench-scale: bundle
	tests/bench/scale.sh

clean:
	rm -rf dist build host-shim/component.wasm host-shim/component-probe.wasm webapp/dist tests/browser/out
