#!/usr/bin/env bash
# A real Mattermost server (built from its Go module) plus a throwaway PostgreSQL,
# both on 127.0.0.1, for end-to-end tests. See README.md in this folder.
#
#   mm.sh build       build the server once and cache it (prints the binary's path)
#   mm.sh start DIR   start PostgreSQL + Mattermost with run files in DIR;
#                     writes DIR/env (KEY=VALUE lines) once /api/v4/system/ping answers
#   mm.sh stop DIR    stop both and remove the database; safe to call repeatedly
#   mm.sh node DIR FROM_DIR   another Mattermost node on FROM_DIR's database and file
#                     store (its configuration copied from FROM_DIR's), run files in DIR;
#                     run again after a kill it restarts the node on the same port
#   mm.sh kill DIR    SIGKILL the server of DIR and its plugin processes (a node that
#                     dies); its database, if it has one, keeps running
#   mm.sh version     print the server module version (the cache key)
#
# MM_SERVER picks the server: newest (server/, Mattermost 11.4, the default) or oldest
# (server-9.11/, Mattermost 9.11): the newest and the oldest the Go module proxy builds.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "${MM_SERVER:-newest}" in
newest) SERVER_MOD="$HERE/server" ;;
oldest) SERVER_MOD="$HERE/server-9.11" ;;
*) echo "mm.sh: MM_SERVER must be newest or oldest, not ${MM_SERVER}" >&2; exit 2 ;;
esac
CACHE_ROOT="${YCAL_CACHE:-$HOME/.cache/yandex-calendar}"
PING_TIMEOUT="${MM_START_TIMEOUT:-180}"

die() { echo "mm.sh: error: $*" >&2; exit 1; }
log() { echo "mm.sh: $*" >&2; }

need_cmd() { command -v "$1" >/dev/null 2>&1; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; elif need_cmd sudo; then sudo "$@"; else
		die "need root to run: $*"
	fi
}

# --- versions --------------------------------------------------------------

server_version() {
	awk '$1 == "github.com/mattermost/mattermost/server/v8" { print $2; exit }
	     $1 == "require" && $2 == "github.com/mattermost/mattermost/server/v8" { print $3; exit }' \
		"$SERVER_MOD/go.mod"
}

public_version() {
	awk '$1 == "github.com/mattermost/mattermost/server/public" { print $2; exit }' "$SERVER_MOD/go.mod"
}

cache_dir() { echo "$CACHE_ROOT/mattermost/$(server_version)"; }

# A fingerprint of what the binary is built from; a change rebuilds it.
build_stamp() {
	cat "$SERVER_MOD/go.mod" "$SERVER_MOD/go.sum" "$SERVER_MOD"/*.go | sha256sum | cut -d' ' -f1
}

# --- build -----------------------------------------------------------------

cmd_build() {
	need_cmd go || die "Go is not installed (need go >= $(awk '$1=="go"{print $2}' "$SERVER_MOD/go.mod"))"
	local ver dir stamp
	ver="$(server_version)"
	[ -n "$ver" ] || die "cannot read the server version from $SERVER_MOD/go.mod"
	dir="$(cache_dir)"
	stamp="$(build_stamp)"
	mkdir -p "$CACHE_ROOT/mattermost"
	# One build at a time, even with several test runs starting at once.
	exec 9>"$CACHE_ROOT/mattermost/.build.lock"
	flock 9
	if [ -x "$dir/bin/mattermost" ] && [ -d "$dir/i18n" ] && [ -d "$dir/templates" ] &&
		[ "$(cat "$dir/.stamp" 2>/dev/null)" = "$stamp" ]; then
		echo "$dir/bin/mattermost"
		return 0
	fi
	log "building Mattermost server $ver (first run only; takes a while on 2 cores)"
	local tmp t0 t1 t2 moddir
	tmp="$(mktemp -d "$CACHE_ROOT/mattermost/.build.XXXXXX")"
	t0=$(date +%s)
	# The checksum database does not know every server pseudo-version the proxy serves;
	# go.sum pins them.
	export GONOSUMDB=github.com/mattermost/mattermost/server/v8
	(cd "$SERVER_MOD" && go mod download) || { rm -rf "$tmp"; die "go mod download failed in $SERVER_MOD"; }
	t1=$(date +%s)
	mkdir -p "$tmp/bin"
	(cd "$SERVER_MOD" && go build -trimpath -tags production \
		-ldflags "-X github.com/mattermost/mattermost/server/public/model.BuildNumber=$ver -X github.com/mattermost/mattermost/server/public/model.BuildHash=${ver##*-} -X github.com/mattermost/mattermost/server/public/model.BuildDate=$(date -u +%Y-%m-%d)" \
		-o "$tmp/bin/mattermost" .) || { rm -rf "$tmp"; die "go build of the Mattermost server failed (see above)"; }
	t2=$(date +%s)
	moddir="$(cd "$SERVER_MOD" && go list -m -f '{{.Dir}}' github.com/mattermost/mattermost/server/v8)"
	[ -d "$moddir/i18n" ] || { rm -rf "$tmp"; die "no i18n/ in $moddir"; }
	for d in i18n templates fonts; do
		if [ -d "$moddir/$d" ]; then cp -R "$moddir/$d" "$tmp/$d"; fi
	done
	chmod -R u+w "$tmp"
	echo "$stamp" >"$tmp/.stamp"
	cat >"$tmp/BUILD_INFO" <<EOF
server_v8=$ver
server_public=$(public_version)
go=$(go env GOVERSION)
mod_download_seconds=$((t1 - t0))
build_seconds=$((t2 - t1))
built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF
	rm -rf "$dir"
	mv "$tmp" "$dir"
	log "built in $((t2 - t1))s (go mod download $((t1 - t0))s): $dir/bin/mattermost"
	echo "$dir/bin/mattermost"
}

# --- PostgreSQL ------------------------------------------------------------

newest_pg_bindir() {
	find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n1
}

pg_bindir() {
	local d
	d="$(newest_pg_bindir)"
	if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
		log "installing PostgreSQL from Debian packages"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 ||
			{ as_root apt-get update -q >&2 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; } ||
			die "apt-get install postgresql failed"
		d="$(newest_pg_bindir)"
	fi
	[ -x "$d/initdb" ] || die "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin"
	echo "$d"
}

# Runs a PostgreSQL program as the postgres user when we are root (initdb and
# postgres refuse to run as root), else as ourselves.
pg_run() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# --- ports -----------------------------------------------------------------

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
	local p
	for _ in $(seq 1 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if ! port_busy "$p"; then
			echo "$p"
			return 0
		fi
	done
	die "no free port on 127.0.0.1"
}

# --- start / stop ----------------------------------------------------------

envval() { # envval FILE KEY
	if [ -f "$1" ]; then sed -n "s/^$2=//p" "$1" | tail -n1; fi
}

write_config() { # write_config FILE
	local f="$1" sock=""
	if [ "${#RUN_DIR}" -lt 80 ]; then sock="$RUN_DIR/mattermost_local.socket"; fi
	cat >"$f" <<EOF
{
  "ServiceSettings": {
    "SiteURL": "$MM_URL",
    "ListenAddress": "127.0.0.1:$MM_PORT",
    "EnableBotAccountCreation": true,
    "EnableUserAccessTokens": true,
    "EnableLocalMode": $([ -n "$sock" ] && echo true || echo false),
    "LocalModeSocketLocation": "${sock:-/nonexistent/mattermost_local.socket}",
    "EnableSecurityFixAlert": false,
    "EnableLinkPreviews": false,
    "EnableGifPicker": false,
    "EnableDeveloper": false,
    "EnableTesting": false,
    "WebserverMode": "disabled",
    "EnableAPITeamDeletion": true,
    "EnableAPIUserDeletion": true
  },
  "TeamSettings": {
    "EnableCustomUserStatuses": true,
    "EnableOpenServer": true,
    "EnableUserCreation": true
  },
  "SqlSettings": {
    "DriverName": "postgres",
    "DataSource": "$PG_DSN"
  },
  "LogSettings": {
    "EnableConsole": true,
    "ConsoleLevel": "ERROR",
    "EnableFile": true,
    "FileLevel": "DEBUG",
    "FileJson": true,
    "FileLocation": "$RUN_DIR",
    "EnableDiagnostics": false,
    "EnableSentry": false
  },
  "NotificationLogSettings": {
    "EnableConsole": false,
    "EnableFile": true,
    "FileLocation": "$RUN_DIR"
  },
  "FileSettings": {
    "DriverName": "local",
    "Directory": "$RUN_DIR/data/"
  },
  "EmailSettings": {
    "RequireEmailVerification": false,
    "SendEmailNotifications": false,
    "SendPushNotifications": false,
    "EnableSignUpWithEmail": true,
    "EnableSignInWithEmail": true,
    "EnableSignInWithUsername": true
  },
  "PluginSettings": {
    "Enable": true,
    "EnableUploads": true,
    "RequirePluginSignature": false,
    "AutomaticPrepackagedPlugins": false,
    "EnableMarketplace": false,
    "EnableRemoteMarketplace": false,
    "EnableHealthCheck": true,
    "Directory": "$RUN_DIR/plugins",
    "ClientDirectory": "$RUN_DIR/client/plugins"
  },
  "AnnouncementSettings": {
    "AdminNoticesEnabled": false,
    "UserNoticesEnabled": false
  },
  "MetricsSettings": {
    "Enable": false
  }
}
EOF
}

start_exit() {
	local rc=$?
	if [ "$rc" -ne 0 ]; then cmd_stop "$RUN_DIR" >/dev/null 2>&1 || true; fi
}

cmd_start() {
	[ $# -eq 1 ] || die "usage: mm.sh start DIR"
	mkdir -p "$1"
	RUN_DIR="$(cd "$1" && pwd)"
	if [ -f "$RUN_DIR/env" ] && kill -0 "$(envval "$RUN_DIR/env" MM_PID)" 2>/dev/null; then
		die "a server is already running for $RUN_DIR (run: mm.sh stop $RUN_DIR)"
	fi
	# Leftovers of a crashed run are cleaned up first.
	cmd_stop "$RUN_DIR" >/dev/null 2>&1 || true
	# Whatever fails from here on, leave nothing running.
	trap start_exit EXIT
	need_cmd curl || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl >&2
	need_cmd setsid || die "setsid (util-linux) is missing"

	local bin pgbin
	bin="$(cmd_build)"
	pgbin="$(pg_bindir)"

	# PostgreSQL: its own data directory, outside DIR so that the postgres user can
	# reach it even when DIR is under a private home.
	PG_PORT="$(free_port)"
	PG_DATA="$(mktemp -d /tmp/ycal-mm-pg.XXXXXX)"
	echo "PG_DATA=$PG_DATA" >"$RUN_DIR/state"
	echo "PG_BIN=$pgbin" >>"$RUN_DIR/state"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DATA"
	chmod 700 "$PG_DATA"
	pg_run "$pgbin/initdb" -D "$PG_DATA/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
		>"$PG_DATA/initdb.log" 2>&1 || { cat "$PG_DATA/initdb.log" >&2; die "initdb failed"; }
	pg_run "$pgbin/pg_ctl" -D "$PG_DATA/data" -l "$PG_DATA/postgres.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null || { cat "$PG_DATA/postgres.log" >&2; die "PostgreSQL did not start"; }
	echo "PG_PORT=$PG_PORT" >>"$RUN_DIR/state"
	pg_run "$pgbin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
		-c "CREATE ROLE mmuser LOGIN PASSWORD 'mmuser-password'" \
		-c "CREATE DATABASE mattermost OWNER mmuser" >/dev/null ||
		die "could not create the Mattermost database"
	PG_DSN="postgres://mmuser:mmuser-password@127.0.0.1:$PG_PORT/mattermost?sslmode=disable&connect_timeout=10"

	# Mattermost.
	MM_PORT="$(free_port)"
	while [ "$MM_PORT" = "$PG_PORT" ]; do MM_PORT="$(free_port)"; done
	MM_URL="http://127.0.0.1:$MM_PORT"
	mkdir -p "$RUN_DIR/data" "$RUN_DIR/plugins" "$RUN_DIR/client/plugins"
	write_config "$RUN_DIR/config.json"
	launch_mm "$bin"
	trap - EXIT
}

# launch_mm BIN: runs the server of $RUN_DIR/config.json ($MM_URL) in its own session,
# waits until it answers, writes $RUN_DIR/env (with $PG_PORT, $PG_DATA, $PG_DSN).
launch_mm() {
	local bin="$1"
	log "starting Mattermost on $MM_URL (logs: $RUN_DIR/mattermost.log)"
	(
		cd "$RUN_DIR"
		# Its own session, so that stop can end the plugin processes with it.
		exec setsid env -u MM_CONFIG -u MM_SQLSETTINGS_DATASOURCE \
			"$bin" server --config "$RUN_DIR/config.json" \
			>"$RUN_DIR/mattermost.stdout" 2>&1 </dev/null
	) &
	MM_PID=$!
	# setsid forks when it is already a group leader; find the server by its
	# (unique) config path then.
	if ! is_our_mm "$MM_PID" "$RUN_DIR"; then
		sleep 0.5
		local p
		p="$(ps -eo pid=,args= | awk -v c="server --config $RUN_DIR/config.json" 'index($0, c) { print $1; exit }')"
		[ -n "$p" ] && MM_PID="$p"
	fi
	echo "MM_PID=$MM_PID" >>"$RUN_DIR/state"

	local deadline=$((SECONDS + PING_TIMEOUT))
	until curl -fsS -m 5 "$MM_URL/api/v4/system/ping" >/dev/null 2>&1; do
		if ! kill -0 "$MM_PID" 2>/dev/null; then
			log "Mattermost exited during start-up; last output:"
			tail -n 40 "$RUN_DIR/mattermost.stdout" >&2 || true
			tail -n 20 "$RUN_DIR/mattermost.log" >&2 || true
			cmd_stop "$RUN_DIR" >/dev/null 2>&1 || true
			die "Mattermost did not start"
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			tail -n 40 "$RUN_DIR/mattermost.log" >&2 || true
			cmd_stop "$RUN_DIR" >/dev/null 2>&1 || true
			die "Mattermost did not answer $MM_URL/api/v4/system/ping within ${PING_TIMEOUT}s"
		fi
		sleep 1
	done

	local cdir
	cdir="$(cache_dir)"
	cat >"$RUN_DIR/env.tmp" <<EOF
MM_URL=$MM_URL
MM_PORT=$MM_PORT
MM_PID=$MM_PID
MM_VERSION=$(curl -fsS -m 5 -o /dev/null -D - "$MM_URL/api/v4/system/ping" | tr -d '\r' | sed -n 's/^[Xx]-[Vv]ersion-[Ii]d: \([0-9][0-9.]*[0-9]\)\..*/\1/p' | head -n1)
MM_SERVER_MODULE=github.com/mattermost/mattermost/server/v8@$(server_version)
MM_PUBLIC_MODULE=github.com/mattermost/mattermost/server/public@$(public_version)
MM_BIN=$bin
MM_HOME=$cdir
MM_CONFIG=$RUN_DIR/config.json
MM_LOG=$RUN_DIR/mattermost.log
MM_STDOUT=$RUN_DIR/mattermost.stdout
MM_LOCAL_SOCKET=$( [ "${#RUN_DIR}" -lt 80 ] && echo "$RUN_DIR/mattermost_local.socket")
PG_PORT=$PG_PORT
PG_DATA=$PG_DATA
PG_DSN=$PG_DSN
EOF
	mv "$RUN_DIR/env.tmp" "$RUN_DIR/env"
	log "ready: $MM_URL (env in $RUN_DIR/env)"
	cat "$RUN_DIR/env"
}

# A second node: the database and file store of FROM_DIR (the node that has them), the
# same settings (plugins enabled there are enabled here; the plugin bundles come from the
# shared file store), its own port, logs and plugin folders. Without a cluster licence
# the nodes share no caches; the plugin keeps its state in the database.
cmd_node() {
	[ $# -eq 2 ] || die "usage: mm.sh node DIR FROM_DIR"
	[ -f "$2/env" ] || die "$2 has no running server (mm.sh start $2 first)"
	mkdir -p "$1"
	RUN_DIR="$(cd "$1" && pwd)"
	local from
	from="$(cd "$2" && pwd)"
	[ "$RUN_DIR" != "$from" ] || die "a node needs a folder of its own"
	if [ -f "$RUN_DIR/env" ] && kill -0 "$(envval "$RUN_DIR/env" MM_PID)" 2>/dev/null; then
		die "a server is already running for $RUN_DIR (run: mm.sh stop $RUN_DIR)"
	fi
	trap start_exit EXIT
	local bin
	bin="$(cmd_build)"
	PG_PORT="$(envval "$from/env" PG_PORT)"
	PG_DATA="$(envval "$from/env" PG_DATA)"
	PG_DSN="$(envval "$from/env" PG_DSN)"
	rm -f "$RUN_DIR/state"
	if [ -f "$RUN_DIR/config.json" ]; then
		# A restart: the same port and settings.
		MM_PORT="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ServiceSettings"]["ListenAddress"].rsplit(":",1)[1])' "$RUN_DIR/config.json")"
	else
		MM_PORT="$(free_port)"
		while [ "$MM_PORT" = "$PG_PORT" ] || [ "$MM_PORT" = "$(envval "$from/env" MM_PORT)" ]; do MM_PORT="$(free_port)"; done
		mkdir -p "$RUN_DIR/plugins" "$RUN_DIR/client/plugins"
		python3 -c "$NODE_CONFIG" "$from/config.json" "$RUN_DIR" "$MM_PORT" "$from" >"$RUN_DIR/config.json"
	fi
	MM_URL="http://127.0.0.1:$MM_PORT"
	launch_mm "$bin"
	trap - EXIT
}

# The second node's configuration: the first node's, with its own address, logs and
# plugin folders, and the first node's file store.
NODE_CONFIG='
import json, sys
src, run, port, origin = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
c = json.load(open(src))
s = c["ServiceSettings"]
s["SiteURL"] = "http://127.0.0.1:" + port
s["ListenAddress"] = "127.0.0.1:" + port
s["EnableLocalMode"] = len(run) < 80
s["LocalModeSocketLocation"] = run + "/mattermost_local.socket" if len(run) < 80 else "/nonexistent/mattermost_local.socket"
c["LogSettings"]["FileLocation"] = run
c.setdefault("NotificationLogSettings", {})["FileLocation"] = run
c["PluginSettings"]["Directory"] = run + "/plugins"
c["PluginSettings"]["ClientDirectory"] = run + "/client/plugins"
c["FileSettings"]["Directory"] = origin + "/data/"
json.dump(c, sys.stdout, indent=2)
'

# The node dies: SIGKILL to the server and everything in its session (plugin processes).
cmd_kill() {
	[ $# -eq 1 ] || die "usage: mm.sh kill DIR"
	local dir pid left
	dir="$(cd "$1" && pwd)"
	pid="$(envval "$dir/state" MM_PID)"
	is_our_mm "$pid" "$dir" || die "no server of $dir is running"
	left="$(ps -eo pid=,sid= | awk -v s="$pid" '$2 == s { print $1 }')"
	log "killing Mattermost (pid $pid) and its session: $left"
	# shellcheck disable=SC2086
	kill -KILL $left 2>/dev/null || true
	for _ in $(seq 1 20); do
		is_our_mm "$pid" "$dir" || break
		sleep 0.2
	done
	rm -f "$dir/env"
}

# Is PID still the Mattermost we started (not a reused pid)?
is_our_mm() {
	[ -n "$1" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q "server --config $2/config.json"
}

cmd_stop() {
	[ $# -eq 1 ] || die "usage: mm.sh stop DIR"
	[ -d "$1" ] || { log "nothing to stop: $1 does not exist"; return 0; }
	local dir pid pgdata pgbin
	dir="$(cd "$1" && pwd)"
	pid="$(envval "$dir/state" MM_PID)"
	pgdata="$(envval "$dir/state" PG_DATA)"
	pgbin="$(envval "$dir/state" PG_BIN)"

	if is_our_mm "$pid" "$dir"; then
		log "stopping Mattermost (pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 60); do
			is_our_mm "$pid" "$dir" || break
			sleep 0.5
		done
		if is_our_mm "$pid" "$dir"; then
			log "Mattermost did not stop in 30s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	# The server ran in its own session (pid == session id): end whatever is left
	# of it, e.g. plugin processes.
	if [ -n "$pid" ]; then
		local left
		left="$(ps -eo pid=,sid= | awk -v s="$pid" '$2 == s { print $1 }')"
		if [ -n "$left" ]; then
			# shellcheck disable=SC2086
			kill -KILL $left 2>/dev/null || true
		fi
	fi

	if [ -n "$pgdata" ] && [ -d "$pgdata" ]; then
		if [ -n "$pgbin" ] && [ -f "$pgdata/data/postmaster.pid" ]; then
			log "stopping PostgreSQL"
			pg_run "$pgbin/pg_ctl" -D "$pgdata/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
				pg_run "$pgbin/pg_ctl" -D "$pgdata/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
		fi
		case "$pgdata" in
		/tmp/ycal-mm-pg.*) rm -rf "$pgdata" ;;
		esac
	fi
	rm -f "$dir/state" "$dir/env"
	return 0
}

case "${1:-}" in
build) shift; cmd_build "$@" ;;
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
node) shift; cmd_node "$@" ;;
kill) shift; cmd_kill "$@" ;;
version) echo "$(server_version) (server/public $(public_version))" ;;
*)
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
