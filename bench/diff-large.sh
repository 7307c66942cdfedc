#!/usr/bin/env bash
# isvc diff on one large object: an InferenceService whose predictor has N environment variables
# (its Knative Service, Revision and Deployment are each over 2N lines), changed at the first and
# the last variable, so the changed lines of each object are N apart. Wall time and peak memory of
# `isvc diff` (release build), best of RUNS; the hunks are checked by the tests, not here.
# Usage: bash bench/diff-large.sh [N] [RUNS]   (default 2500 variables, 3 runs). Writes bench/out/diff/.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-2500}"
runs="${2:-3}"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install -y time)"; exit 2; }
swift build -c release --product isvc >/dev/null
bin=.build/release/isvc
out=bench/out/diff
mkdir -p "$out"
python3 - "$out" "$n" <<'PY'
import sys
out, n = sys.argv[1], int(sys.argv[2])
def isvc(first, last):
    env = "".join(f"          - name: VAR_{i}\n            value: \"{first if i == 0 else last if i == n - 1 else i}\"\n" for i in range(n))
    return ("apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: big\nspec:\n"
            "  predictor:\n    model:\n      modelFormat:\n        name: sklearn\n"
            "      storageUri: gs://kfserving-examples/models/sklearn/1.0/model\n      env:\n" + env)
open(f"{out}/old.yaml", "w").write(isvc("a", "b"))
open(f"{out}/new.yaml", "w").write(isvc("A", "B"))
PY
best_t=""; best_m=""
for _ in $(seq "$runs"); do
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$bin" diff "$out/old.yaml" "$out/new.yaml" > "$out/diff.txt" || true
  read -r t m < <(tail -1 "$out/time.txt")
  if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; best_m=$m; fi
done
printf '| environment variables | largest object | diff output | isvc diff wall | peak RSS |\n|---:|---:|---:|---:|---:|\n'
printf '| %d | %s lines | %s lines | %.2f s | %d MB |\n' "$n" \
  "$("$bin" compile "$out/new.yaml" | awk '/^---/{if (c > m) m = c; c = 0; next} {c++} END{if (c > m) m = c; print m}')" \
  "$(wc -l < "$out/diff.txt")" "$best_t" "$((best_m / 1024))"
