#!/bin/bash
# LLMInferenceServices through `isvc serve`, in one run on this machine (issue 16's benchmark):
#   1. The endpoint picker vs a balancer without it, on a skewed workload: 60 % long prompts sharing
#      one of 8 system prompts (1000 words), 40 % short unique prompts; 400 streamed completions, 16
#      at a time, to 4 replicas of the vLLM simulator with a prefix cache (prefill 0.5 ms per uncached
#      prompt token, 160 blocks of 16 tokens per replica: two or three system prompts fit, not eight).
#        - epp:     the managed scheduler: isvc's picker with KServe's default profile;
#        - service: no scheduler: the route's backend is the workload Service (least request, as
#                   Istio balances a Service);
#        - rr:      round robin over the 4 replicas' ports, straight from the client (no gateway).
#      Each has replicas of its own, so no cache is shared between them.
#   2. Streaming through the gateway vs direct to the replica at 1 and 32 concurrent streams (one
#      replica, 64 tokens per answer, 20 ms to the first token, 10 ms between tokens): time to first
#      token, time per output token, tokens/s, and the gateway's CPU per stream.
# The simulator is scripts/vllm-sim.py (not vLLM); the load is bench/llm-load.py (threads). Servers
# listen on 127.0.0.1 and are stopped by PID.
#   bash bench/llm-picker.sh      (writes bench/out/llm-picker.md)
# Needs: a release build of isvc (built here) and python3.
set -u
cd "$(dirname "$0")/.."
mkdir -p bench/out
OUT=bench/out/llm-picker.md
TCK=$(getconf CLK_TCK)
PY=python3
swift build -c release --product isvc 2>&1 | tail -1
ISVC=$(swift build -c release --show-bin-path)/isvc
PORT=18480

service() { # name replicas scheduler(yes/no) max-running cache-blocks
  local router='{scheduler: {}, route: {}, gateway: {}}'
  [ "$3" = no ] && router='{route: {}, gateway: {}}'
  cat <<EOF
---
apiVersion: serving.kserve.io/v1alpha2
kind: LLMInferenceService
metadata:
  name: $1
spec:
  model: {uri: "hf://facebook/opt-125m", name: $1}
  replicas: $2
  router: $router
  template:
    containers:
      - name: main
        image: vllm/vllm-openai
        command: [python3, scripts/vllm-sim.py]
        args: [--port, "8000", --served-model-name, $1, --ttft-ms, "20", --tpot-ms, "10", --max-running, "$4",
               --prefill-ms-per-token, "0.5", --prefix-cache-blocks, "$5"]
EOF
}
{ service epp 4 yes 4 160; service service 4 no 4 160; service rr 4 no 4 160; } > bench/out/llm-picker.yaml
service stream 1 no 64 4096 > bench/out/llm-stream.yaml

SERVE=
trap 'kill $SERVE 2> /dev/null; wait $SERVE 2> /dev/null' EXIT
start() { # yaml: isvc serve on $PORT, its log in bench/out/llm-serve.log
  "$ISVC" serve "$1" --port $PORT --admin-port $((PORT + 1)) --workdir bench/out/llm-work > bench/out/llm-serve.log 2>&1 &
  SERVE=$!
  for _ in $(seq 100); do grep -q "gateway listening" bench/out/llm-serve.log && break; sleep 0.2; done
  sleep 1
}
stop() { kill "$SERVE"; wait "$SERVE" 2> /dev/null; }
start bench/out/llm-picker.yaml
ports() { grep -a "starting replica $1-kserve-" bench/out/llm-serve.log | sed 's/.* on 127.0.0.1:\([0-9]*\)$/\1/' | sort -u; }
hits() { # the replicas' prefix cache hit rate, in %
  local h=0 q=0
  for p in $(ports "$1"); do
    local m
    m=$(curl -s "http://127.0.0.1:$p/metrics")
    h=$(echo "$m" | awk -v h="$h" '/^vllm:prefix_cache_hits_total/ {h += $2} END {print h}')
    q=$(echo "$m" | awk -v q="$q" '/^vllm:prefix_cache_queries_total/ {q += $2} END {print q}')
  done
  awk -v h="$h" -v q="$q" 'BEGIN {printf "%.0f", (q > 0) ? (100 * h / q) : 0}'
}
field() { $PY -c "import json,sys; d=json.loads(sys.argv[1]); print(d$2)" "$1"; }

{
  echo "### The endpoint picker on a skewed workload (400 requests, 16 at a time, 4 replicas each)"
  echo
  echo "| balancing | mean TTFT ms | p90 TTFT ms | long prompts: mean TTFT ms | short prompts: mean TTFT ms | prefix cache hits | failed |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
} > "$OUT"
for name in epp service rr; do
  if [ $name = rr ]; then
    urls=$(for p in $(ports rr); do printf "http://127.0.0.1:%s/v1/completions," "$p"; done)
    urls=${urls%,}
  else
    urls="http://127.0.0.1:$PORT/default/$name/v1/completions"
  fi
  r=$($PY bench/llm-load.py skewed "$urls" --model $name --requests 400 --concurrency 16)
  echo "$name: $r"
  label=$(case $name in epp) echo "isvc's endpoint picker (KServe's default profile)" ;; service) echo "no scheduler: the workload Service (least request)" ;; rr) echo "round robin, client to replicas" ;; esac)
  echo "| $label | $(field "$r" "['ttft_ms']['mean']") | $(field "$r" "['ttft_ms']['p90']") | $(field "$r" "['ttft_ms_long']['mean']") | $(field "$r" "['ttft_ms_short']['mean']") | $(hits $name) % | $(field "$r" "['failed']") |" >> "$OUT"
done

{
  echo
  echo "### Streaming: through the gateway vs direct (one replica, 64 tokens per answer)"
  echo
  echo "| path | streams | requests | mean TTFT ms | p90 TTFT ms | mean ms per token after the first | tokens/s | gateway CPU ms per stream |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
} >> "$OUT"
# A gateway of its own for the streaming runs: the picker's metrics reader of part 1 would run beside them.
stop
start bench/out/llm-stream.yaml
replica=$(ports stream | head -1)
cpu() { awk '{print $14 + $15}' /proc/$SERVE/stat; }
for c in 1 32; do
  n=$((c == 1 ? 100 : 640))
  for path in direct gateway; do
    url="http://127.0.0.1:$PORT/default/stream/v1/completions"
    [ $path = direct ] && url="http://127.0.0.1:$replica/v1/completions"
    before=$(cpu)
    r=$($PY bench/llm-load.py stream "$url" --model stream --requests $n --concurrency $c --tokens 64)
    after=$(cpu)
    echo "$path $c: $r"
    gw="-"
    [ $path = gateway ] && gw=$(awk -v t=$((after - before)) -v n=$n -v k="$TCK" 'BEGIN {printf "%.2f", 1000 * t / k / n}')
    echo "| $path | $c | $n | $(field "$r" "['ttft_ms']['mean']") | $(field "$r" "['ttft_ms']['p90']") | $(field "$r" "['tpot_ms']['mean']") | $(field "$r" "['tokens_per_s']") | $gw |" >> "$OUT"
  done
done
cat "$OUT"
