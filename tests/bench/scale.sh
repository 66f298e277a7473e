#!/usr/bin/env bash
# bench-scale: many users on one node (tests/scale/cmd/scalebench). For each count in
# SCALE_USERS (default 10000) the real plugin process on the plugin-API double, then
# REAL_USERS (default 300) through a real Mattermost + PostgreSQL (0: skip), each with a
# window of SCALE_MINUTES (default 10; REAL_MINUTES for the real one, default 5). The
# CalDAV stub answers after SCALE_DAV_LATENCY (default 50ms). Results are printed and
# appended as JSON lines to SCALE_OUT (default build/bench-scale.jsonl).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out=${SCALE_OUT:-$root/build/bench-scale.jsonl}
mkdir -p "$(dirname "$out")"
bundle=${YCAL_BUNDLE:-$(ls -t "$root"/dist/*.tar.gz | head -n1)}
bin="$root/build/scalebench"
(cd tests/scale && go build -o "$bin" ./cmd/scalebench)
for n in ${SCALE_USERS:-10000}; do
    "$bin" -users "$n" -minutes "${SCALE_MINUTES:-10}" -dav-latency "${SCALE_DAV_LATENCY:-50ms}" \
        -bundle "$bundle" -out "$out"
done
if [ "${REAL_USERS:-300}" != 0 ]; then
    "$bin" -mode real -users "${REAL_USERS:-300}" -minutes "${REAL_MINUTES:-5}" \
        -dav-latency "${SCALE_DAV_LATENCY:-50ms}" -bundle "$bundle" -out "$out"
fi
