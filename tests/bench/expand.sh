#!/usr/bin/env bash
# Parse and expand a generated 1,000-event calendar natively and in wasm (wazero, the
# plugin's runtime), in the same run; prints both and their ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-10}
cargo build --quiet --release --bin expand_bench
cargo build --quiet --release --target wasm32-wasip1 --bin expand_bench
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys;print(json.load(sys.stdin)["target_directory"])')
native=$("$target_dir/release/expand_bench" "$runs" | sed -n 's/^ms_per_run=//p')
wasm=$(cd host-shim && YCAL_EXPAND_BENCH_WASM="$target_dir/wasm32-wasip1/release/expand_bench.wasm" \
    YCAL_EXPAND_BENCH_RUNS="$runs" go test -count=1 -run '^TestExpandBenchInWasm$' -v ./component/ \
    | sed -n 's/.*ms_per_run=//p')
python3 - "$native" "$wasm" <<'PY'
import sys
native, wasm = float(sys.argv[1]), float(sys.argv[2])
print(f"parse+expand 1,000 events, native:        {native:8.1f} ms")
print(f"parse+expand 1,000 events, wasm (wazero): {wasm:8.1f} ms")
print(f"ratio wasm/native: {wasm/native:.2f}")
PY
