#!/usr/bin/env bash
# The Yandex replay server (yandex_replay.py, standard library only).
#   yandex_replay.sh start DIR   -> prints the base URL (user user@yandex.ru / secret)
#   yandex_replay.sh stop DIR
source "$(dirname "$0")/lib.sh"

start() {
    local dir="$1" port
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    stop_dir "$dir"
    port="${PORT:-$(free_port)}"
    nohup "$PYTHON" "$SERVERS_DIR/yandex_replay.py" "$port" \
        "${YANDEX_USER:-user@yandex.ru}" "$TEST_PASSWORD" >"$dir/log" 2>&1 &
    echo $! >"$dir/pid"
    wait_port "$port" "$dir/pid" "$dir/log"
    echo "http://127.0.0.1:$port/" | tee "$dir/url"
}

case "${1:-}" in
start) start "${2:?usage: yandex_replay.sh start DIR}" ;;
stop) stop_dir "${2:?usage: yandex_replay.sh stop DIR}" ;;
*) echo "usage: yandex_replay.sh start DIR | stop DIR" >&2; exit 2 ;;
esac
