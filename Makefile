# Entry points. README.md names the two that matter: `make run` and `make test`.
# Heavy builds are cached outside the checkout, under $(YCAL_CACHE).

export YCAL_CACHE ?= $(HOME)/.cache/yandex-calendar
BUNDLE = dist/$(shell python3 -c 'import json;m=json.load(open("plugin.json"));print(m["id"]+"-"+m["version"])').tar.gz
TARGET_DIR = $(shell cargo metadata --format-version 1 --no-deps 2>/dev/null | python3 -c 'import json,sys;print(json.load(sys.stdin)["target_directory"])')
REFHOST = $(TARGET_DIR)/refhost/refhost

.PHONY: all run run-check dist wasm test lint test-rust test-go conformance refhost bench clean

all: dist

# The bundle in a local Mattermost (+ PostgreSQL) with a demo calendar in Radicale, all on
# 127.0.0.1; prints the URL, logins and what to try, and stops everything on Ctrl-C.
run:
	tests/run/demo.sh

# The same, non-interactive: checks /yandex_calendar info and the demo calendar, then stops.
run-check:
	tests/run/demo.sh --check

dist:
	./build.sh dist

wasm:
	./build.sh wasm

# The whole suite: lints, Rust unit tests, the bundle, the Go host against the real module,
# and the conformance run against the wasmtime reference host.
test: lint test-rust dist test-go conformance

lint:
	cargo fmt --all --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-wasip1 --lib -- -D warnings
	cd host-shim && test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	cd host-shim && go vet ./...

test-rust:
	cargo test

test-go: wasm
	cd host-shim && YCAL_BUNDLE=$(CURDIR)/$(BUNDLE) go test -count=1 ./...

refhost:
	cargo build -p refhost --profile refhost

conformance: wasm refhost
	cd host-shim && YCAL_REFHOST=$(REFHOST) go test -count=1 -run Conformance -v ./component/ | grep -E '^(=== RUN|--- |PASS|FAIL|ok|\s+conformance_test)'

bench: wasm refhost
	tests/bench/info.sh $(REFHOST)

clean:
	rm -rf dist build host-shim/component.wasm webapp/dist
