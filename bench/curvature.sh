#!/usr/bin/env bash
# Tier-2 curvature benchmark (not a test). Reproduces the tables in bench/results/curvature.md.
#   ./bench/curvature.sh [maxParams=10000000] [seeds=5]
# Runs on the ND4J CPU backend; set OMP_NUM_THREADS to pin the thread count.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl probe-sidecar -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
# run from a copy of the classes, so that a build in this tree cannot pull them from under a long run
classes=$(mktemp -d)
trap 'rm -rf "$classes"' EXIT
cp -r probe-sidecar/target/classes "$classes/main"
cp -r probe-sidecar/target/test-classes "$classes/test"
CP="$classes/test:$classes/main:$(cat probe-sidecar/target/bench.classpath)"
java -Xmx${BENCH_HEAP:-6g} -Dorg.bytedeco.javacpp.cachedir=probe-sidecar/target/javacpp-cache -cp "$CP" \
  dev.landscape.probe.curvature.bench.CurvatureBenchmark "$@"
