#!/usr/bin/env bash
# `make run`: the plugin in a local Mattermost with a demo CalDAV calendar, on 127.0.0.1.
#
#   tests/run/demo.sh           build the bundle, start PostgreSQL + Mattermost + Radicale,
#                               create an admin, a team and a demo user, install the plugin,
#                               fill a demo calendar, connect the demo user to it through
#                               the real dialogs, serve the web app's panel on a harness
#                               page, print how to try it, wait for Ctrl-C
#   tests/run/demo.sh --check   the same without waiting: checks /yandex_calendar info, the
#                               calendar and the demo user's agenda, stops everything,
#                               exit code 0 on success
#
# Run files: $YCAL_CACHE/run (default ~/.cache/yandex-calendar/run; --check uses a temp
# folder). YCAL_DEMO_SKIP_BUILD=1 uses the bundle already in dist/. Passwords:
# YCAL_DEMO_ADMIN_PASSWORD, YCAL_DEMO_PASSWORD, YCAL_DEMO_CALDAV_PASSWORD.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${YCAL_CACHE:-$HOME/.cache/yandex-calendar}"
MM_SH="$ROOT/tests/mattermost/mm.sh"
RADICALE_SH="$ROOT/tests/servers/radicale.sh"
DEMO_PY="$ROOT/tests/run/demo.py"

log() { printf 'demo: %s\n' "$*" >&2 || true; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

case "${1:-}" in
"") MODE=run ;;
--check) MODE=check ;;
*) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

T0=$SECONDS
command -v python3 >/dev/null || die "python3 is required"
command -v curl >/dev/null || die "curl is required (apt-get install curl)"

# One demo at a time in the cache (--check runs get their own folders). The lock is fd 8,
# which the servers do not inherit: a killed demo.sh frees it, and the next run cleans up.
mkdir -p "$CACHE"
if [ "$MODE" = run ]; then
	exec 8>"$CACHE/run.lock"
	flock -n 8 || die "another 'make run' is running (it holds $CACHE/run.lock); stop it with Ctrl-C first"
fi

# 1. The bundle.
PLUGIN=$(cd "$ROOT" && python3 -c 'import json;m=json.load(open("plugin.json"));print(m["id"]+"-"+m["version"])')
BUNDLE="$ROOT/dist/$PLUGIN.tar.gz"
if [ -z "${YCAL_DEMO_SKIP_BUILD:-}" ]; then
	log "building the bundle (./build.sh dist)"
	"$ROOT/build.sh" dist
fi
[ -f "$BUNDLE" ] || die "no bundle $BUNDLE (run ./build.sh dist)"

# 2. The run folder.
if [ "$MODE" = check ]; then
	RUN="$(mktemp -d "${TMPDIR:-/tmp}/ycal-run-check.XXXXXX")"
else
	RUN="$CACHE/run"
	# Whatever a killed earlier run left behind is stopped, then the folder starts afresh.
	"$MM_SH" stop "$RUN/mm" >/dev/null 2>&1 8>&- || true
	"$RADICALE_SH" stop "$RUN/radicale" 8>&- || true
	rm -rf "$RUN"
	mkdir -p "$RUN"
fi

PIDS="" # what must be gone at the end: Mattermost, PostgreSQL, Radicale, the panel's page
SLEEPER=""
HARNESS=""
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local rc=$?
	# Ctrl-C also ends a reader of our output (`make run | tee log`): writing to it must not
	# kill us halfway through stopping the servers.
	trap '' INT TERM PIPE
	if [ -n "$SLEEPER" ]; then kill "$SLEEPER" 2>/dev/null || true; fi
	if [ -n "$HARNESS" ]; then kill "$HARNESS" 2>/dev/null || true; fi
	# If that reader is gone, say nothing more rather than fail every write while stopping.
	printf 'demo: stopping Mattermost, PostgreSQL and Radicale\n' >&2 2>/dev/null || exec >/dev/null 2>&1
	"$MM_SH" stop "$RUN/mm" >&2 || rc=1
	"$RADICALE_SH" stop "$RUN/radicale" || rc=1
	# Ctrl-C reaches the servers too, and one may still be finishing its own shutdown when
	# the stop scripts return: give them up to 10 s to be gone.
	local left="" p _
	for _ in $(seq 1 50); do
		left=""
		for p in $PIDS; do
			if kill -0 "$p" 2>/dev/null; then left="$left $p"; fi
		done
		[ -z "$left" ] && break
		sleep 0.2
	done
	if [ -n "$left" ]; then
		log "error: still running after stop:$left"
		rc=1
	else
		log "stopped; nothing left running"
	fi
	if [ "$MODE" = check ]; then
		if [ "$rc" -eq 0 ]; then rm -rf "$RUN"; else log "run folder kept: $RUN"; fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 3. The servers, on 127.0.0.1 (8>&-: they must not hold the lock).
CALDAV_PASSWORD="${YCAL_DEMO_CALDAV_PASSWORD:-demo-caldav-password}"
export YCAL_DEMO_CALDAV_PASSWORD="$CALDAV_PASSWORD"
log "starting Radicale"
YCAL_TEST_USER=demo YCAL_TEST_PASSWORD="$CALDAV_PASSWORD" "$RADICALE_SH" start "$RUN/radicale" >/dev/null 8>&-
PIDS="$PIDS $(cat "$RUN/radicale/pid")"
log "starting PostgreSQL and Mattermost (the first run builds the server: ~15 min on 2 cores)"
"$MM_SH" start "$RUN/mm" >/dev/null 8>&-
MM_PID="$(sed -n 's/^MM_PID=//p' "$RUN/mm/env")"
PG_DATA="$(sed -n 's/^PG_DATA=//p' "$RUN/mm/env")"
PIDS="$PIDS $MM_PID $(head -n1 "$PG_DATA/data/postmaster.pid" 2>/dev/null || true)"

# 4. The terminal client (tests/mmclient): the demo user connects through it, and so can you.
log "building the terminal client (tests/mmclient/cmd/ycal-client)"
(cd "$ROOT/tests/mmclient" && go build -o "$RUN/ycal-client" ./cmd/ycal-client) 8>&-
export YCAL_CLIENT_BIN="$RUN/ycal-client"

# 5. The web app's Today panel: this server has no web app, so a harness page loads the
# bundle's main.js the way the web app does and proxies to Mattermost (tests/mmclient/harness).
log "building the panel's harness page (tests/mmclient/cmd/panel-harness)"
(cd "$ROOT/tests/mmclient" && go build -o "$RUN/panel-harness" ./cmd/panel-harness) 8>&-
[ -d "$ROOT/webapp/node_modules/react" ] || (cd "$ROOT/webapp" && npm ci --no-audit --no-fund) 8>&-
MM_URL="$(sed -n 's/^MM_URL=//p' "$RUN/mm/env")"
"$RUN/panel-harness" -mm "$MM_URL" -bundle "$BUNDLE" -node-modules "$ROOT/webapp/node_modules" \
	-listen "127.0.0.1:${YCAL_DEMO_PANEL_PORT:-0}" -while-pid $$ >"$RUN/panel-harness.log" 2>&1 8>&- &
HARNESS=$!
PIDS="$PIDS $HARNESS"
for _ in $(seq 1 50); do
	YCAL_PANEL_URL="$(head -n1 "$RUN/panel-harness.log" 2>/dev/null | grep '^http' || true)"
	[ -n "$YCAL_PANEL_URL" ] && break
	kill -0 "$HARNESS" 2>/dev/null || die "the panel's page did not start: $(cat "$RUN/panel-harness.log")"
	sleep 0.2
done
[ -n "$YCAL_PANEL_URL" ] || die "the panel's page did not say its address ($RUN/panel-harness.log)"
export YCAL_PANEL_URL

# 6. Users, team, plugin, settings, the demo calendar, and the demo user connected to it.
python3 "$DEMO_PY" setup "$RUN" "$BUNDLE"
log "up in $((SECONDS - T0))s"

if [ "$MODE" = check ]; then
	python3 "$DEMO_PY" check "$RUN"
	log "check passed"
	exit 0
fi

# 7. Wait for Ctrl-C (or SIGTERM); a Ctrl-C from here on is the normal way to end.
trap 'exit 0' INT TERM
while kill -0 "$MM_PID" 2>/dev/null; do
	sleep 2 &
	SLEEPER=$!
	wait "$SLEEPER" || true
	SLEEPER=""
done
die "Mattermost exited on its own; see $RUN/mm/mattermost.log"
