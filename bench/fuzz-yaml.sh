#!/usr/bin/env bash
# A longer run of the YAML fuzz target (Tests/ISVCCoreTests/YAMLFuzzTests.swift) than CI's: seeded
# mutations of every fixture and rollout step (byte flips, line duplication, splicing, huge numbers,
# hostile annotations and ConfigMaps, aliases and alias bombs, merge keys, deep nesting, long
# sequences, CRLF/BOM/`...`/%YAML), each through check and compile in process within 10 s and 200 MB.
# Usage: bash bench/fuzz-yaml.sh [COUNT] [SEED] [CONFIG]   (default 20000 inputs, seed 19, release;
# CONFIG debug reuses the debug build and is about ten times slower per input).
# A failure names its seed and input index and writes the input to $TMPDIR/isvc-fuzz-SEED-INDEX.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-20000}"
seed="${2:-19}"
config="${3:-release}"
start=$(date +%s)
ISVC_FUZZ_COUNT="$count" ISVC_FUZZ_SEED="$seed" swift test -c "$config" --filter "YAMLFuzzTests/fuzz"
echo "fuzz-yaml: $count inputs, seed $seed, $config, $(( $(date +%s) - start )) s including the build"
