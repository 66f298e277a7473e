#!/usr/bin/env bash
# Fuzzes the multistatus parser: tests/fuzz-caldav/run.sh [SECONDS] (default 180).
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
set -euo pipefail
cd "$(dirname "$0")"
TOOLS="${YCAL_CACHE:-$HOME/.cache/yandex-calendar}/cargo-tools"
if [ ! -x "$TOOLS/bin/cargo-fuzz" ]; then
    cargo install cargo-fuzz --root "$TOOLS"
fi
mkdir -p corpus/multistatus
cp -n ../fixtures/caldav/*.xml corpus/multistatus/ 2>/dev/null || true
RUSTC_BOOTSTRAP=1 "$TOOLS/bin/cargo-fuzz" run --fuzz-dir . multistatus corpus/multistatus -- \
    -max_total_time="${1:-180}" -max_len=65536
