# Entry points. README.md names the two that matter: `make run` and `make test`.
# Heavy builds are cached outside the checkout, under $(YCAL_CACHE).

export YCAL_CACHE ?= $(HOME)/.cache/yandex-calendar
BUNDLE = dist/$(shell python3 -c 'import json;m=json.load(open("plugin.json"));print(m["id"]+"-"+m["version"])').tar.gz
TARGET_DIR = $(shell cargo metadata --format-version 1 --no-deps 2>/dev/null | python3 -c 'import json,sys;print(json.load(sys.stdin)["target_directory"])')
REFHOST = $(TARGET_DIR)/refhost/refhost

.PHONY: all run dist wasm test lint test-rust test-go conformance refhost bench clean

all: dist

# Until the local Mattermost lands, "run" builds the bundle to upload in System Console.
run: dist
	@echo "Upload $(BUNDLE) in System Console → Plugins → Plugin Management."

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
