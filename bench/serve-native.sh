#!/bin/bash
# isvc serve's native scikit-learn runtime against KServe's Python model server, same model.joblib
# (KServe's iris SVC, fixtures/models/sklearn-iris-svc), V1 :predict and V2 /infer, wrk at 1 and 32
# connections, in one run on this machine. Every server listens on 127.0.0.1 and is stopped by PID.
#   bash bench/serve-native.sh            (DUR=10s per wrk run; writes bench/out/serve-native.md)
# Needs: wrk (apt-get install wrk), a release build of isvc (built here), and a venv with kserve,
# scikit-learn and joblib (.venv-bench, made here when missing).
set -u
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
VENV=${VENV:-.venv-bench}
TCK=$(getconf CLK_TCK)
MODEL_DIR=fixtures/models/sklearn-iris-svc
mkdir -p bench/out
OUT=bench/out/serve-native.md
command -v wrk > /dev/null || apt-get install -y -q wrk > /dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q kserve scikit-learn joblib; } || exit 1
swift build -c release --product isvc 2>&1 | tail -1
ISVC=$(swift build -c release --show-bin-path)/isvc

cat > bench/out/v1.lua <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"instances": [[6.8,2.8,4.8,1.4],[6.0,3.4,4.5,1.6]]}'
LUA
cat > bench/out/v2.lua <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"inputs":[{"name":"input-0","shape":[2,4],"datatype":"FP32","data":[6.8,2.8,4.8,1.4,6.0,3.4,4.5,1.6]}]}'
LUA

wait_ready() { for _ in $(seq 1 120); do curl -sf -H "Host: $2" "$1" >/dev/null && return 0; sleep 0.5; done; return 1; }
tree() { echo "$1"; for c in $(pgrep -P "$1"); do tree "$c"; done; }
cpu_ticks() { local s=0; for p in $(tree "$1"); do [ -r /proc/$p/stat ] && s=$((s + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo $s; }
ms() { # wrk latency ("1.23ms", "850.00us", "1.02s") in ms
  awk -v v="$1" 'BEGIN{ if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v/1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v } else { sub(/s$/, "", v); printf "%.2f", v*1000 } }'
}
echo "| server | endpoint | connections | requests/s | p50 ms | p99 ms | server CPU ms/request | non-2xx |" > "$OUT"
echo "|---|---|---:|---:|---:|---:|---:|---:|" >> "$OUT"
run() { # server endpoint url lua conns threads pid host
  local before after out n rps p50 p99 bad
  before=$(cpu_ticks "$7")
  out=$(wrk -t"$6" -c"$5" -d"$DUR" --latency -H "Host: $8" -s "$4" "$3")
  after=$(cpu_ticks "$7")
  n=$(echo "$out" | awk '/requests in/{print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/{printf "%.0f", $2}')
  p50=$(ms "$(echo "$out" | awk '$1=="50%"{print $2}')")
  p99=$(ms "$(echo "$out" | awk '$1=="99%"{print $2}')")
  bad=$(echo "$out" | awk '/Non-2xx/{print $4}'); bad=${bad:-0}
  local cpu; cpu=$(awk -v t=$((after - before)) -v n="$n" -v h="$TCK" 'BEGIN{printf "%.3f", t*1000/h/n}')
  echo "| $1 | $2 | $5 | $rps | $p50 | $p99 | $cpu | $bad |" | tee -a "$OUT"
}
suite() { # server url-base pid host
  run "$1" "V1 :predict" "$2/v1/models/sklearn-iris:predict" bench/out/v1.lua 1 1 "$3" "$4"
  run "$1" "V2 /infer" "$2/v2/models/sklearn-iris/infer" bench/out/v2.lua 1 1 "$3" "$4"
  run "$1" "V1 :predict" "$2/v1/models/sklearn-iris:predict" bench/out/v1.lua 32 2 "$3" "$4"
  run "$1" "V2 /infer" "$2/v2/models/sklearn-iris/infer" bench/out/v2.lua 32 2 "$3" "$4"
}

"$VENV/bin/python" bench/kserve-sklearnserver.py --model_name sklearn-iris --model_dir "$MODEL_DIR" \
  --http_port 18080 --enable_grpc false > bench/out/kserve.log 2>&1 & KPID=$!
if wait_ready http://127.0.0.1:18080/v2/models/sklearn-iris/ready localhost; then
  suite "KServe $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("kserve"), "+ scikit-learn", m.version("scikit-learn"))')" http://127.0.0.1:18080 $KPID localhost
else echo "KServe did not start (bench/out/kserve.log)"; fi
kill $KPID; wait $KPID 2>/dev/null

"$ISVC" serve examples/serve/sklearn-iris.yaml --port 18090 --admin-port 18091 --workdir bench/out/isvc-work \
  > bench/out/isvc.log 2>&1 & IPID=$!
if wait_ready http://127.0.0.1:18090/v2/models/sklearn-iris/ready sklearn-iris.default.example.com; then
  suite "isvc serve (native)" http://127.0.0.1:18090 $IPID sklearn-iris.default.example.com
else echo "isvc serve did not start (bench/out/isvc.log)"; fi
kill $IPID; wait $IPID 2>/dev/null
echo "wrote $OUT ($(nproc) cores, wrk $DUR per run, load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
