#!/usr/bin/env bash
# Builds the plugin: the Rust component (wasm), the Go host shim for every platform,
# the webapp, and the bundle System Console accepts.
# Usage: ./build.sh [wasm|server|webapp|dist|probe]
#   dist   dist/<id>-<version>.tar.gz (PLATFORMS=linux/amd64 ./build.sh dist: one platform)
#   probe  build/probe/<id>-<version>.tar.gz: the test bundle, whose module exports the ABI
#          probes and whose shim (-tags probe) routes /probe/call-import to them; for the
#          end-to-end suite only, never to ship
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
PLUGIN_ID=$(python3 -c 'import json;print(json.load(open("plugin.json"))["id"])')
VERSION=$(python3 -c 'import json;print(json.load(open("plugin.json"))["version"])')
# PLATFORMS=linux/amd64 ./build.sh dist makes a small single-platform bundle.
PLATFORMS=${PLATFORMS:-"linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64"}

# The shipped module (host-shim/component.wasm) and, from the same sources with the cargo
# feature abi-probe, the hosts' test module (host-shim/component-probe.wasm).
wasm() {
    rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
    cargo build --target wasm32-wasip1 --release --lib
    cargo build --target wasm32-wasip1 --profile probe --lib --features abi-probe
    local target_dir
    target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys;print(json.load(sys.stdin)["target_directory"])')
    cp "$target_dir/wasm32-wasip1/release/yandex_calendar.wasm" host-shim/component.wasm
    cp "$target_dir/wasm32-wasip1/probe/yandex_calendar.wasm" host-shim/component-probe.wasm
    echo "wasm: $(stat -c %s host-shim/component.wasm) bytes (with the probes: $(stat -c %s host-shim/component-probe.wasm))"
}

# server [TAGS OUT]: the shim for every platform in PLATFORMS, into OUT (build/server/dist).
server() {
    local tags=${1:-} out=${2:-$ROOT/build/server/dist}
    mkdir -p "$out"
    for p in $PLATFORMS; do
        local os=${p%/*} arch=${p#*/} ext=""
        [ "$os" = windows ] && ext=.exe
        (cd host-shim && CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -tags "$tags" -ldflags "-s -w" \
            -o "$out/plugin-$os-$arch$ext" .)
    done
}

webapp() {
    (cd webapp && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
}

# bundle WASM EXECUTABLES OUT: stages and packs a bundle.
bundle() {
    local module=$1 exes=$2 out=$3
    local stage=build/bundle/$PLUGIN_ID
    rm -rf build/bundle && mkdir -p "$stage/server" "$stage/webapp" "$(dirname "$out")"
    # The manifest names only the executables this bundle carries.
    python3 - "$stage/plugin.json" $PLATFORMS <<'PY'
import json, sys
out, platforms = sys.argv[1], sys.argv[2:]
m = json.load(open("plugin.json"))
keep = {p.replace("/", "-") for p in platforms}
m["server"]["executables"] = {k: v for k, v in m["server"]["executables"].items() if k in keep}
json.dump(m, open(out, "w"), indent=4, ensure_ascii=False)
PY
    cp -r assets "$stage/"
    mkdir -p "$stage/server/dist"
    for p in $PLATFORMS; do
        cp "$exes"/plugin-${p%/*}-${p#*/}* "$stage/server/dist/"
    done
    # One module for every executable: they read it from the bundle at activation.
    cp "$module" "$stage/server/dist/component.wasm"
    mkdir -p "$stage/webapp/dist" && cp webapp/dist/main.js "$stage/webapp/dist/"
    tar -C build/bundle -czf "$out" "$PLUGIN_ID"
    echo "bundle: $out $(stat -c %s "$out") bytes"
}

dist() {
    wasm
    server
    webapp
    bundle host-shim/component.wasm build/server/dist "dist/$PLUGIN_ID-$VERSION.tar.gz"
}

probe() {
    wasm
    server probe "$ROOT/build/probe-server"
    webapp
    bundle host-shim/component-probe.wasm build/probe-server "build/probe/$PLUGIN_ID-$VERSION.tar.gz"
}

case "${1:-dist}" in
    wasm) wasm ;;
    server) server ;;
    webapp) webapp ;;
    dist) dist ;;
    probe) probe ;;
    *) echo "usage: $0 [wasm|server|webapp|dist|probe]" >&2; exit 2 ;;
esac
