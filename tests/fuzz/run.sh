#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time and prints how many inputs each ran.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     (default 60 s each; all targets)
# Targets: parse expand changes answer (iCalendar, tests/fuzz) and multistatus href sync (CalDAV,
# tests/fuzz-caldav). A crash, a panic, or an input slower than 10 s (a rule that spins)
# fails the run; the input is left in <crate>/artifacts/<target>/.
# cargo-fuzz is installed once into $YCAL_CACHE/cargo-tools; it needs nightly flags, which
# RUSTC_BOOTSTRAP=1 lets the stable toolchain accept.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tests="$(dirname "$here")"
seconds="${1:-60}"
shift || true
TOOLS="${YCAL_CACHE:-$HOME/.cache/yandex-calendar}/cargo-tools"
if [ ! -x "$TOOLS/bin/cargo-fuzz" ]; then
    cargo install --locked cargo-fuzz --root "$TOOLS" >&2
fi
declare -A crate_of=(
    [parse]=fuzz [expand]=fuzz [changes]=fuzz [answer]=fuzz
    [multistatus]=fuzz-caldav [href]=fuzz-caldav [sync]=fuzz-caldav
)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse expand changes answer multistatus href sync)

seed() {
    local target="$1" dir="$2"
    mkdir -p "$dir"
    case "$target" in
    parse | expand | changes | answer) cp -n "$tests"/fixtures/ics/*.ics "$dir"/ 2>/dev/null || true ;;
    multistatus | sync) cp -n "$tests"/fixtures/caldav/*.xml "$dir"/ 2>/dev/null || true ;;
    href) printf '/calendars/u%%40yandex.ru/events-1/a@b.ics' >"$dir/yandex" ;;
    esac
}

summary=()
for target in "${targets[@]}"; do
    crate="${crate_of[$target]:?unknown fuzz target $target}"
    cd "$tests/$crate"
    seed "$target" "corpus/$target"
    log="$(mktemp)"
    if ! RUSTC_BOOTSTRAP=1 "$TOOLS/bin/cargo-fuzz" run --fuzz-dir . "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -max_len=65536 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1; then
        grep -E -m5 -A3 "panicked|ERROR: libFuzzer|SUMMARY" "$log" >&2 || tail -40 "$log" >&2
        echo "fuzz $target: FAILED (input in tests/$crate/artifacts/$target/)" >&2
        exit 1
    fi
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    summary+=("fuzz $target: ${runs:-?} inputs in ${seconds} s, no crash")
    rm -f "$log"
done
printf '%s\n' "${summary[@]}"
