#!/usr/bin/env bash
# Compile-time benchmark: isvc compile on 1, 100, 1,000 and 10,000 InferenceServices (each a
# transformer + predictor) in one YAML stream; wall time and peak memory (max RSS) per run.
# Beside it, in the same run, the reference: PyYAML's C loader only *reading* the same input
# (no validation, no expansion, no output), the floor for any Python tool handling it.
# Usage: bash bench/compile.sh [RUNS]   (best of RUNS, default 3). Writes bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install -y time)"; exit 2; }
swift build -c release --product isvc >/dev/null
bin=.build/release/isvc
mkdir -p bench/out
printf '| InferenceServices | input | output | isvc compile wall | isvc peak RSS | PyYAML CSafeLoader read wall | PyYAML peak RSS |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|\n'
for n in 1 100 1000 10000; do
  in="bench/out/isvcs-$n.yaml"
  python3 bench/gen-isvcs.py "$n" > "$in"
  best_t=""; best_m=""; py_t=""; py_m=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o bench/out/time.txt "$bin" compile "$in" > bench/out/compiled-$n.yaml
    read -r t m < bench/out/time.txt
    if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; best_m=$m; fi
    /usr/bin/time -f "%e %M" -o bench/out/time.txt python3 -c \
      'import sys, yaml; list(yaml.load_all(open(sys.argv[1]), Loader=yaml.CSafeLoader))' "$in"
    read -r t m < bench/out/time.txt
    if [ -z "$py_t" ] || awk "BEGIN{exit !($t < $py_t)}"; then py_t=$t; py_m=$m; fi
  done
  printf '| %d | %s | %s | %.2f s | %d MB | %.2f s | %d MB |\n' "$n" \
    "$(du -h "$in" | cut -f1)" "$(du -h bench/out/compiled-$n.yaml | cut -f1)" \
    "$best_t" "$((best_m / 1024))" "$py_t" "$((py_m / 1024))"
done
