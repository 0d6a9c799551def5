#!/usr/bin/env bash
# bench/mem.sh — memory per element of Cinnabar against Debian's redis-server.
#
# For each row and each server: start a fresh server on a free loopback port, read its RSS
# (VmRSS of /proc/PID/status), load the row's data with `redis-cli --pipe` (a generated RESP
# stream, exactly N elements; the server needs ECHO, which --pipe sends last), wait until RSS
# settles, read RSS and the element count again, and stop the server. Prints a markdown table of
# bytes per element ((RSS after - RSS before) / elements) for both servers and the ratio.
#
# Rows (MEM_ROWS, space-separated; default "strings"):
#   strings   N keys:  SET key:%012d val:%012d          (16-byte keys and values; count DBSIZE)
#   hash      1 hash with N fields: HSET hash field:%012d val:%012d     (count HLEN)
#   set       1 set with N members: SADD set member:%012d               (count SCARD)
#   zset      1 sorted set with N members: ZADD zset I member:%012d     (count ZCARD)
#   list      1 list with N elements: RPUSH list elem:%012d             (count LLEN)
#   hash10    N/10 hashes of 10 fields: HSET h:%012d f0 val:%012d ... f9 ...  (count DBSIZE, per key)
# A new row is a gen_ROW function (prints the RESP stream) plus a count_ROW function (prints
# the element count), and a line in ROW_DESC.
#
# Environment: MEM_ROWS, MEM_N (default 1000000), CINNABAR_BIN (default: build bin/cinnabar),
#   REDIS_BIN (default /usr/bin/redis-server), OUTDIR (default /tmp/cinnabar-mem-YYYYmmdd-HHMMSS),
#   SETTLE_MAX=20 (seconds to wait for RSS to settle), STRICT=1 (exit 1 when cinnabar uses more
#   bytes per element than Redis on some row).
# shellcheck disable=SC2317,SC2119 # gen_*/count_* are called by name; free_port takes no args
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

MEM_ROWS=${MEM_ROWS:-strings}
MEM_N=${MEM_N:-1000000}
SETTLE_MAX=${SETTLE_MAX:-20}
REDIS_BIN=${REDIS_BIN:-$(if [ -x /usr/bin/redis-server ]; then echo /usr/bin/redis-server; else command -v redis-server || true; fi)}
OUTDIR=${OUTDIR:-/tmp/cinnabar-mem-$(date +%Y%m%d-%H%M%S)}

for tool in redis-cli awk; do
    command -v "$tool" >/dev/null || { echo "mem: $tool not found (apt-get install redis-tools)" >&2; exit 1; }
done
if [ -z "$REDIS_BIN" ] || [ ! -x "$REDIS_BIN" ]; then
    echo "mem: redis-server not found (apt-get install redis-server)" >&2
    exit 1
fi
build_cinnabar
mkdir -p "$OUTDIR"

# ---- rows: gen_ROW N prints the RESP stream; count_ROW PORT prints the element count ----------
declare -A ROW_DESC=(
    [strings]="N string keys, 16-byte key, 16-byte value (per key)"
    [hash]="1 hash, N fields, 18-byte field, 16-byte value (per field)"
    [set]="1 set, N 19-byte members (per member)"
    [zset]="1 sorted set, N 19-byte members (per member)"
    [list]="1 list, N 17-byte elements (per element)"
    [hash10]="N/10 hashes of 10 fields, 16-byte values (per hash)"
)

# resp_awk PROGRAM: awk with a helper cmd(a, b, ...) that prints one RESP command.
resp_awk() {
    awk -v n="$1" '
        function arg(s) { printf "$%d\r\n%s\r\n", length(s), s }
        function cmd3(a, b, c) { printf "*3\r\n"; arg(a); arg(b); arg(c) }
        function cmd4(a, b, c, d) { printf "*4\r\n"; arg(a); arg(b); arg(c); arg(d) }
        BEGIN { '"$2"' }'
}
gen_strings() { resp_awk "$1" 'for (i = 0; i < n; i++) cmd3("SET", sprintf("key:%012d", i), sprintf("val:%012d", i))'; }
gen_hash() { resp_awk "$1" 'for (i = 0; i < n; i++) cmd4("HSET", "hash", sprintf("field:%012d", i), sprintf("val:%012d", i))'; }
gen_set() { resp_awk "$1" 'for (i = 0; i < n; i++) cmd3("SADD", "set", sprintf("member:%012d", i))'; }
gen_zset() { resp_awk "$1" 'for (i = 0; i < n; i++) cmd4("ZADD", "zset", i, sprintf("member:%012d", i))'; }
gen_list() { resp_awk "$1" 'for (i = 0; i < n; i++) cmd3("RPUSH", "list", sprintf("elem:%012d", i))'; }
gen_hash10() {
    resp_awk "$1" 'for (i = 0; i < int(n / 10); i++) {
        printf "*22\r\n"; arg("HSET"); arg(sprintf("h:%012d", i))
        for (f = 0; f < 10; f++) { arg("f" f); arg(sprintf("val:%012d", i * 10 + f)) }
    }'
}
count_strings() { mcli "$1" dbsize; }
count_hash() { mcli "$1" hlen hash; }
count_set() { mcli "$1" scard set; }
count_zset() { mcli "$1" zcard zset; }
count_list() { mcli "$1" llen list; }
count_hash10() { mcli "$1" dbsize; }
expected() { if [ "$1" = hash10 ]; then echo $(($2 / 10)); else echo "$2"; fi; }

for row in $MEM_ROWS; do
    declare -F "gen_$row" >/dev/null || { echo "mem: unknown row '$row' (known: ${!ROW_DESC[*]})" >&2; exit 1; }
done

mcli() { timeout 30 redis-cli -h 127.0.0.1 -p "$1" --raw "${@:2}" </dev/null | tr -d '\r'; }

# settle PID: wait until RSS changes by < 0.5% over three 0.5 s samples (at most SETTLE_MAX s)
settle() {
    local pid=$1 prev cur stable=0
    prev=$(rss_kb "$pid")
    for _ in $(seq 1 $((SETTLE_MAX * 2))); do
        sleep 0.5
        cur=$(rss_kb "$pid")
        if awk -v a="$prev" -v b="$cur" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= a * 0.005) }'; then
            stable=$((stable + 1))
            [ $stable -ge 3 ] && break
        else
            stable=0
        fi
        prev=$cur
    done
    echo "$cur"
}

WORK=$(mktemp -d /tmp/cinnabar-mem-work.XXXXXX)
CUR_PID=""
cleanup() { server_stop "$CUR_PID"; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

RAW=$OUTDIR/raw.tsv
printf 'row\tserver\telements\trss_before_kb\trss_after_kb\tbytes_per_element\tload_s\n' >"$RAW"
FAILED=0

# measure ROW SERVER BIN
measure() {
    local row=$1 s=$2 bin=$3 port log rss0 rss1 out count want t0 t1
    port=$(free_port)
    log=$OUTDIR/$s-$row.log
    : >"$log"
    SERVER_DIR=$WORK server_start "$log" "$bin" --bind 127.0.0.1 --port "$port" --save "" --appendonly no
    CUR_PID=$SERVER_PID
    if ! wait_ping "$port" 30 "$CUR_PID"; then
        echo "mem: $s did not start; log:" >&2
        tail -20 "$log" >&2
        server_stop "$CUR_PID"; CUR_PID=""
        FAILED=1
        return 0
    fi
    sleep 1
    rss0=$(rss_kb "$CUR_PID")
    t0=$(date +%s.%N)
    out=$(gen_"$row" "$MEM_N" | timeout 600 redis-cli -h 127.0.0.1 -p "$port" --pipe 2>&1) || true
    t1=$(date +%s.%N)
    rss1=$(settle "$CUR_PID")
    count=$(count_"$row" "$port" || true)
    want=$(expected "$row" "$MEM_N")
    server_stop "$CUR_PID"; CUR_PID=""
    if ! grep -q '^errors: 0, replies: ' <<<"$out" || [ "$count" != "$want" ]; then
        echo "mem: loading $row into $s failed: count '$count' (want $want); redis-cli --pipe said:" >&2
        tail -5 <<<"$out" >&2
        FAILED=1
        return 0
    fi
    awk -v r="$row" -v s="$s" -v c="$count" -v a="$rss0" -v b="$rss1" -v t0="$t0" -v t1="$t1" \
        'BEGIN { printf "%s\t%s\t%d\t%d\t%d\t%.1f\t%.1f\n", r, s, c, a, b, (b - a) * 1024 / c, t1 - t0 }' >>"$RAW"
    echo "  $row on $s: $count elements, RSS $rss0 -> $rss1 kB" >&2
}

echo "mem: rows '$MEM_ROWS', N=$MEM_N; raw results in $RAW" >&2
for row in $MEM_ROWS; do
    measure "$row" cinnabar "$CINNABAR_BIN"
    measure "$row" redis "$REDIS_BIN"
done

REPORT=$OUTDIR/report.md
ALLMET=1
{
    echo "## memory: cinnabar vs redis-server ($(date -u +%Y-%m-%dT%H:%MZ))"
    echo
    echo "- cinnabar: $CINNABAR_BIN; redis: $REDIS_BIN ($("$REDIS_BIN" --version 2>/dev/null | awk '{sub(/^v=/, "", $3); print $3}'))"
    echo "- bytes/element = (VmRSS after loading and settling - VmRSS of the fresh server) / elements"
    echo
    echo "| row | elements | cinnabar bytes/elem | redis bytes/elem | ratio | cinnabar RSS MiB | redis RSS MiB | ≤ redis |"
    echo "|---|---:|---:|---:|---:|---:|---:|:---:|"
    for row in $MEM_ROWS; do
        awk -F'\t' -v row="$row" -v desc="${ROW_DESC[$row]}" '
            $1 == row { n[$2] = $3; b[$2] = $6; m[$2] = $5 / 1024 }
            END {
                c = ("cinnabar" in b) ? b["cinnabar"] : ""; r = ("redis" in b) ? b["redis"] : ""
                ratio = (c != "" && r != "" && r > 0) ? sprintf("%.2f", c / r) : "-"
                ok = (ratio == "-") ? "n/a" : (c <= r ? "yes" : "**no**")
                printf "| %s: %s | %s | %s | %s | %s | %s | %s | %s |\n", row, desc,
                    ("redis" in n ? n["redis"] : ("cinnabar" in n ? n["cinnabar"] : "-")),
                    (c == "" ? "-" : sprintf("%.1f", c)), (r == "" ? "-" : sprintf("%.1f", r)), ratio,
                    ("cinnabar" in m ? sprintf("%.1f", m["cinnabar"]) : "-"),
                    ("redis" in m ? sprintf("%.1f", m["redis"]) : "-"), ok
                exit (ok != "yes")
            }' "$RAW" || ALLMET=0
    done
} >"$REPORT"
cat "$REPORT"
echo "mem: report $REPORT" >&2

if [ "$FAILED" = 1 ]; then
    echo "mem: some rows failed (see above)" >&2
    exit 1
fi
if [ "${STRICT:-0}" = 1 ] && [ "$ALLMET" = 0 ]; then
    echo "mem: STRICT: cinnabar uses more memory than redis on some row" >&2
    exit 1
fi
exit 0
