#!/usr/bin/env bash
# Xandikos for tests and demos.
#   xandikos.sh install        -> prints the venv dir (cached under $YCAL_CACHE/venv)
#   xandikos.sh start DIR      -> starts on 127.0.0.1:<free port>, prints the base URL
#   xandikos.sh stop DIR
# User/password: $YCAL_TEST_USER / $YCAL_TEST_PASSWORD (default user / secret), htpasswd {SHA}.
# The principal is URL/<user>/ with a default calendar at URL/<user>/calendars/calendar/.
source "$(dirname "$0")/lib.sh"
XANDIKOS_VERSION="${XANDIKOS_VERSION:-0.4.10}"

install() { ensure_venv xandikos "$XANDIKOS_VERSION" "xandikos==$XANDIKOS_VERSION"; }

start() {
    local dir="$1" venv port sha
    venv="$(install)"
    mkdir -p "$dir/data"
    dir="$(cd "$dir" && pwd)"
    stop_dir "$dir"
    port="${PORT:-$(free_port)}"
    sha="$("$PYTHON" -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.sha1(sys.argv[1].encode()).digest()).decode())' "$TEST_PASSWORD")"
    printf '%s:{SHA}%s\n' "$TEST_USER" "$sha" >"$dir/users"
    nohup "$venv/bin/python" "$SERVERS_DIR/xandikos_serve.py" serve -d "$dir/data" --defaults \
        --current-user-principal "/$TEST_USER/" -l 127.0.0.1 -p "$port" \
        --htpasswd "$dir/users" --no-detect-systemd >"$dir/log" 2>&1 &
    echo $! >"$dir/pid"
    wait_port "$port" "$dir/pid" "$dir/log"
    echo "http://127.0.0.1:$port/" | tee "$dir/url"
}

case "${1:-}" in
install) install ;;
start) start "${2:?usage: xandikos.sh start DIR}" ;;
stop) stop_dir "${2:?usage: xandikos.sh stop DIR}" ;;
*) echo "usage: xandikos.sh install | start DIR | stop DIR" >&2; exit 2 ;;
esac
