#!/usr/bin/env bash
# Tier-1 signal quality on generated ground truth (not a test): every case of Tier1Cases over seeds 1..N, written as
# HF Trainer checkpoints, analysed by the `analyze` path and scored (bench/results/tier1-signals.md).
#   bench/tier1-signals.sh [seeds=10] [--write]   --write regenerates the tables in tier1-signals.md and README.md
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${1:-10}
WRITE=()
if [ "${2:-}" = "--write" ]; then WRITE=(--write "$PWD"); fi
./mvnw -B -q -pl probe-sidecar -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
  -Dmdep.includeScope=test >/dev/null
CP="probe-sidecar/target/test-classes:probe-sidecar/target/classes:$(cat probe-sidecar/target/bench.classpath)"
exec java -Xmx${BENCH_HEAP:-512m} -XX:+UseSerialGC -cp "$CP" dev.landscape.probe.groundtruth.Tier1SignalsBench "$SEEDS" "${WRITE[@]}"
