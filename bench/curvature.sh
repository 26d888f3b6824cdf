#!/usr/bin/env bash
# Tier-2 curvature benchmark (not a test). Reproduces the tables in bench/results/curvature.md.
#   ./bench/curvature.sh [maxParams=10000000] [seeds=5]
# Runs on the ND4J CPU backend; set OMP_NUM_THREADS to pin the thread count.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/sidecar-classpath.sh
. bench/sidecar-classpath.sh
java -Xmx${BENCH_HEAP:-6g} -Dorg.bytedeco.javacpp.cachedir=probe-sidecar/target/javacpp-cache -cp "$CP" \
  dev.landscape.probe.curvature.bench.CurvatureBenchmark "$@"
