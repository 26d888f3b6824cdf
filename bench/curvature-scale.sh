#!/usr/bin/env bash
# Curvature at scale (not a test): time per gradient, per HVP and per lambda_max, and memory, at growing parameter
# counts, each case in its own JVM under the given heap. Reproduces the scale tables in bench/results/curvature.md.
#   ./bench/curvature-scale.sh [heap=2g|formula] [sizes="1000000 10000000"] [globs=all] [tol=1e-2] [kind=gpt|mlp]
# heap "formula": each case runs under the -Xmx the webhook would write for it (Tier2Memory), and its resident
# peak is to be read against the memory limit printed next to it.
# Model files are generated once into $BENCH_DIR (default /tmp/landscape-scale; GEN_HEAP, default 6g, for that step).
set -euo pipefail
cd "$(dirname "$0")/.."
heap=${1:-2g}
sizes=${2:-"1000000 10000000"}
globs=${3:-all}
tol=${4:-1e-2}
kind=${5:-gpt}
work=${BENCH_DIR:-/tmp/landscape-scale}
./mvnw -B -q -pl probe-sidecar -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
# run from a copy of the classes, so that a build in this tree cannot pull them from under a long run
classes=$(mktemp -d)
trap 'rm -rf "$classes"' EXIT
cp -r probe-sidecar/target/classes "$classes/main"
cp -r probe-sidecar/target/test-classes "$classes/test"
CP="$classes/test:$classes/main:$(cat probe-sidecar/target/bench.classpath)"
run() {  # run HEAP ARGS...  (JVM_EXTRA: more JVM options)
  local heap=$1
  shift
  java -Xmx"$heap" ${JVM_EXTRA:-} -XX:+UseSerialGC -Dorg.bytedeco.javacpp.cachedir=probe-sidecar/target/javacpp-cache -cp "$CP" \
    dev.landscape.probe.curvature.bench.CurvatureScaleBench "$@"
}
for size in $sizes; do
  [ -f "$work/$kind-$size/checkpoint.safetensors" ] || run "${GEN_HEAP:-6g}" generate "$work/$kind-$size" "$kind" "$size"
done
echo "java $(java -version 2>&1 | head -1 | cut -d'"' -f2), OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}, -Xmx$heap, parameters: $globs, tol $tol; $(uptime | sed 's/.*load/load/')"
echo
echo "| model | parameters | analysed | build (s) | gradient (s) | HVP (s) | lambda_max | residual / lambda | HVPs | converged | lambda_max (s) | basis | -Xmx (MiB) | heap live after build / peak (MiB) | resident after build / peak (MiB) | formula -Xmx / limit (MiB) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for size in $sizes; do
  h=$heap
  extra=""
  if [ "$heap" = formula ]; then
    read -r fh _ young < <(run 256m plan "$work/$kind-$size" "$globs" | tail -1)
    h="${fh}m"
    [ "$young" -gt 0 ] && extra="-Xmn${young}m"
  fi
  reps=3
  [ "$size" -ge 100000000 ] && reps=1
  JVM_EXTRA="$extra" run "$h" measure "$work/$kind-$size" "$globs" "$tol" "$reps"
done
echo
echo "after: $(uptime | sed 's/.*load/load/')"
