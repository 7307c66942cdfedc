#!/bin/bash
# Memory of isvc serve's in-process protocol layer for one large request: RSS before, peak during
# (VmHWM, reset through /proc/PID/clear_refs before each request) and after, for a ~60 MB V1 JSON
# body, ~60 MB V2 JSON bodies (FP64 and FP32, nested rows) and a ~60 MB V2 binary-extension body,
# sent to KServe's iris SVC (examples/serve/sklearn-iris.yaml, native scikit-learn runtime).
# The server listens on 127.0.0.1 and is stopped by its PID.
#   bash bench/serve-memory.sh                 (debug build; writes bench/out/serve-memory.md)
#   ISVC=path/to/isvc bash bench/serve-memory.sh   (another build, e.g. release or an older commit)
# MB=60 sets the body size; MAX_ELEMENTS passes --max-tensor-elements when set.
set -u
cd "$(dirname "$0")/.."
MB=${MB:-60}
mkdir -p bench/out
OUT=bench/out/serve-memory.md
if [ -z "${ISVC:-}" ]; then
  swift build --product isvc 2>&1 | tail -1
  ISVC=$(swift build --show-bin-path)/isvc
fi
PORT=${PORT:-18480}
ADMIN=${ADMIN:-18481}
HOST=sklearn-iris.default.example.com
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$WORK" "$MB" <<'PY'
import json, random, struct, sys
work, mb = sys.argv[1], int(sys.argv[2])
target = mb * 1000 * 1000
rnd = random.Random(19)
def row():
    return "[%.1f, %.1f, %.1f, %.1f]" % (rnd.uniform(4, 8), rnd.uniform(2, 4.5), rnd.uniform(1, 7), rnd.uniform(0.1, 2.5))
rows = []
size = 0
while size < target:
    r = row()
    rows.append(r)
    size += len(r) + 2
body = '{"instances": [' + ", ".join(rows) + ']}'
open(f"{work}/v1.json", "w").write(body)
for dtype in ("FP64", "FP32"):
    v2 = '{"inputs": [{"name": "input-0", "shape": [%d, 4], "datatype": "%s", "data": [%s]}]}' % (len(rows), dtype, ", ".join(rows))
    open(f"{work}/v2-{dtype.lower()}.json", "w").write(v2)
# Binary: as many FP32 rows as fit in the same size.
n = target // 16
header = json.dumps({"inputs": [{"name": "input-0", "shape": [n, 4], "datatype": "FP32", "parameters": {"binary_data_size": n * 16}}]})
with open(f"{work}/v2-binary.bin", "wb") as f:
    f.write(header.encode())
    values = [rnd.uniform(0.1, 8) for _ in range(4096)]
    chunk = struct.pack("<4096f", *values)
    left = n * 4
    while left > 0:
        k = min(left, 4096)
        f.write(chunk[: k * 4])
        left -= k
open(f"{work}/v2-binary.len", "w").write(str(len(header.encode())))
PY

EXTRA=()
[ -n "${MAX_ELEMENTS:-}" ] && EXTRA=(--max-tensor-elements "$MAX_ELEMENTS")
"$ISVC" serve examples/serve/sklearn-iris.yaml --port "$PORT" --admin-port "$ADMIN" --workdir "$WORK/isvc" "${EXTRA[@]}" \
  > "$WORK/serve.log" 2>&1 &
PID=$!
stop() { kill -INT "$PID" 2>/dev/null; for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || return; sleep 0.2; done; kill -KILL "$PID" 2>/dev/null; }
for _ in $(seq 1 240); do
  curl -sf -H "Host: $HOST" "http://127.0.0.1:$PORT/v1/models/sklearn-iris" > /dev/null && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/serve.log"; exit 1; }
  sleep 0.5
done
kb() { awk -v k="$1" '$1 == k ":" {print $2}' /proc/$PID/status; }
mb() { awk -v k="$1" 'BEGIN{printf "%.0f", k/1024}'; }

{
  echo "| body | body MB | status | RSS before MB | peak RSS MB | peak - before, x body | RSS after MB | seconds |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
} > "$OUT"
send() { # label file path [header-length]
  local file=$2 size before peak after status t0 t1 headers=(-H "Host: $HOST")
  if [ -n "${4:-}" ]; then headers+=(-H "Content-Type: application/octet-stream" -H "Inference-Header-Content-Length: $4")
  else headers+=(-H "Content-Type: application/json"); fi
  size=$(stat -c %s "$file")
  sleep 1
  before=$(kb VmRSS)
  echo 5 > /proc/$PID/clear_refs
  t0=$(date +%s.%N)
  status=$(curl -s -o "$WORK/answer" -w '%{http_code}' "${headers[@]}" --data-binary @"$file" "http://127.0.0.1:$PORT$3")
  t1=$(date +%s.%N)
  peak=$(kb VmHWM)
  sleep 2
  after=$(kb VmRSS)
  echo "| $1 | $(awk -v s="$size" 'BEGIN{printf "%.1f", s/1e6}') | $status | $(mb "$before") | $(mb "$peak") |" \
       "$(awk -v p="$peak" -v b="$before" -v s="$size" 'BEGIN{printf "%.2f", (p-b)*1024/s}') | $(mb "$after") |" \
       "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') |" | tee -a "$OUT"
  [ "$status" = 200 ] || head -c 300 "$WORK/answer"
}
send "V1 instances (JSON)" "$WORK/v1.json" /v1/models/sklearn-iris:predict
send "V2 FP64 nested rows (JSON)" "$WORK/v2-fp64.json" /v2/models/sklearn-iris/infer
send "V2 FP32 nested rows (JSON)" "$WORK/v2-fp32.json" /v2/models/sklearn-iris/infer
send "V2 FP32 binary extension" "$WORK/v2-binary.bin" /v2/models/sklearn-iris/infer "$(cat "$WORK/v2-binary.len")"
send "V1 instances again" "$WORK/v1.json" /v1/models/sklearn-iris:predict
stop
wait "$PID" 2>/dev/null
echo "written to $OUT"
