#!/usr/bin/env bash
# bench/pubsub.sh — pub/sub delivery and MULTI/EXEC rates, Cinnabar vs Debian's redis-server,
# side by side, interleaved over ROUNDS rounds (median ratio), with bench/pubsubbench (Go).
# Rows: one publisher to 1 channel with 1, 10 and 100 subscribers; the same with pattern
# subscribers (PSUBSCRIBE ben*); MULTI + 10 SET + EXEC from 50 clients.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib.sh"
ROUNDS=${ROUNDS:-3}
CINNABAR_BIN=${CINNABAR_BIN:-}
cd "$ROOT"
if [ -z "$CINNABAR_BIN" ]; then go build -o bin/cinnabar ./cmd/cinnabar; CINNABAR_BIN=$ROOT/bin/cinnabar; fi
PSB=$(mktemp -d)/pubsubbench
go build -o "$PSB" ./bench/pubsubbench
PIN_S="" PIN_C=""
if command -v taskset >/dev/null && [ -z "${NO_PIN:-}" ]; then PIN_S="taskset -c 0"; PIN_C="taskset -c 1"; fi
cp=$(free_port); rp=$(free_port)
$PIN_S "$CINNABAR_BIN" --port "$cp" --bind 127.0.0.1 --save "" --appendonly no >/dev/null 2>&1 & cpid=$!
$PIN_S redis-server --port "$rp" --bind 127.0.0.1 --save "" --appendonly no >/dev/null 2>&1 & rpid=$!
trap 'kill $cpid $rpid 2>/dev/null || true' EXIT
sleep 0.5
ROWS=("publish 1 200000" "publish 10 100000" "publish 100 20000" "psubscribe 10 100000" "psubscribe 100 20000" "multi 50 40000")
declare -A C R
for round in $(seq 1 "$ROUNDS"); do
  for row in "${ROWS[@]}"; do
    set -- $row
    if [ "$1" = multi ]; then a=(-mode multi -clients "$2" -n "$3"); else a=(-mode "$1" -subs "$2" -n "$3"); fi
    c=$($PIN_C "$PSB" -addr 127.0.0.1:$cp "${a[@]}" | awk '{print $5}')
    r=$($PIN_C "$PSB" -addr 127.0.0.1:$rp "${a[@]}" | awk '{print $5}')
    C["$row"]+="$c " R["$row"]+="$r "
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| row | cinnabar ops/s | redis ops/s | ratio |"
echo "|---|---:|---:|---:|"
for row in "${ROWS[@]}"; do
  c=$(echo "${C[$row]}" | median); r=$(echo "${R[$row]}" | median)
  echo "| $row | $c | $r | $(awk -v c="$c" -v r="$r" 'BEGIN{printf "%.2f", c/r}') |"
done
