#!/usr/bin/env bash
# Builds the plugin: the Rust component (wasm), the Go host shim for every platform,
# the webapp, and the bundle System Console accepts. Usage: ./build.sh [wasm|server|webapp|dist]
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
PLUGIN_ID=$(python3 -c 'import json;print(json.load(open("plugin.json"))["id"])')
VERSION=$(python3 -c 'import json;print(json.load(open("plugin.json"))["version"])')
PLATFORMS="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64"

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
    cp plugin.json "$stage/"
    cp -r assets "$stage/"
    cp -r build/server/dist "$stage/server/"
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
