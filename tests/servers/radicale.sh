#!/usr/bin/env bash
# Radicale for tests and demos.
#   radicale.sh install        -> prints the venv dir (cached under $YCAL_CACHE/venv)
#   radicale.sh start DIR      -> starts on 127.0.0.1:<free port>, prints the base URL
#   radicale.sh stop DIR
# User/password: $YCAL_TEST_USER / $YCAL_TEST_PASSWORD (default user / secret), htpasswd plain.
# Calendars live under URL/<user>/; create them with dav.py (see README.md).
source "$(dirname "$0")/lib.sh"
RADICALE_VERSION="${RADICALE_VERSION:-3.9.0}"

install() { ensure_venv radicale "$RADICALE_VERSION" "radicale==$RADICALE_VERSION"; }

start() {
    local dir="$1" venv port
    venv="$(install)"
    mkdir -p "$dir/collections"
    dir="$(cd "$dir" && pwd)"
    stop_dir "$dir"
    port="${PORT:-$(free_port)}"
    printf '%s:%s\n' "$TEST_USER" "$TEST_PASSWORD" >"$dir/users"
    cat >"$dir/config" <<CONF
[server]
hosts = 127.0.0.1:$port
[auth]
type = htpasswd
htpasswd_filename = $dir/users
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = $dir/collections
[logging]
level = warning
CONF
    nohup "$venv/bin/python" -m radicale --config "$dir/config" >"$dir/log" 2>&1 &
    echo $! >"$dir/pid"
    wait_port "$port" "$dir/pid" "$dir/log"
    echo "http://127.0.0.1:$port/" | tee "$dir/url"
}

case "${1:-}" in
install) install ;;
start) start "${2:?usage: radicale.sh start DIR}" ;;
stop) stop_dir "${2:?usage: radicale.sh stop DIR}" ;;
*) echo "usage: radicale.sh install | start DIR | stop DIR" >&2; exit 2 ;;
esac
