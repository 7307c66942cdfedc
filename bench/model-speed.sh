#!/usr/bin/env bash
# The native runtimes' predict and pickle-read timings, in a release build: the speed tests of
# Tests/ISVCModelsTests print their measurements (XGBoost, LightGBM and scikit-learn trees predict on
# small and large batches, PickleReader on the largest fixture and an 8 MB array) and assert nothing
# about time; this runs them where the numbers mean something and prints only the measurements.
# Usage: bash bench/model-speed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift test -c release --filter 'XGBoostSpeedTests|PickleTimingTests|SKLearnTreesFixtureTests/wineForestSpeed|LightGBMFixtureTests/speed' 2>&1 \
  | grep -E '^(XGBoost speed|LightGBM|PickleReader|SKLearnTrees):'
