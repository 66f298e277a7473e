#!/usr/bin/env bash
# CalDAV poll-cost benchmark (for `make bench`): requests and bytes per poll of a
# 500-event calendar, incremental sync vs. a 30-day time-range query each poll.
# Also checks that one changed event costs the same at 50 and 500 events.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo test --test caldav_bench -- --ignored --nocapture --test-threads=1 2>&1 |
    grep -vE '^(running|test |$)' | grep -v 'test result' || true
