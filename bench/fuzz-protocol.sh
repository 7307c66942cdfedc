#!/bin/bash
# A longer run of the protocol fuzz target (Tests/ISVCServeTests/ProtocolFuzzTests.swift): seeded
# mutations of valid V1, V2 JSON and binary-extension bodies fed to the in-process handler and its
# decoders. CI runs the default 1,500 bodies per test; this runs COUNT (default 200,000) per test
# for each seed in SEEDS, with the debug build `swift test` makes.
#   bash bench/fuzz-protocol.sh                  (writes bench/out/fuzz-protocol.md)
#   COUNT=1000000 SEEDS="1 2 3" bash bench/fuzz-protocol.sh
set -u
cd "$(dirname "$0")/.."
COUNT=${COUNT:-200000}
SEEDS=${SEEDS:-"368836633 19"}
mkdir -p bench/out
OUT=bench/out/fuzz-protocol.md
swift build --build-tests 2>&1 | tail -1
echo "| seed | bodies per test | result | seconds |" > "$OUT"
echo "|---:|---:|---|---:|" >> "$OUT"
status=0
for seed in $SEEDS; do
  start=$(date +%s)
  if ISVC_FUZZ_COUNT=$COUNT ISVC_FUZZ_SEED=$seed swift test --skip-build --filter ProtocolFuzzTests > bench/out/fuzz-protocol-$seed.log 2>&1; then
    result="passed"
  else
    result="FAILED (bench/out/fuzz-protocol-$seed.log)"; status=1
  fi
  echo "| $seed | $COUNT | $result | $(( $(date +%s) - start )) |" | tee -a "$OUT"
done
exit $status
