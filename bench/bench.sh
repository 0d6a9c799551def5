#!/usr/bin/env bash
# bench/bench.sh — throughput/latency of Cinnabar against Debian's redis-server, side by side.
#
# Builds bin/cinnabar (unless CINNABAR_BIN is set), starts it and redis-server on free loopback
# ports (both servers pinned to one CPU, redis-benchmark to the other, when taskset and 2 CPUs
# exist), then runs every workload of bench/workloads.txt against both, interleaved, for ROUNDS
# rounds (the order of the two servers alternates). Prints a markdown table of medians over the
# rounds: ops/s of each server, the ratio cinnabar/redis (median of the per-round ratios), p50 and
# p99 latency of each, the median of the per-round p99 ratios, and whether ops/s >= Redis and p99
# <= Redis (p99 ratio <= 1).
#
# Environment:
#   ROUNDS=3              rounds per workload
#   BENCH_SCALE=1         multiplies every workload's request count (0.1 for a quick look)
#   WORKLOADS="SET GET"   run only these rows (default: all rows of the workload file)
#   WORKLOAD_FILE=path    default bench/workloads.txt
#   CINNABAR_BIN=path     server binary under test (default: build bin/cinnabar);
#                         CINNABAR_BIN=/usr/bin/redis-server tries the harness with Redis on both sides
#   REDIS_BIN=path        reference server (default /usr/bin/redis-server, else redis-server on PATH)
#   OUTDIR=dir            raw.tsv, report.md and server logs (default /tmp/cinnabar-bench-YYYYmmdd-HHMMSS)
#   RUN_TIMEOUT=120       seconds before one redis-benchmark run is abandoned
#   MAX_SECONDS=330       time budget: no round starts that would end past it, and no workload
#                         starts after it (a busy machine gets fewer rounds; the report says so)
#   NO_PIN=1              do not use taskset; SERVER_CPU=0 CLIENT_CPU=1 choose the CPUs
#   STRICT=1              exit 1 when a row misses ops/s >= Redis or p99 <= Redis
# Exit status: 0 when every run produced a result (see STRICT), 1 otherwise.
# shellcheck disable=SC2317,SC2119 # trap handlers; free_port takes no args
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

ROUNDS=${ROUNDS:-3}
BENCH_SCALE=${BENCH_SCALE:-1}
WORKLOAD_FILE=${WORKLOAD_FILE:-$HERE/workloads.txt}
RUN_TIMEOUT=${RUN_TIMEOUT:-120}
MAX_SECONDS=${MAX_SECONDS:-330}
REDIS_BIN=${REDIS_BIN:-$(if [ -x /usr/bin/redis-server ]; then echo /usr/bin/redis-server; else command -v redis-server || true; fi)}
OUTDIR=${OUTDIR:-/tmp/cinnabar-bench-$(date +%Y%m%d-%H%M%S)}

for tool in redis-benchmark redis-cli awk; do
    command -v "$tool" >/dev/null || { echo "bench: $tool not found (apt-get install redis-tools)" >&2; exit 1; }
done
if [ -z "$REDIS_BIN" ] || [ ! -x "$REDIS_BIN" ]; then
    echo "bench: redis-server not found (apt-get install redis-server)" >&2
    exit 1
fi
[ -r "$WORKLOAD_FILE" ] || { echo "bench: cannot read $WORKLOAD_FILE" >&2; exit 1; }

build_cinnabar
mkdir -p "$OUTDIR"
# -c 1000 needs more than 1000 descriptors in the server and in redis-benchmark.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
pin_cpus

# ---- workloads ---------------------------------------------------------------------------------
W_NAME=(); W_N=(); W_ARGS=(); W_SETUP=()
while IFS= read -r line || [ -n "$line" ]; do
    case $line in '' | '#'*) continue ;; esac
    IFS='|' read -r name n args setup <<<"$line"
    name=${name//[[:space:]]/}; n=${n//[[:space:]]/}
    args=$(echo "$args" | sed 's/^ *//; s/ *$//'); setup=$(echo "${setup:-}" | sed 's/^ *//; s/ *$//')
    if [ -n "${WORKLOADS:-}" ] && ! [[ " $WORKLOADS " == *" $name "* ]]; then continue; fi
    case $n in '' | *[!0-9]*) echo "bench: bad N '$n' for $name in $WORKLOAD_FILE" >&2; exit 1 ;; esac
    n=$(awk -v n="$n" -v s="$BENCH_SCALE" 'BEGIN {v = int(n * s); if (v < 1) v = 1; print v}')
    W_NAME+=("$name"); W_N+=("$n"); W_ARGS+=("$args"); W_SETUP+=("$setup")
done <"$WORKLOAD_FILE"
[ ${#W_NAME[@]} -gt 0 ] || { echo "bench: no workloads selected" >&2; exit 1; }

# ---- servers -----------------------------------------------------------------------------------
SERVERS=(cinnabar redis)
declare -A BIN PORT PID LOGF
BIN[cinnabar]=$CINNABAR_BIN
BIN[redis]=$REDIS_BIN
WORK=$(mktemp -d /tmp/cinnabar-bench-work.XXXXXX)

start_one() { # $1 = server name
    local s=$1
    LOGF[$s]=$OUTDIR/$s.log
    PORT[$s]=$(free_port)
    SERVER_DIR=$WORK server_start "${LOGF[$s]}" "${PIN_SERVER[@]}" "${BIN[$s]}" \
        --bind 127.0.0.1 --port "${PORT[$s]}" --save "" --appendonly no
    PID[$s]=$SERVER_PID
    if ! wait_ping "${PORT[$s]}" 30 "${PID[$s]}"; then
        echo "bench: $s (${BIN[$s]}) did not start; log:" >&2
        tail -20 "${LOGF[$s]}" >&2
        return 1
    fi
}
cleanup() {
    local s
    for s in "${SERVERS[@]}"; do server_stop "${PID[$s]:-}"; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for s in "${SERVERS[@]}"; do start_one "$s"; done

cli() { timeout 30 redis-cli -h 127.0.0.1 -p "$1" "${@:2}" </dev/null; }

version_of() { # server name -> "redis_version (binary)"
    local v
    v=$(cli "${PORT[$1]}" info server 2>/dev/null | tr -d '\r' | awk -F: '$1 == "redis_version" {print $2}')
    echo "${v:-?} (${BIN[$1]})"
}

# run_setup SERVER STEPS
run_setup() {
    local s=$1 steps=$2 step words
    [ -n "$steps" ] || return 0
    IFS=';' read -ra parts <<<"$steps"
    for step in "${parts[@]}"; do
        eval "words=($step)"
        case ${words[0]:-} in
            cli) cli "${PORT[$s]}" "${words[@]:1}" >/dev/null ;;
            bench) timeout "$RUN_TIMEOUT" redis-benchmark -h 127.0.0.1 -p "${PORT[$s]}" -n 1 -c 1 -q "${words[@]:1}" >/dev/null ;;
            '') ;;
            *) echo "bench: setup step must start with cli or bench: '$step'" >&2; return 1 ;;
        esac
    done
}

RAW=$OUTDIR/raw.tsv
printf 'round\tworkload\tserver\trps\tavg_ms\tmin_ms\tp50_ms\tp95_ms\tp99_ms\tmax_ms\n' >"$RAW"
FAILED=0

# run_one ROUND INDEX SERVER: one measured run; appends a row to raw.tsv
run_one() {
    local r=$1 i=$2 s=$3 name=${W_NAME[$2]} args out err rc row
    if [ "$(cli "${PORT[$s]}" ping 2>/dev/null)" != PONG ]; then
        echo "bench: $s does not answer PING before $name round $r; restarting it" >&2
        server_stop "${PID[$s]}"
        echo "--- restart before $name round $r" >>"${LOGF[$s]}"
        start_one "$s" || { FAILED=1; return 0; }
    fi
    cli "${PORT[$s]}" flushall >/dev/null 2>&1 || true
    if ! run_setup "$s" "${W_SETUP[$i]}"; then
        echo "bench: setup of $name failed on $s" >&2
        FAILED=1
        return 0
    fi
    eval "args=(${W_ARGS[$i]})"
    err=$OUTDIR/.stderr
    rc=0
    out=$(timeout "$RUN_TIMEOUT" "${PIN_CLIENT[@]}" redis-benchmark -h 127.0.0.1 -p "${PORT[$s]}" \
        -n "${W_N[$i]}" --csv "${args[@]}" 2>"$err") || rc=$?
    # The data row: the first CSV line after the header; fields are quoted.
    row=$(printf '%s\n' "$out" | awk -F'","' 'NR > 1 && NF >= 8 {gsub(/"/, ""); print; exit}' |
        awk -F, '{print $(NF-6) "\t" $(NF-5) "\t" $(NF-4) "\t" $(NF-3) "\t" $(NF-2) "\t" $(NF-1) "\t" $NF}')
    if [ $rc -ne 0 ] || [ -z "$row" ] || grep -q -i 'error' "$err"; then
        echo "bench: $name on $s failed (exit $rc): $(head -c 300 "$err" | tr '\n' ' ')" >&2
        FAILED=1
        return 0
    fi
    printf '%s\t%s\t%s\t%s\n' "$r" "$name" "$s" "$row" >>"$RAW"
    printf '  round %s %-12s %-8s %12s ops/s  p50 %s ms  p99 %s ms\n' "$r" "$name" "$s" \
        "$(cut -f1 <<<"$row")" "$(cut -f4 <<<"$row")" "$(cut -f6 <<<"$row")" >&2
}

T0=$(date +%s)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: ${#W_NAME[@]} workloads x $ROUNDS rounds; cinnabar :${PORT[cinnabar]} redis :${PORT[redis]};" \
    "pinning: ${PIN_SERVER[*]:-none} / ${PIN_CLIENT[*]:-none}; raw results in $RAW" >&2
DONE_ROUNDS=0
STOPPED=""
for r in $(seq 1 "$ROUNDS"); do
    # Time budget: start another round only if it should end within MAX_SECONDS.
    if [ "$r" -gt 1 ]; then
        spent=$(($(date +%s) - T0))
        if [ $((spent + spent / (r - 1))) -gt "$MAX_SECONDS" ]; then
            echo "bench: stopping after $((r - 1)) rounds: another would pass MAX_SECONDS=$MAX_SECONDS" >&2
            STOPPED="stopped after $((r - 1)) rounds (MAX_SECONDS=$MAX_SECONDS); "
            break
        fi
    fi
    for i in "${!W_NAME[@]}"; do
        if [ $(($(date +%s) - T0)) -ge "$MAX_SECONDS" ]; then
            echo "bench: time budget MAX_SECONDS=$MAX_SECONDS spent; stopping in round $r before ${W_NAME[$i]}" >&2
            STOPPED="stopped early in round $r before ${W_NAME[$i]} (MAX_SECONDS=$MAX_SECONDS); "
            break 2
        fi
        if [ $(((r + i) % 2)) -eq 0 ]; then order=(cinnabar redis); else order=(redis cinnabar); fi
        for s in "${order[@]}"; do run_one "$r" "$i" "$s"; done
    done
    DONE_ROUNDS=$r
done
T1=$(date +%s)
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ------------------------------------------------------------------------------------
REPORT=$OUTDIR/report.md
{
    echo "## cinnabar vs redis-server ($(date -u +%Y-%m-%dT%H:%MZ))"
    echo
    echo "- cinnabar: $(version_of cinnabar)"
    echo "- redis: $(version_of redis)"
    echo "- $DONE_ROUNDS of $ROUNDS rounds complete, ${STOPPED}interleaved; medians over rounds; ratio = median of per-round cinnabar/redis ops/s; p99 ratio = median of per-round cinnabar/redis p99 (each round pairs the two servers back to back, which cancels the machine's drift between rounds); p99 ≤ redis means p99 ratio ≤ 1"
    echo "- servers pinned with \`${PIN_SERVER[*]:-no pinning}\`, redis-benchmark with \`${PIN_CLIENT[*]:-no pinning}\`; $(nproc) CPUs; $((T1 - T0)) s"
    echo "- load average before / after: $LOAD0 / $LOAD1 (a busy machine makes the numbers noisy: check the ratio range)"
    echo
    names=$(printf '%s ' "${W_NAME[@]}")
    awk -F'\t' -v names="$names" '
        function median(list,   a, n, i, j, t) {
            n = split(list, a, " ")
            if (n == 0) return ""
            for (i = 2; i <= n; i++) {          # insertion sort, numeric
                t = a[i] + 0
                for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
                a[j + 1] = t
            }
            if (n % 2) return a[(n + 1) / 2] + 0
            return (a[n / 2] + a[n / 2 + 1]) / 2
        }
        NR == 1 { next }
        {
            k = $2 SUBSEP $3
            rps[k] = rps[k] " " $4; p50[k] = p50[k] " " $7; p99[k] = p99[k] " " $9
            one[$1 SUBSEP $2 SUBSEP $3] = $4
            tail[$1 SUBSEP $2 SUBSEP $3] = $9
        }
        END {
            print "| workload | cinnabar ops/s | redis ops/s | ratio | ratio range | cinnabar p50 ms | redis p50 ms | cinnabar p99 ms | redis p99 ms | p99 ratio | ops/s ≥ redis | p99 ≤ redis |"
            print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|:---:|"
            nw = split(names, w, " ")
            bad = 0
            for (i = 1; i <= nw; i++) {
                c = w[i] SUBSEP "cinnabar"; d = w[i] SUBSEP "redis"
                ratios = ""; rmin = ""; rmax = ""; tratios = ""
                for (key in one) {
                    split(key, parts, SUBSEP)
                    if (parts[2] != w[i] || parts[3] != "cinnabar") continue
                    other = parts[1] SUBSEP w[i] SUBSEP "redis"
                    if (!((other in one) && one[other] > 0)) continue
                    if (tail[other] > 0) tratios = tratios " " tail[key] / tail[other]
                    q = one[key] / one[other]
                    ratios = ratios " " q
                    if (rmin == "" || q < rmin) rmin = q
                    if (rmax == "" || q > rmax) rmax = q
                }
                cr = median(rps[c]); rr = median(rps[d]); ra = median(ratios)
                c50 = median(p50[c]); r50 = median(p50[d]); c99 = median(p99[c]); r99 = median(p99[d])
                tr = median(tratios)
                okr = (ra == "") ? "n/a" : (ra >= 1.0 ? "yes" : "**no**")
                okp = (tr == "") ? "n/a" : (tr <= 1.0 ? "yes" : "**no**")
                if (okr != "yes" || okp != "yes") bad = 1
                printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", w[i],
                    (cr == "" ? "-" : sprintf("%.0f", cr)), (rr == "" ? "-" : sprintf("%.0f", rr)),
                    (ra == "" ? "-" : sprintf("%.2f", ra)),
                    (rmin == "" ? "-" : sprintf("%.2f-%.2f", rmin, rmax)),
                    (c50 == "" ? "-" : sprintf("%.3f", c50)), (r50 == "" ? "-" : sprintf("%.3f", r50)),
                    (c99 == "" ? "-" : sprintf("%.3f", c99)), (r99 == "" ? "-" : sprintf("%.3f", r99)),
                    (tr == "" ? "-" : sprintf("%.2f", tr)), okr, okp
            }
            exit bad
        }' "$RAW" && ALLMET=1 || ALLMET=0
} >"$REPORT"
cat "$REPORT"
echo
echo "bench: report $REPORT, raw $RAW, server logs in $OUTDIR" >&2

if [ "$FAILED" = 1 ]; then
    echo "bench: some runs failed (see above); their rows are incomplete" >&2
    exit 1
fi
if [ "${STRICT:-0}" = 1 ] && [ "$ALLMET" = 0 ]; then
    echo "bench: STRICT: some rows miss ops/s >= redis or p99 <= redis" >&2
    exit 1
fi
exit 0
