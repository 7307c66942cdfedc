#!/bin/bash
# gRPC ModelInfer on KServe's iris SVC (fixtures/models/sklearn-iris-svc, two rows, FP32 typed
# contents) at 1 and 32 concurrent streams, in one run on this machine:
#   - KServe's Python model server's gRPC port (bench/kserve-sklearnserver.py, the kserve package),
#   - MLServer's gRPC port (mlserver + mlserver-sklearn, the same model.joblib),
#   - isvc serve: through the gateway (h2c listener, route, queue-proxy, HTTP/2 cluster) to the native
#     runtime's gRPC server, the isvc being an h2c revision (examples/serve/sklearn-iris-grpc.yaml).
# The load generator is h2load (Debian's nghttp2-client) with a prepared gRPC frame; every answer is
# checked once with KServe's InferenceGRPCClient before the load. Servers listen on 127.0.0.1 and are
# stopped by PID.
#   bash bench/grpc.sh      (N=20000 requests per run; writes bench/out/grpc.md)
# Needs: h2load, a release build of isvc (built here), .venv-bench (kserve, scikit-learn, joblib) and
# .venv-mlserver (mlserver, mlserver-sklearn), made here when missing.
set -u
cd "$(dirname "$0")/.."
N=${N:-20000}
TCK=$(getconf CLK_TCK)
MODEL_DIR=fixtures/models/sklearn-iris-svc
mkdir -p bench/out
OUT=bench/out/grpc.md
command -v h2load > /dev/null || apt-get install -y -q nghttp2-client > /dev/null || { echo "h2load is needed: apt-get install nghttp2-client"; exit 1; }
[ -x .venv-bench/bin/python ] || { python3 -m venv .venv-bench && .venv-bench/bin/pip install -q kserve scikit-learn joblib; } || exit 1
[ -x .venv-mlserver/bin/mlserver ] || { python3 -m venv .venv-mlserver && .venv-mlserver/bin/pip install -q mlserver mlserver-sklearn; } || exit 1
swift build -c release --product isvc 2>&1 | tail -1
ISVC=$(swift build -c release --show-bin-path)/isvc

# The request: one gRPC frame (uncompressed flag, big-endian length, ModelInferRequest).
.venv-bench/bin/python - <<'PY'
from kserve.protocol.grpc import grpc_predict_v2_pb2 as pb
r = pb.ModelInferRequest(model_name="sklearn-iris")
t = r.inputs.add(name="input-0", datatype="FP32", shape=[2, 4])
t.contents.fp32_contents.extend([6.8, 2.8, 4.8, 1.4, 6.0, 3.4, 4.5, 1.6])
m = r.SerializeToString()
open("bench/out/grpc-infer.bin", "wb").write(b"\x00" + len(m).to_bytes(4, "big") + m)
PY

check() { # port authority: one ModelInfer with KServe's client; prints the predictions
  .venv-bench/bin/python - "$1" "$2" <<'PY'
import asyncio, sys
import numpy as np
from kserve import InferenceGRPCClient, InferInput, InferRequest
async def main():
    c = InferenceGRPCClient(f"127.0.0.1:{sys.argv[1]}", channel_args=[("grpc.default_authority", sys.argv[2])], timeout=10)
    for _ in range(100):
        try:
            if await c.is_model_ready("sklearn-iris"): break
        except Exception: await asyncio.sleep(0.5)
    i = InferInput("input-0", [2, 4], "FP32"); i.set_data_from_numpy(np.array([[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]], dtype=np.float32))
    r = await c.infer(InferRequest(model_name="sklearn-iris", infer_inputs=[i]))
    print(list(r.outputs[0].data) if r.outputs[0].data else r.outputs[0].as_numpy().tolist())
asyncio.run(main())
PY
}
tree() { echo "$1"; for c in $(pgrep -P "$1"); do tree "$c"; done; }
cpu_ticks() { local s=0; for p in $(tree "$1"); do [ -r /proc/$p/stat ] && s=$((s + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo $s; }
echo "| server | streams | requests/s | mean ms | max ms | server CPU ms/request | failed |" > "$OUT"
echo "|---|---:|---:|---:|---:|---:|---:|" >> "$OUT"
run() { # server port authority clients streams-per-client pid
  local before after out rps mean max failed cpu
  before=$(cpu_ticks "$6")
  out=$(h2load -n "$N" -c "$4" -m "$5" -t 1 -d bench/out/grpc-infer.bin -H 'content-type: application/grpc' -H 'te: trailers' \
    -H ":authority: $3" "http://127.0.0.1:$2/inference.GRPCInferenceService/ModelInfer" 2>&1)
  after=$(cpu_ticks "$6")
  rps=$(echo "$out" | awk '/finished in/{gsub(",", "", $4); printf "%.0f", $4}')
  mean=$(echo "$out" | awk '/time for request:/{print $6}')
  max=$(echo "$out" | awk '/time for request:/{print $5}')
  failed=$(echo "$out" | awk '/^requests:/{print $(NF-5)+$(NF-3)+$(NF-1)}')
  cpu=$(awk -v t=$((after - before)) -v n="$N" -v h="$TCK" 'BEGIN{printf "%.3f", t*1000/h/n}')
  echo "| $1 | $(($4 * $5)) | $rps | $mean | $max | $cpu | $failed |" | tee -a "$OUT"
}
suite() { run "$1" "$2" "$3" 1 1 "$4"; run "$1" "$2" "$3" 4 8 "$4"; }

.venv-bench/bin/python bench/kserve-sklearnserver.py --model_name sklearn-iris --model_dir "$MODEL_DIR" \
  --http_port 18080 --grpc_port 18081 > bench/out/kserve-grpc.log 2>&1 & KPID=$!
if answer=$(check 18081 localhost 2>/dev/null); then
  echo "KServe answers $answer"
  suite "KServe $(.venv-bench/bin/python -c 'import importlib.metadata as m; print(m.version("kserve"))') gRPC" 18081 localhost $KPID
else echo "KServe did not answer (bench/out/kserve-grpc.log)"; fi
kill $KPID; wait $KPID 2>/dev/null

MS=bench/out/mlserver-iris
rm -rf "$MS"; mkdir -p "$MS/sklearn-iris"
cp "$MODEL_DIR"/model.joblib "$MS/sklearn-iris/model.joblib"
echo '{"name": "sklearn-iris", "implementation": "mlserver_sklearn.SKLearnModel", "parameters": {"uri": "./model.joblib"}}' > "$MS/sklearn-iris/model-settings.json"
echo '{"host": "127.0.0.1", "http_port": 18082, "grpc_port": 18083, "metrics_port": 18084, "parallel_workers": 0}' > "$MS/settings.json"
(cd "$MS" && exec ../../../.venv-mlserver/bin/mlserver start .) > bench/out/mlserver.log 2>&1 & MPID=$!
if answer=$(check 18083 localhost 2>/dev/null); then
  echo "MLServer answers $answer"
  suite "MLServer $(.venv-mlserver/bin/python -c 'import importlib.metadata as m; print(m.version("mlserver"))') gRPC" 18083 localhost $MPID
else echo "MLServer did not answer (bench/out/mlserver.log)"; fi
kill $MPID; wait $MPID 2>/dev/null

"$ISVC" serve examples/serve/sklearn-iris-grpc.yaml --port 18090 --admin-port 18091 --workdir bench/out/isvc-work \
  > bench/out/isvc-grpc.log 2>&1 & IPID=$!
if answer=$(check 18090 sklearn-iris.default.example.com 2>/dev/null); then
  echo "isvc serve answers $answer"
  suite "isvc serve (gateway, native)" 18090 sklearn-iris.default.example.com $IPID
else echo "isvc serve did not answer (bench/out/isvc-grpc.log)"; fi
kill $IPID; wait $IPID 2>/dev/null
echo "wrote $OUT ($(nproc) cores, h2load $N requests per run, load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
