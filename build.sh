#!/usr/bin/env bash
# Builds the plugin: the Rust component (wasm), the Go host shim for every platform,
# the webapp, and the bundle System Console accepts. Usage: ./build.sh [wasm|server|webapp|dist]
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
PLUGIN_ID=$(python3 -c 'import json;print(json.load(open("plugin.json"))["id"])')
VERSION=$(python3 -c 'import json;print(json.load(open("plugin.json"))["version"])')
# PLATFORMS=linux/amd64 ./build.sh dist makes a small single-platform bundle.
PLATFORMS=${PLATFORMS:-"linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64"}

wasm() {
    rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
    cargo build --target wasm32-wasip1 --release --lib
    local target_dir
    target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys;print(json.load(sys.stdin)["target_directory"])')
    cp "$target_dir/wasm32-wasip1/release/yandex_calendar.wasm" host-shim/component.wasm
    echo "wasm: $(stat -c %s host-shim/component.wasm) bytes"
}

server() {
    [ -f host-shim/component.wasm ] || wasm
    mkdir -p build/server/dist
    for p in $PLATFORMS; do
        local os=${p%/*} arch=${p#*/} ext=""
        [ "$os" = windows ] && ext=.exe
        (cd host-shim && CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "-s -w" \
            -o "$ROOT/build/server/dist/plugin-$os-$arch$ext" .)
    done
}

webapp() {
    (cd webapp && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
}

dist() {
    wasm
    server
    webapp
    local stage=build/bundle/$PLUGIN_ID
    rm -rf build/bundle && mkdir -p "$stage/server" "$stage/webapp" dist
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
        cp build/server/dist/plugin-${p%/*}-${p#*/}* "$stage/server/dist/"
    done
    mkdir -p "$stage/webapp/dist" && cp webapp/dist/main.js "$stage/webapp/dist/"
    local out=dist/$PLUGIN_ID-$VERSION.tar.gz
    tar -C build/bundle -czf "$out" "$PLUGIN_ID"
    echo "bundle: $out $(stat -c %s "$out") bytes"
}

case "${1:-dist}" in
    wasm) wasm ;;
    server) server ;;
    webapp) webapp ;;
    dist) dist ;;
    *) echo "usage: $0 [wasm|server|webapp|dist]" >&2; exit 2 ;;
esac
