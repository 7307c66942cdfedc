#!/bin/bash
# The agent's payload logger in isvc serve: throughput and latency of the native scikit-learn
# example (V1 :predict) without a logger and with one (mode all: two CloudEvents per request) sent
# to an nginx sink answering 200, wrk at 1 and 32 connections, in one run; the events sent, failed
# and dropped from /metrics. Every server listens on 127.0.0.1 and is stopped by PID.
#   bash bench/agent-logger.sh            (DUR=10s per wrk run; writes bench/out/agent-logger.md)
# Needs: wrk and nginx (apt-get install wrk nginx-light), a release build of isvc (built here, or
# ISVC=path to one).
set -u
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
mkdir -p bench/out
OUT=bench/out/agent-logger.md
command -v wrk > /dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
command -v nginx > /dev/null || { echo "nginx is needed: apt-get install nginx-light"; exit 1; }
if [ -z "${ISVC:-}" ]; then
  swift build -c release --product isvc 2>&1 | tail -1
  ISVC=$(swift build -c release --show-bin-path)/isvc
fi
SINK=18099
DIR=$(mktemp -d)
sed -e "s|@PORT@|$SINK|" -e "s|@DIR@|$DIR|" bench/nginx-backend.conf > "$DIR/nginx.conf"
nginx -c "$DIR/nginx.conf" -p "$DIR" 2> "$DIR/nginx.log"
sleep 0.5
NPID=$(cat "$DIR/nginx.pid")

cat > bench/out/v1.lua <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"instances": [[6.8,2.8,4.8,1.4],[6.0,3.4,4.5,1.6]]}'
LUA
sed "s|    model:|    logger:\n      mode: all\n      url: http://127.0.0.1:$SINK/\n    model:|" examples/serve/sklearn-iris.yaml \
  > bench/out/sklearn-iris-logged.yaml

wait_ready() { for _ in $(seq 1 120); do curl -sf -H "Host: $2" "$1" >/dev/null && return 0; sleep 0.5; done; return 1; }
ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v/1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v } else { sub(/s$/, "", v); printf "%.2f", v*1000 } }'; }
HOST=sklearn-iris.default.example.com
echo "| logger | connections | requests/s | p50 ms | p99 ms | events sent | failed | dropped |" > "$OUT"
echo "|---|---:|---:|---:|---:|---:|---:|---:|" >> "$OUT"
for variant in none all; do
  file=examples/serve/sklearn-iris.yaml
  [ "$variant" = all ] && file=bench/out/sklearn-iris-logged.yaml
  "$ISVC" serve "$file" --port 18090 --admin-port 18091 --workdir bench/out/isvc-work > bench/out/isvc-logger.log 2>&1 & IPID=$!
  if ! wait_ready http://127.0.0.1:18090/v2/models/sklearn-iris/ready $HOST; then echo "isvc serve did not start"; kill $IPID; continue; fi
  for conns in 1 32; do
    threads=$([ "$conns" = 1 ] && echo 1 || echo 2)
    out=$(wrk -t"$threads" -c"$conns" -d"$DUR" --latency -H "Host: $HOST" -s bench/out/v1.lua http://127.0.0.1:18090/v1/models/sklearn-iris:predict)
    rps=$(echo "$out" | awk '/Requests\/sec/{printf "%.0f", $2}')
    p50=$(ms "$(echo "$out" | awk '$1=="50%"{print $2}')")
    p99=$(ms "$(echo "$out" | awk '$1=="99%"{print $2}')")
    metrics=$(curl -s http://127.0.0.1:18091/metrics)
    count() { echo "$metrics" | awk -v o="outcome=\"$1\"" 'index($0, "logger_events_total") && index($0, o) {s += $NF} END {printf "%d", s}'; }
    echo "| $variant | $conns | $rps | $p50 | $p99 | $(count sent) | $(count failed) | $(count dropped) |" | tee -a "$OUT"
  done
  kill $IPID; wait $IPID 2>/dev/null
done
kill "$NPID"; rm -rf "$DIR"
echo "wrote $OUT ($(nproc) cores, wrk $DUR per run; event counts are cumulative per server)"
