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
# Wall time per call, and CPU time per call (steadier when other work shares the cores).
metric() { awk -v b="$1" -v unit="$2" '$1 ~ "^"b {for (i = 1; i < NF; i++) if ($(i+1) == unit) print $i}' <<<"$go_out" | best; }
go_info=$(metric BenchmarkInfo ns/op) go_info_cpu=$(metric BenchmarkInfo cpu-ns/op)
go_echo=$(metric BenchmarkEchoEmpty ns/op)
wt_info=() wt_cpu=() wt_echo=()
for _ in 1 2 3; do
    line=$("$refhost" bench --module "$module" --iterations "$iterations" 2>&1)
    wt_info+=("$(sed -n 's/^ns_per_call=\([0-9]*\).*/\1/p' <<<"$line")")
    wt_cpu+=("$(sed -n 's/.*cpu_ns_per_call=\([0-9]*\).*/\1/p' <<<"$line")")
    wt_echo+=("$(sed -n 's/.*echo_ns_per_call=\([0-9]*\).*/\1/p' <<<"$line")")
done
wt_info=$(printf '%s\n' "${wt_info[@]}" | best)
wt_cpu=$(printf '%s\n' "${wt_cpu[@]}" | best)
wt_echo=$(printf '%s\n' "${wt_echo[@]}" | best)
python3 - "$go_info" "$wt_info" "$go_info_cpu" "$wt_cpu" "$go_echo" "$wt_echo" <<'PY'
import sys
gi, wi, gc, wc, ge, we = map(float, sys.argv[1:])
print(f"info command, Go host (wazero):   {gi/1000:8.1f} µs/call wall, {gc/1000:6.1f} µs CPU")
print(f"info command, wasmtime reference: {wi/1000:8.1f} µs/call wall, {wc/1000:6.1f} µs CPU")
print(f"ratio Go/wasmtime: {gi/wi:.2f} wall, {gc/wc:.2f} CPU")
print(f"per-call floor echo-string(\"\"), Go host: {ge/1000:6.2f} µs, wasmtime: {we/1000:6.2f} µs (ratio {ge/we:.1f})")
PY
