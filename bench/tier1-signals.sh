#!/usr/bin/env bash
# Tier-1 signal quality on generated ground truth (not a test): every case of Tier1Cases over seeds 1..N, written as
# HF Trainer checkpoints, analysed by the `analyze` path and scored (bench/results/tier1-signals.md).
#   bench/tier1-signals.sh [seeds=10 | FIRST-LAST] [--write] [--only REGEX] [--threshold KEY=VALUE]... [--traces FILE]
#   --write regenerates the tables in bench/results/tier1-signals.md and README.md; --only runs matching cases only;
#   --threshold overrides a detector threshold (spec.thresholds names) for a look; --traces writes each checkpoint's
#   exact and estimated stability ratio as CSV (bench/tier1_replay.py replays edge-of-stability rules on it)
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${1:-10}
shift || true
./mvnw -B -q -pl probe-sidecar -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
  -Dmdep.includeScope=test >/dev/null
CP="probe-sidecar/target/test-classes:probe-sidecar/target/classes:report-contract/target/classes:$(cat probe-sidecar/target/bench.classpath)"
exec java -Xmx${BENCH_HEAP:-512m} -XX:+UseSerialGC -cp "$CP" dev.landscape.probe.groundtruth.Tier1SignalsBench "$SEEDS" "$@"
