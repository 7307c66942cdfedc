#!/bin/bash
# The agent's batcher in isvc serve: throughput and latency of a KServe Python model server
# (scripts/kserve-doubler.py, the `kserve` package's ModelServer) whose every predict call costs
# COST ms whatever its size (it blocks the server: a model with a per-call cost, such as a GPU
# kernel launch), without a batcher and with `batcher: {maxBatchSize: 32, maxLatency: 50}`, wrk at
# 1 and 32 connections sending one instance per request, in one run; the batches and instances the
# batcher sent, from /metrics. Every server listens on 127.0.0.1 and is stopped by PID.
#   bash bench/agent-batcher.sh            (DUR=10s per wrk run, COST=20; writes bench/out/agent-batcher.md)
# Needs: wrk (apt-get install wrk), .venv-kserve (scripts/install-test-tools), a release build of
# isvc (built here, or ISVC=path to one).
set -u
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
COST=${COST:-20}
mkdir -p bench/out
OUT=bench/out/agent-batcher.md
command -v wrk > /dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
[ -x .venv-kserve/bin/python ] || { echo ".venv-kserve is needed: bash scripts/install-test-tools"; exit 1; }
if [ -z "${ISVC:-}" ]; then
  swift build -c release --product isvc 2>&1 | tail -1
  ISVC=$(swift build -c release --show-bin-path)/isvc
fi
PY="$PWD/.venv-kserve/bin/python"
SCRIPT="$PWD/scripts/kserve-doubler.py"
model() {  # model BATCHER_LINES: the doubler InferenceService, with the batcher lines if any
  cat <<YAML
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: doubler
spec:
  predictor:
    minReplicas: 1
    maxReplicas: 1
$1
    containers:
      - name: kserve-container
        image: local/kserve-doubler
        command: [$PY, $SCRIPT]
        args: [--model_name, doubler, --http_port, "8080", --enable_grpc, "false", --call-cost-ms, "$COST"]
YAML
}
model "" > bench/out/doubler-unbatched.yaml
model "    batcher:
      maxBatchSize: 32
      maxLatency: 50" > bench/out/doubler-batched.yaml
cat > bench/out/one-instance.lua <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"instances": [[1.5, 2]]}'
LUA

wait_ready() { for _ in $(seq 1 240); do curl -sf -H "Host: $2" "$1" >/dev/null && return 0; sleep 0.5; done; return 1; }
ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v/1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v } else { sub(/s$/, "", v); printf "%.2f", v*1000 } }'; }
HOST=doubler.default.example.com
echo "| batcher | connections | requests/s | p50 ms | p99 ms | batches sent | instances in them |" > "$OUT"
echo "|---|---:|---:|---:|---:|---:|---:|" >> "$OUT"
for variant in unbatched batched; do
  "$ISVC" serve bench/out/doubler-$variant.yaml --port 18090 --admin-port 18091 --workdir bench/out/isvc-work > bench/out/isvc-batcher.log 2>&1 & IPID=$!
  if ! wait_ready http://127.0.0.1:18090/v1/models/doubler $HOST; then echo "isvc serve did not start"; kill $IPID; continue; fi
  for conns in 1 32; do
    threads=$([ "$conns" = 1 ] && echo 1 || echo 2)
    out=$(wrk -t"$threads" -c"$conns" -d"$DUR" --timeout 10s --latency -H "Host: $HOST" -s bench/out/one-instance.lua http://127.0.0.1:18090/v1/models/doubler:predict)
    rps=$(echo "$out" | awk '/Requests\/sec/{printf "%.0f", $2}')
    p50=$(ms "$(echo "$out" | awk '$1=="50%"{print $2}')")
    p99=$(ms "$(echo "$out" | awk '$1=="99%"{print $2}')")
    metrics=$(curl -s http://127.0.0.1:18091/metrics)
    sum() { echo "$metrics" | awk -v m="$1" 'index($0, m) && $0 !~ /^#/ {s += $NF} END {printf "%d", s}'; }
    echo "| $variant | $conns | $rps | $p50 | $p99 | $(sum batcher_batches_total) | $(sum batcher_instances_total) |" | tee -a "$OUT"
  done
  kill $IPID; wait $IPID 2>/dev/null
done
echo "wrote $OUT ($(nproc) cores, wrk $DUR per run, $COST ms per model call; batch counts are cumulative per server)"
