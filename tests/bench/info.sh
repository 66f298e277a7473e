#!/usr/bin/env bash
# One `/yandex_calendar info` through the Go host (wazero) and through the wasmtime
# reference host, measured in the same run; prints both and their ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
refhost=${1:?usage: info.sh PATH_TO_REFHOST}
iterations=${ITERATIONS:-2000}
go_ns=$(cd host-shim && go test -run '^$' -bench '^BenchmarkInfo$' -benchtime "${iterations}x" -count 3 ./component/ \
    | awk '/^BenchmarkInfo/ {print $3}' | sort -n | head -1)
wt_ns=$("$refhost" bench --module host-shim/component.wasm --iterations "$iterations" | sed -n 's/^ns_per_call=//p')
python3 - "$go_ns" "$wt_ns" <<'PY'
import sys
go, wt = float(sys.argv[1]), float(sys.argv[2])
print(f"info command, Go host (wazero):   {go/1000:8.1f} µs/call")
print(f"info command, wasmtime reference: {wt/1000:8.1f} µs/call")
print(f"ratio Go/wasmtime: {go/wt:.2f}")
PY
