# scripts/lib.sh — shell helpers shared by scripts/compat.sh, bench/*.sh and .ci/run.
# Source it:  . "$ROOT/scripts/lib.sh"
#
# Functions:
#   cin_root                      absolute path of the repository root
#   port_in_use PORT              true when something accepts on 127.0.0.1:PORT
#   free_port [LO HI]             print a free loopback port in [LO, HI) (default 20000-60000)
#   wait_ping PORT [SECS] [PID]   wait until 127.0.0.1:PORT answers PING with PONG (default 20 s);
#                                 with PID, fail at once when that process has exited
#   server_start LOG CMD...       start CMD in the background (stdin </dev/null, output appended
#                                 to LOG, working directory $SERVER_DIR when set); sets SERVER_PID
#   server_stop PID               SIGTERM, wait up to 10 s, then SIGKILL; reaps our own children
#   build_cinnabar                unless CINNABAR_BIN is set, `go build -o bin/cinnabar ./cmd/cinnabar`;
#                                 sets and exports CINNABAR_BIN
#   rss_kb PID                    VmRSS of PID in kB (from /proc/PID/status)
#   pin_cpus                      sets PIN_SERVER / PIN_CLIENT arrays: `taskset -c 0` / `taskset -c 1`
#                                 when taskset exists and there are >= 2 CPUs, else empty
#
# Every server is started on 127.0.0.1 only; processes are stopped by PID, never by name.

# shellcheck shell=bash disable=SC2034 # SERVER_PID, PIN_* are results for the caller

cin_root() {
    (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
}

port_in_use() {
    # A connect that succeeds means something listens (on 127.0.0.1 or on 0.0.0.0).
    timeout 2 bash -c ": </dev/tcp/127.0.0.1/$1" 2>/dev/null
}

free_port() {
    local lo=${1:-20000} hi=${2:-60000} p
    for _ in $(seq 1 200); do
        p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo)))
        if command -v ss >/dev/null 2>&1; then
            # ss also sees sockets bound to other local addresses.
            if [ -n "$(ss -Htan "sport = :$p" 2>/dev/null)" ]; then continue; fi
        fi
        port_in_use "$p" && continue
        echo "$p"
        return 0
    done
    echo "free_port: no free port found in [$lo, $hi)" >&2
    return 1
}

wait_ping() {
    local port=$1 secs=${2:-20} pid=${3:-}
    for _ in $(seq 1 $((secs * 10))); do
        if [ -n "$pid" ] && { ! kill -0 "$pid" 2>/dev/null || [ "$(proc_state "$pid")" = Z ]; }; then
            echo "wait_ping: server PID $pid exited before answering PING on 127.0.0.1:$port" >&2
            return 1
        fi
        if [ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null </dev/null)" = PONG ]; then
            return 0
        fi
        sleep 0.1
    done
    echo "wait_ping: 127.0.0.1:$port did not answer PING within ${secs}s" >&2
    return 1
}

server_start() {
    local log=$1
    shift
    if [ -n "${SERVER_DIR:-}" ]; then
        (cd "$SERVER_DIR" && exec "$@") >>"$log" 2>&1 </dev/null &
    else
        "$@" >>"$log" 2>&1 </dev/null &
    fi
    SERVER_PID=$!
}

proc_state() {
    # State letter (R, S, Z, ...) from /proc/PID/stat; the name field may hold spaces.
    sed -n 's/^.*) \([A-Za-z]\).*$/\1/p' "/proc/$1/stat" 2>/dev/null
}

server_stop() {
    local pid=$1
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        # A child of this shell stays a zombie (kill -0 succeeds) until reaped.
        if [ "$(proc_state "$pid")" = Z ]; then break; fi
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null && [ "$(proc_state "$pid")" != Z ]; then
        echo "server_stop: PID $pid ignored SIGTERM for 10s, sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

build_cinnabar() {
    if [ -n "${CINNABAR_BIN:-}" ]; then
        if [ ! -x "$CINNABAR_BIN" ]; then
            echo "build_cinnabar: CINNABAR_BIN=$CINNABAR_BIN is not executable" >&2
            return 1
        fi
        export CINNABAR_BIN
        return 0
    fi
    local root
    root=$(cin_root)
    echo "building bin/cinnabar ..." >&2
    (cd "$root" && go build -o bin/cinnabar ./cmd/cinnabar) || {
        echo "build_cinnabar: go build ./cmd/cinnabar failed" >&2
        return 1
    }
    CINNABAR_BIN=$root/bin/cinnabar
    export CINNABAR_BIN
}

rss_kb() {
    awk '/^VmRSS:/ {print $2; found=1} END {if (!found) exit 1}' "/proc/$1/status"
}

pin_cpus() {
    PIN_SERVER=()
    PIN_CLIENT=()
    if [ "${NO_PIN:-0}" != 1 ] && command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
        PIN_SERVER=(taskset -c "${SERVER_CPU:-0}")
        PIN_CLIENT=(taskset -c "${CLIENT_CPU:-1}")
    fi
}
