#!/usr/bin/env bash
# Tier-1 throughput: Java streaming pass (-Xmx64m) vs a numpy baseline computing the same quantities, on a ~1 GiB
# checkpoint pair (two Adam checkpoints of 512 MiB: weights + exp_avg + exp_avg_sq, F32) under bench-data/.
# Usage, from the repository root:  bench/tier1-throughput.sh [layers=10] [repeats=3]
set -euo pipefail
cd "$(dirname "$0")/.."
LAYERS=${1:-10}
REPEATS=${2:-3}
DATA=bench-data/tier1-$LAYERS
if [ ! -f "$DATA/step_1001.safetensors" ]; then
  python3 bench/gen_tier1.py "$DATA" "$LAYERS"
fi
# -am builds report-contract too (a fresh clone has no installed copy); -q keeps Maven quiet but errors still show.
./mvnw -B -q -pl probe-sidecar -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
  -Dmdep.includeScope=runtime
CP="probe-sidecar/target/classes:probe-sidecar/target/test-classes:$(cat probe-sidecar/target/bench.classpath)"
ls -l "$DATA"
# Warm the page cache once so both readers see the same (cached) files.
cat "$DATA"/*.safetensors > /dev/null
echo "java  (-Xmx64m, best of $REPEATS):"
java -Xmx64m -cp "$CP" dev.landscape.probe.bench.Tier1Throughput "$DATA/step_1000.safetensors" "$DATA/step_1001.safetensors" "$REPEATS"
echo "numpy (one run):"
python3 -c "import numpy; print('numpy', numpy.__version__)"
python3 bench/tier1_numpy.py "$DATA/step_1000.safetensors" "$DATA/step_1001.safetensors"
