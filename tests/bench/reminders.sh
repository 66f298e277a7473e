#!/usr/bin/env bash
# Reminder lateness: REMINDERS users (default 1,000) connected to one Radicale calendar,
# each with a reminder one minute before the same meeting, so all come due in the same
# minute. The real shim and component.wasm on the plugin-API test double with Mattermost's
# job-once scheduler (host-shim/reminder_bench_test.go); prints p50/p99/max of how late
# each reminder post was made after its time. About three minutes, most of it waiting for
# the meeting's minute.
set -euo pipefail
cd "$(dirname "$0")/../../host-shim"
YCAL_BENCH_REMINDERS=${REMINDERS:-1000} go test -count=1 -timeout 20m -run '^TestReminderLateness$' -v . \
    | grep -E '^(reminder lateness|--- FAIL|FAIL)|reminders armed|users connected'
