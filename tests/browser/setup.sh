#!/usr/bin/env bash
# Installs what the browser test needs (tests/e2e/users_panel_test.go runs it): Chromium
# from Debian's packages (never a browser download), the Playwright driver and the web
# app's packages (the harness page serves React from webapp/node_modules).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x "${YCAL_CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "browser test: installing chromium (Debian)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
# playwright-core ships no browser and downloads none; the variable keeps it that way.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
[ -d ../../webapp/node_modules/react ] || (cd ../../webapp && npm ci --no-audit --no-fund)
