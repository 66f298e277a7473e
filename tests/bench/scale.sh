#!/usr/bin/env bash
# bench-scale: many users on one node (tests/scale/cmd/scalebench). For each count in
# SCALE_USERS (default 10000) the real plugin process on the plugin-API double — a
# comma-separated list (10000,20000,40000) is one run that grows, measuring a window at each
# count and connecting only the users added — then
# REAL_USERS (default 300) through a real Mattermost 9.11 + PostgreSQL (0: skip), each with a
# window of SCALE_MINUTES (default 10; REAL_MINUTES for the real one, default 5). The
# CalDAV stub answers after SCALE_DAV_LATENCY (default 50ms); calendars hold 50 to
# SCALE_MAX_EVENTS (default 500) events. Results are printed, appended as JSON lines to
# SCALE_OUT (default build/bench-scale.jsonl), and the runs of this invocation shown as
# one table at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out=${SCALE_OUT:-$root/build/bench-scale.jsonl}
mkdir -p "$(dirname "$out")"
bundle=${YCAL_BUNDLE:-$(ls -t "$root"/dist/*.tar.gz | head -n1)}
bin="$root/build/scalebench"
(cd tests/scale && go build -o "$bin" ./cmd/scalebench)
first=$( [ -f "$out" ] && wc -l <"$out" || echo 0)
# Setup connects 16 users at a time; each first sync is a dialog, an interactive call, and
# eight interactive instances let those use both cores (the measured window makes none).
export YCAL_WASM_INSTANCES=${YCAL_WASM_INSTANCES:-8}
common=(-workers "${SCALE_WORKERS:-16}" -dav-latency "${SCALE_DAV_LATENCY:-50ms}" -max-events "${SCALE_MAX_EVENTS:-500}" -bundle "$bundle" -out "$out")
for n in ${SCALE_USERS:-10000}; do
    "$bin" -users "$n" -minutes "${SCALE_MINUTES:-10}" "${common[@]}"
done
if [ "${REAL_USERS:-300}" != 0 ]; then
    # Mattermost 9.11 (REAL_SERVER=newest for 11.4): an unlicensed 11.x refuses a 251st user.
    "$bin" -mode real -mm-server "${REAL_SERVER:-oldest}" -users "${REAL_USERS:-300}" -minutes "${REAL_MINUTES:-5}" "${common[@]}"
fi
tail -n +"$((first + 1))" "$out" | python3 "$root/tests/bench/scale_table.py"
