#!/bin/bash
# What a gateway adds: the same nginx backend called directly, through a real Envoy loaded with
# `isvc compile --emit envoy` (the ingress gateway's config, both listener hops of KServe's route),
# and through `isvc serve`'s gateway (routing, activator, queue-proxy, traffic policies), in one run.
#   bash bench/gateway-overhead.sh        (ROUNDS=5 rounds of DUR=5s per path; writes bench/out/gateway-overhead.md)
# Needs wrk and nginx (apt-get install wrk nginx-light), Envoy in .venv-envoy (scripts/install-test-tools
# installs it), and a release build of isvc (built here). Everything listens on 127.0.0.1; stopped by PID.
set -u
cd "$(dirname "$0")/.."
DUR=${DUR:-5s}
ROUNDS=${ROUNDS:-5}
LOAD=$(cut -d" " -f1-3 /proc/loadavg)
ENVOY=${ENVOY:-.venv-envoy/bin/envoy}
for tool in wrk nginx; do command -v $tool > /dev/null || { echo "$tool is needed: apt-get install wrk nginx-light"; exit 1; }; done
[ -x "$ENVOY" ] || { echo "no Envoy at $ENVOY (scripts/install-test-tools installs one)"; exit 1; }
if [ -z "${ISVC:-}" ]; then # ISVC=path/to/isvc measures another build
  swift build -c release --product isvc 2>&1 | tail -1
  ISVC=$(swift build -c release --show-bin-path)/isvc
fi
mkdir -p bench/out
OUT=bench/out/gateway-overhead.md
HOST=bench.default.example.com
PATH_=/v1/models/bench:predict
ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v/1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v } else { sub(/s$/, "", v); printf "%.3f", v*1000 } }'; }
TICK=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime+stime of the process's own threads, in ticks
run() { # name url conns threads pid-of-the-gateway (none for the backend) -> "rps p50 p99 bad cpu-us-per-request"
  local before after out; before=$([ -n "$5" ] && cpu "$5" || echo 0)
  out=$(wrk -t"$4" -c"$3" -d"$DUR" --latency -H "Host: $HOST" "$2")
  after=$([ -n "$5" ] && cpu "$5" || echo 0)
  local rps reqs p50 p99 bad
  rps=$(echo "$out" | awk '/Requests\/sec/{printf "%.0f", $2}')
  reqs=$(echo "$out" | awk '/requests in/{print $1}')
  p50=$(ms "$(echo "$out" | awk '$1=="50%"{print $2}')"); p99=$(ms "$(echo "$out" | awk '$1=="99%"{print $2}')")
  bad=$(echo "$out" | awk '/Non-2xx/{print $4}'); bad=${bad:-0}
  echo "$rps $p50 $p99 $bad $(awk -v t=$((after - before)) -v n="$reqs" -v hz="$TICK" 'BEGIN{ printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')"
}
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%s", v[int((NR + 1) / 2)] }'; }
"$ISVC" serve bench/gateway-backend.yaml --port 18190 --admin-port 18191 --workdir bench/out/gw-work > bench/out/gw-isvc.log 2>&1 & IPID=$!
for _ in $(seq 1 60); do curl -sf -H "Host: $HOST" "http://127.0.0.1:18190$PATH_" > /dev/null && break; sleep 0.5; done
RPORT=$(grep -o 'on 127.0.0.1:[0-9]*' bench/out/gw-isvc.log | head -1 | cut -d: -f2)
[ -n "$RPORT" ] || { echo "isvc serve did not start a replica (bench/out/gw-isvc.log)"; kill $IPID; exit 1; }
"$ISVC" compile --emit envoy --endpoint "bench-predictor-00001.default.svc.cluster.local=127.0.0.1:$RPORT" \
  --envoy-listen 127.0.0.1 --envoy-port-offset 10120 --envoy-admin-port 18199 bench/gateway-backend.yaml > bench/out/gw-envoy.yaml
"$ENVOY" -c bench/out/gw-envoy.yaml --log-level error > bench/out/gw-envoy.log 2>&1 & EPID=$!
for _ in $(seq 1 60); do curl -sf -H "Host: $HOST" "http://127.0.0.1:18200$PATH_" > /dev/null && break; sleep 0.5; done
ENVOY_NAME="Envoy $("$ENVOY" --version | grep -o 'version: [^/]*/[0-9.]*' | cut -d/ -f2) with the emitted config"
echo "| path | connections | requests/s | p50 ms | p99 ms | gateway CPU µs/request | non-2xx |" > "$OUT"
echo "|---|---:|---:|---:|---:|---:|---:|" >> "$OUT"
# Rounds alternate the three paths, so that a noisy neighbour or a busy core hits all of them alike;
# each cell is the median over the rounds.
for c in 1 32; do
  t=$([ $c = 1 ] && echo 1 || echo 2)
  : > bench/out/gw-rounds-direct-$c; : > bench/out/gw-rounds-envoy-$c; : > bench/out/gw-rounds-isvc-$c
  for r in $(seq 1 "$ROUNDS"); do
    run direct "http://127.0.0.1:$RPORT$PATH_" $c $t "" >> bench/out/gw-rounds-direct-$c
    run envoy "http://127.0.0.1:18200$PATH_" $c $t $EPID >> bench/out/gw-rounds-envoy-$c
    run isvc "http://127.0.0.1:18190$PATH_" $c $t $IPID >> bench/out/gw-rounds-isvc-$c
  done
  for which in direct envoy isvc; do
    f=bench/out/gw-rounds-$which-$c
    case $which in direct) name="backend (nginx) directly"; cpucell="";; envoy) name=$ENVOY_NAME;; isvc) name="isvc serve gateway";; esac
    [ $which = direct ] || cpucell=$(awk '{print $5}' $f | median)
    bad=$(awk '{ s += $4 } END { print s + 0 }' $f)
    echo "| $name | $c | $(awk '{print $1}' $f | median) | $(awk '{print $2}' $f | median) | $(awk '{print $3}' $f | median) | $cpucell | $bad |" | tee -a "$OUT"
  done
done
kill $EPID $IPID; wait $EPID $IPID 2>/dev/null
echo "wrote $OUT ($(nproc) cores, $ROUNDS rounds of wrk $DUR per path, medians; load average before: $LOAD)"
