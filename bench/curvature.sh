#!/usr/bin/env bash
# Tier-2 curvature benchmark (not a test). Reproduces the tables in bench/results/curvature.md.
#   ./bench/curvature.sh [maxParams=10000000] [seeds=5]
# Runs on the ND4J CPU backend; set OMP_NUM_THREADS to pin the thread count.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl probe-sidecar -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
CP="probe-sidecar/target/test-classes:probe-sidecar/target/classes:$(cat probe-sidecar/target/bench.classpath)"
exec java -Xmx${BENCH_HEAP:-6g} -Dorg.bytedeco.javacpp.cachedir=probe-sidecar/target/javacpp-cache -cp "$CP" \
  dev.landscape.probe.curvature.bench.CurvatureBenchmark "$@"
