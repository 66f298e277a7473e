#!/usr/bin/env bash
# Reminder lateness on a real Mattermost (the newest server built here, started by the e2e
# suite's TestMain): REMINDER_MM_USERS users (default 100) connected to one Radicale
# calendar, each with a reminder one minute before the same meeting; prints p50/p99/max of
# how late each reminder's post was created (tests/e2e/reminders_bench_test.go). About
# five minutes. Usage: tests/bench/reminders-mm.sh BUNDLE
set -euo pipefail
bundle=$(realpath "$1")
cd "$(dirname "$0")/../e2e"
YCAL_E2E_REMINDER_USERS=${REMINDER_MM_USERS:-100} MM_SERVER=newest YCAL_BUNDLE="$bundle" \
    go test -count=1 -timeout 30m -run '^TestReminderLatenessOnTheRealServer$' -v ./... \
    | grep -E '^(reminder lateness|--- FAIL|FAIL)|users connected'
