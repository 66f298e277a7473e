# Shared helpers for the test server scripts (sourced, not run).
# Venvs live under the cache dir, keyed by package and version, and are reused when present.
set -euo pipefail

YCAL_CACHE="${YCAL_CACHE:-$HOME/.cache/yandex-calendar}"
SERVERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"
TEST_USER="${YCAL_TEST_USER:-user}"
TEST_PASSWORD="${YCAL_TEST_PASSWORD:-secret}"

# ensure_venv NAME VERSION PIP-SPEC... -> prints the venv dir
ensure_venv() {
    local name="$1" version="$2"
    shift 2
    local dir="$YCAL_CACHE/venv/$name-$version"
    if [ ! -x "$dir/bin/python" ] || [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir"
        mkdir -p "$(dirname "$dir")"
        "$PYTHON" -m venv "$dir" >&2
        "$dir/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
        touch "$dir/.complete"
    fi
    echo "$dir"
}

# A port the kernel says is free right now.
free_port() {
    "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT PIDFILE LOG: waits until something listens, fails if the process died.
wait_port() {
    local port="$1" pidfile="$2" log="$3" i
    for i in $(seq 1 150); do
        if "$PYTHON" -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$port)))" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            echo "server exited before listening; log follows:" >&2
            cat "$log" >&2 || true
            return 1
        fi
        sleep 0.1
    done
    echo "server did not listen on port $port within 15 s; log follows:" >&2
    cat "$log" >&2 || true
    return 1
}

# stop_dir DIR: stops the server whose pid is in DIR/pid.
stop_dir() {
    local dir="$1"
    if [ -f "$dir/pid" ]; then
        local pid
        pid="$(cat "$dir/pid")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$dir/pid"
    fi
}
