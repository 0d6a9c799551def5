#!/usr/bin/env bash
# scripts/compat.sh [runtest args...] — run Redis 7.0.15's own TCL test units against Cinnabar
# and compare with the real redis-server baseline (the kit in ../shared/compat, see its README.md).
#
# It builds bin/cinnabar (unless CINNABAR_BIN is set), starts it on a free loopback port with the
# baseline's flags, runs the units with a fresh server before every unit (tclsuite.sh RESTART_CMD),
# then prints compare.py's table for those units. Arguments go to runtest, e.g.
#   scripts/compat.sh --only 'INCR against key originally set with SET'
#
# Environment:
#   UNITS="unit/a unit/b"  units to run (default: the foundation units below); UNITS=all runs all 60
#   OUTDIR=dir             tclsuite output directory (default /tmp/cinnabar-compat-YYYYmmdd-HHMMSS)
#   CINNABAR_BIN=path      server binary to test instead of building bin/cinnabar
#                          (CINNABAR_BIN=/usr/bin/redis-server reproduces the baseline)
#   REDIS_GIT=dir          bare clone of redis/redis with tag 7.0.15 (default /work/.mirror/redis+redis/repo)
#   REDIS_SRC=dir          extracted test tree (default ~/redis-7.0-tests, made by setup.sh)
#   COMPAT_DIR=dir         the kit (default: ../shared/compat beside the repository, else /work/shared/compat)
#   PORT=N                 port for the server (default: a free one)
#   MISSING=1              also list the baseline tests that did not pass
#   STRICT=1               exit 1 when any unit has fewer passes than the baseline
#   PROFILE, STALL_TIMEOUT, UNIT_TIMEOUT, RESTART_POLICY ...  passed through to tclsuite.sh
# Exit status: 0 when the suite ran (whatever it counted; see STRICT), 1 on setup/build/start errors.
# shellcheck disable=SC2317,SC2119,SC2089,SC2090 # trap handlers; free_port takes no args; RESTART_CMD is a bash -c string
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

DEFAULT_UNITS="unit/type/string unit/type/incr unit/keyspace unit/expire unit/bitops unit/bitfield
unit/protocol unit/info-command unit/introspection unit/introspection-2 unit/quit unit/scan
unit/slowlog unit/latency-monitor"
UNITS=${UNITS:-$DEFAULT_UNITS}
# shellcheck disable=SC2116,SC2086 # word splitting: one line, single spaces
UNITS=$(echo $UNITS)

export REDIS_GIT=${REDIS_GIT:-/work/.mirror/redis+redis/repo}
if [ -z "${COMPAT_DIR:-}" ]; then
    if [ -x "$ROOT/../shared/compat/tclsuite.sh" ]; then
        COMPAT_DIR=$(cd "$ROOT/../shared/compat" && pwd)
    else
        COMPAT_DIR=/work/shared/compat
    fi
fi
[ -x "$COMPAT_DIR/tclsuite.sh" ] || { echo "compat: no kit at $COMPAT_DIR (set COMPAT_DIR)" >&2; exit 1; }

for tool in redis-cli tclsh python3; do
    command -v "$tool" >/dev/null || { echo "compat: $tool not found (apt-get install redis-tools tcl python3)" >&2; exit 1; }
done

build_cinnabar
OUTDIR=${OUTDIR:-/tmp/cinnabar-compat-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUTDIR"
WORK=$(mktemp -d /tmp/cinnabar-compat-work.XXXXXX) # server cwd: SAVE / DEBUG RELOAD write here
PIDFILE=$WORK/server.pid
LOG=$OUTDIR/server.log
: >"$LOG"
PORT=${PORT:-$(free_port)}

SERVER_CMD=("$CINNABAR_BIN" --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no
    --enable-debug-command yes --enable-protected-configs yes --enable-module-command yes)

cleanup() {
    if [ -s "$PIDFILE" ]; then server_stop "$(cat "$PIDFILE")"; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The restart command runs in `bash -c` inside tclsuite.sh: stop the previous server by the PID
# in PIDFILE, start a fresh one and record its PID.
quoted=$(printf '%q ' "${SERVER_CMD[@]}")
RESTART_CMD=". $(printf '%q' "$ROOT/scripts/lib.sh")
[ -s $(printf '%q' "$PIDFILE") ] && server_stop \$(cat $(printf '%q' "$PIDFILE"))
echo '--- restart' >>$(printf '%q' "$LOG")
SERVER_DIR=$(printf '%q' "$WORK") server_start $(printf '%q' "$LOG") $quoted
echo \$SERVER_PID >$(printf '%q' "$PIDFILE")"
export RESTART_CMD
export RESTART_POLICY=${RESTART_POLICY:-always}

SERVER_DIR=$WORK server_start "$LOG" "${SERVER_CMD[@]}"
echo "$SERVER_PID" >"$PIDFILE"
if ! wait_ping "$PORT" 30 "$SERVER_PID"; then
    echo "compat: $CINNABAR_BIN did not start on 127.0.0.1:$PORT; log:" >&2
    tail -20 "$LOG" >&2
    exit 1
fi
echo "compat: $CINNABAR_BIN on 127.0.0.1:$PORT, units: ${UNITS}" >&2

compare_args=()
if [ "$UNITS" = all ]; then
    unset UNITS
else
    export UNITS
    for u in $UNITS; do compare_args+=(--unit "$u"); done
fi

rc=0
"$COMPAT_DIR/tclsuite.sh" 127.0.0.1 "$PORT" "$OUTDIR" "$@" || rc=$?
if [ ! -s "$OUTDIR/summary.tsv" ] || [ "$(wc -l <"$OUTDIR/summary.tsv")" -le 1 ]; then
    echo "compat: tclsuite.sh produced no results (exit $rc)" >&2
    exit 1
fi

echo
"$COMPAT_DIR/compare.py" "$OUTDIR" "${compare_args[@]}" | tee "$OUTDIR/compare.txt"
if [ "${MISSING:-0}" = 1 ]; then
    echo
    "$COMPAT_DIR/compare.py" "$OUTDIR" "${compare_args[@]}" --missing
fi
echo "compat: results in $OUTDIR (logs/, tests.tsv, compare.txt, server.log)"

if [ "${STRICT:-0}" = 1 ]; then
    # A unit row of compare.py ends with its status; any ratio below 100% fails.
    if awk '$1 ~ /^(unit|integration)\// && $5 != "100.0%" {bad=1} END {exit !bad}' "$OUTDIR/compare.txt"; then
        echo "compat: STRICT: some units pass fewer tests than the baseline" >&2
        exit 1
    fi
fi
exit 0
