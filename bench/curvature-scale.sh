#!/usr/bin/env bash
# Curvature at scale (not a test): time per gradient, per HVP and per lambda_max, and memory, at growing parameter
# counts, each case in its own JVM under the given heap. Reproduces the scale tables in bench/results/curvature.md.
#   ./bench/curvature-scale.sh [heap=2g|formula] [sizes="1000000 10000000"] [globs=all] [tol=1e-2] [kind=gpt|mlp]
# heap "formula": each case runs under the -Xmx the webhook would write for it (Tier2Memory), and its resident
# peak is to be read against the memory limit printed next to it.
# Model files are generated once into $BENCH_DIR (default /tmp/landscape-scale; GEN_HEAP, default 6g, for that step).
# The run's table replaces its own block in bench/results/curvature.md (one block per set of arguments, between
# generated markers; a new set of arguments gets a new block at the end of section 4).
set -euo pipefail
cd "$(dirname "$0")/.."
heap=${1:-2g}
sizes=${2:-"1000000 10000000"}
globs=${3:-all}
tol=${4:-1e-2}
kind=${5:-gpt}
work=${BENCH_DIR:-/tmp/landscape-scale}
results=bench/results/curvature.md
log=$(mktemp)
# shellcheck source=bench/sidecar-classpath.sh
. bench/sidecar-classpath.sh
trap 'rm -rf "$classes" "$log"' EXIT
cache=probe-sidecar/target/javacpp-cache
run() {  # run "JVM OPTIONS" ARGS...
  local options=$1
  shift
  # shellcheck disable=SC2086
  java $options -XX:+UseSerialGC -cp "$CP" dev.landscape.probe.curvature.bench.CurvatureScaleBench "$@"
}
# a tier-2 rank's environment for a 1-CPU limit (Tier2Memory.environment): one OpenMP thread, glibc's allocator
eval "$(run "-Xmx64m" env | grep '^export ')"
{
for size in $sizes; do
  [ -f "$work/$kind-$size/checkpoint.safetensors" ] || run "-Xmx${GEN_HEAP:-6g} -Dorg.bytedeco.javacpp.cachedir=$cache" generate "$work/$kind-$size" "$kind" "$size"
done
echo "java $(java -version 2>&1 | head -1 | cut -d'"' -f2), OMP_NUM_THREADS=$OMP_NUM_THREADS MALLOC_MMAP_THRESHOLD_=$MALLOC_MMAP_THRESHOLD_ MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX, heap $heap, parameters: $globs, tol $tol; $(uptime | sed 's/.*load/load/')"
echo
echo "| model | parameters | analysed | differentiated | build (s) | gradient (s) | HVP (s) | lambda_max | residual / lambda | HVPs | converged | lambda_max (s) | basis | -Xmx (MiB) | heap live after build / peak (MiB) | heap committed (MiB) | resident after build / peak (MiB) | peak less heap (MiB) | webhook limit (MiB) | formula -Xmx / limit (MiB) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for size in $sizes; do
  if [ "$heap" != formula ]; then
    # a tier-2 rank's JVM options (Tier2Memory) with this heap
    mib=${heap%[gGmM]}
    case "$heap" in *[gG]) mib=$((mib * 1024)) ;; esac
    options=$(run "-Xmx256m -Dorg.bytedeco.javacpp.cachedir=$cache" options "$mib" "$cache" | tail -1)
  else
    # the JAVA_TOOL_OPTIONS the webhook would write for this model (Tier2Memory)
    plan=$(run "-Xmx256m -Dorg.bytedeco.javacpp.cachedir=$cache" plan "$work/$kind-$size" "$globs" "$cache" | tail -1)
    options=${plan#* }
  fi
  [ -n "$options" ] || { echo "no JVM options for $kind-$size" >&2; exit 1; }
  reps=3
  [ "$size" -ge 100000000 ] && reps=1
  run "$options" measure "$work/$kind-$size" "$globs" "$tol" "$reps" || echo "| $kind-$size | failed (exit $?): see the run's output |"
done
echo
echo "after: $(uptime | sed 's/.*load/load/')"
} | tee "$log"
python3 - "$log" "$results" "./bench/curvature-scale.sh $heap \"$sizes\" \"$globs\" $tol $kind" <<'PY'
import sys
log, md, command = sys.argv[1:4]
run = ''.join(l for l in open(log) if l.startswith(('|', 'java ', 'after: ')) or l == '\n').strip('\n')
if sum(1 for l in run.split('\n') if l.startswith('|')) < 3:
    sys.exit('no result rows in this run; ' + md + ' left as it was')
text = open(md).read()
begin = '<!-- curvature-scale: ' + command + ' (generated; do not edit) -->'
end = '<!-- /curvature-scale: ' + command + ' -->'
block = begin + '\n`' + command + '`\n\n' + run + '\n' + end
if begin in text and end in text:
    head, rest = text.split(begin, 1)
    text = head + block + rest.split(end, 1)[1]
else:
    anchor = '<!-- curvature-scale runs end -->'
    if anchor not in text:
        sys.exit(md + ' has no ' + anchor + ' marker to add this run before')
    text = text.replace(anchor, block + '\n\n' + anchor)
open(md, 'w').write(text)
print('wrote', md)
PY
