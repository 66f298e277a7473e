#!/usr/bin/env bash
# One `/yandex_calendar info` and one `echo-string("")` (the per-call floor) through the Go
# host (wazero) and through the wasmtime reference host, measured in the same run with the
# same inputs (tests/refhost/src/host.rs bench_inputs, host-shim/component/bench_test.go);
# prints both and their ratios. Usage: info.sh PATH_TO_REFHOST MODULE_WITH_PROBES
set -euo pipefail
cd "$(dirname "$0")/../.."
refhost=${1:?usage: info.sh PATH_TO_REFHOST MODULE_WITH_PROBES}
module=$(realpath "${2:-host-shim/component-probe.wasm}")
iterations=${ITERATIONS:-3000}
best() { sort -n | head -1; }
go_out=$(cd host-shim && YCAL_PROBE_WASM="$module" go test -run '^$' -bench '^Benchmark(Info|EchoEmpty)$' \
    -benchtime "${iterations}x" -count 3 ./component/)
go_info=$(awk '/^BenchmarkInfo/ {print $3}' <<<"$go_out" | best)
go_echo=$(awk '/^BenchmarkEchoEmpty/ {print $3}' <<<"$go_out" | best)
wt_info=() wt_echo=()
for _ in 1 2 3; do
    line=$("$refhost" bench --module "$module" --iterations "$iterations" 2>&1)
    wt_info+=("$(sed -n 's/^ns_per_call=\([0-9]*\).*/\1/p' <<<"$line")")
    wt_echo+=("$(sed -n 's/.*echo_ns_per_call=\([0-9]*\).*/\1/p' <<<"$line")")
done
wt_info=$(printf '%s\n' "${wt_info[@]}" | best)
wt_echo=$(printf '%s\n' "${wt_echo[@]}" | best)
python3 - "$go_info" "$wt_info" "$go_echo" "$wt_echo" <<'PY'
import sys
gi, wi, ge, we = map(float, sys.argv[1:])
print(f"info command, Go host (wazero):   {gi/1000:8.1f} µs/call")
print(f"info command, wasmtime reference: {wi/1000:8.1f} µs/call")
print(f"ratio Go/wasmtime: {gi/wi:.2f}")
print(f"per-call floor echo-string(\"\"), Go host: {ge/1000:6.2f} µs, wasmtime: {we/1000:6.2f} µs (ratio {ge/we:.1f})")
PY
