#!/usr/bin/env bash
# Wall time and peak memory of `isvc check` (release build) on the hostile inputs of
# Tests/ISVCCoreTests/HostileYAMLTests.swift: the tests check what each is answered with, this
# measures how long it takes (a timing in a test cannot tell a regression from a busy shared core).
# Usage: bash bench/hostile-yaml.sh [RUNS]   (best of RUNS, default 3). Writes bench/out/hostile/.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install -y time)"; exit 2; }
swift build -c release --product isvc >/dev/null
bin=.build/release/isvc
out=bench/out/hostile
mkdir -p "$out"
python3 - "$out" <<'PY'
import sys
out = sys.argv[1]

def ladder(levels, prefix="l"):
    lines = [f"{prefix}0: &{prefix}0 [x, x, x, x, x, x, x, x, x]"]
    for k in range(1, levels):
        lines.append(f"{prefix}{k}: &{prefix}{k} [" + ", ".join([f"*{prefix}{k - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"

def write(name, text):
    with open(f"{out}/{name}.yaml", "w") as f:
        f.write(text)

write("per-file-alias-budget", "---\n".join([ladder(6)] * 64))
write("billion-laughs-key", ladder(10) + "? *l9\n: value\n")
write("large-alias-key", ladder(5) + "? *l4\n: value\n")
chain = ["m0: &m0 {k0: v}"] + [f"m{k}: &m{k}\n  <<: *m{k - 1}\n  k{k}: v" for k in range(1, 401)]
write("merge-chain-400", "\n".join(chain) + "\n")
merge = ["base: &base"] + [f"  key{k}: v" for k in range(20000)] + ["merged:\n  <<: *base"]
merge += [f"  key{k}: own" for k in range(0, 20000, 2)]
write("merge-20000-keys", "\n".join(merge) + "\n")
write("sequence-2m-items", "items:\n" + "- x\n" * 2_000_000)
runtimes = "".join(
    f"apiVersion: serving.kserve.io/v1alpha1\nkind: ServingRuntime\nmetadata:\n  name: rt-{k}\nspec:\n"
    f"  supportedModelFormats:\n    - name: sklearn\n      autoSelect: true\n  containers:\n"
    f"    - name: kserve-container\n      image: example.com/sk:{k}\n---\n" for k in range(1000))
isvcs = "".join(
    f"apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: sk-{k}\nspec:\n"
    f"  predictor:\n    model:\n      modelFormat:\n        name: sklearn\n      storageUri: gs://m/sk\n---\n"
    for k in range(1000))
write("1000-runtimes-1000-isvcs", runtimes + isvcs)
PY
printf '| input | size | isvc check exit | wall | peak RSS |\n|---|---:|---:|---:|---:|\n'
for f in "$out"/*.yaml; do
  best_t=""; best_m=""; code=0
  for _ in $(seq "$runs"); do
    code=0
    /usr/bin/time -f "%e %M" -o "$out/time.txt" "$bin" check "$f" >/dev/null 2>&1 || code=$?
    read -r t m < <(tail -1 "$out/time.txt")
    if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; best_m=$m; fi
  done
  printf '| %s | %s | %d | %.2f s | %d MB |\n' "$(basename "$f" .yaml)" "$(du -h "$f" | cut -f1)" "$code" "$best_t" "$((best_m / 1024))"
done
