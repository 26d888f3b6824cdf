#!/usr/bin/env bash
# Coverage-guided fuzzing campaign of the checkpoint readers: Jazzer's standalone driver (libFuzzer inside) on the
# four targets of probe-sidecar/src/test/java/dev/landscape/probe/checkpoint/FuzzTargets.java, at least RUNS
# executions each, inputs up to 1 MiB, seeded from ../shared/fixtures (whole files, and the data.pkl of every torch
# zip for the pickle target), the committed corpus (CheckpointFuzzTestInputs/<target>/) and, for safetensors,
# src/test/resources/fuzz-corpus. The invariant (a value or a CheckpointException; no other exception, no Error, no
# hang) is in FuzzTargets; findings are written as crash-* files under probe-sidecar/target/fuzz-bench/<target>/.
# Prints one line of figures per target and writes them to bench/results/fuzz-runs.tsv.
#
# Usage, from anywhere:  flock /tmp/landscape-bench.lock bench/fuzz.sh [runs=1000000] [target ...]
#   targets: safetensorsHeader zipDirectory pickle torchFile (default: all four)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1000000}
shift || true
TARGETS=${*:-safetensorsHeader zipDirectory pickle torchFile}
FIXTURES=${LANDSCAPE_FIXTURES:-../shared/fixtures}
OUT=probe-sidecar/target/fuzz-bench
INPUTS=probe-sidecar/src/test/resources/dev/landscape/probe/checkpoint/CheckpointFuzzTestInputs
RESULTS=${RESULTS:-bench/results/fuzz-runs.tsv}

./mvnw -B -q -pl probe-sidecar -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/fuzz.classpath -Dmdep.includeScope=test >/dev/null
# A copy of the classes, so that a build in this worktree during the campaign cannot change what later targets run.
rm -rf "$OUT/classes" && mkdir -p "$OUT/classes"
cp -r probe-sidecar/target/classes "$OUT/classes/main" && cp -r probe-sidecar/target/test-classes "$OUT/classes/test"
cp -r report-contract/target/classes "$OUT/classes/contract"
CP="$OUT/classes/test:$OUT/classes/main:$OUT/classes/contract:$(cat probe-sidecar/target/fuzz.classpath)"

# Seeds from the real fixtures, per target (never copied into the repository: they live under target/).
rm -rf "$OUT/seeds"
mkdir -p "$OUT/seeds"/{safetensorsHeader,zipDirectory,pickle,torchFile}
if [ -d "$FIXTURES" ]; then
  python3 - "$FIXTURES" "$OUT/seeds" <<'PY'
import hashlib, os, sys, zipfile
fixtures, seeds = sys.argv[1], sys.argv[2]
def put(target, data):
    if len(data) <= 1 << 20:
        open(os.path.join(seeds, target, hashlib.sha1(data).hexdigest()), 'wb').write(data)
for root, _, files in os.walk(fixtures):
    for name in files:
        path = os.path.join(root, name)
        data = open(path, 'rb').read()
        if name.endswith('.safetensors'):
            put('safetensorsHeader', data)
        if data[:4] == b'PK\x03\x04':
            put('zipDirectory', data)
            put('torchFile', data)
            with zipfile.ZipFile(path) as z:
                for entry in z.namelist():
                    if entry.endswith('data.pkl'):
                        put('pickle', z.read(entry))
        elif name.endswith(('.pt', '.pth', '.bin', '.ckpt')):
            put('torchFile', data)   # legacy torch.save: five pickles in a row
            put('pickle', data)
PY
else
  echo "note: $FIXTURES is absent; seeding from the committed corpus only" >&2
fi
cp probe-sidecar/src/test/resources/fuzz-corpus/*.safetensors "$OUT/seeds/safetensorsHeader/"

declare -A CLASS=([safetensorsHeader]=SafetensorsHeaderTarget [zipDirectory]=ZipDirectoryTarget
                  [pickle]=PickleTarget [torchFile]=TorchFileTarget)
[ -f "$RESULTS" ] || printf 'date\tcommit\ttarget\texecutions\tseconds\texec_per_s\tcoverage\tfeatures\tcorpus\tfindings\tload\n' > "$RESULTS"
for t in $TARGETS; do
  dir="$OUT/$t"
  rm -rf "$dir"
  mkdir -p "$dir/corpus"
  load=$(cut -d' ' -f1 /proc/loadavg)
  # -Xmx256m: the targets read under the budget of a 64 MiB heap, so a reader that escapes its budget runs out
  # of memory here and is reported, rather than passing on a big heap.
  set +e
  java -Xmx256m -cp "$CP" com.code_intelligence.jazzer.Jazzer \
    --target_class="dev.landscape.probe.checkpoint.FuzzTargets\$${CLASS[$t]}" \
    --instrumentation_includes='dev.landscape.probe.**' --keep_going=50 --reproducer_path="$dir" \
    -runs="$RUNS" -max_len=1048576 -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$dir/" "$dir/corpus" "$OUT/seeds/$t" "$INPUTS/$t" > "$dir/log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | tail -1 | grep -o '[0-9]*$' || echo 0)
  secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$dir/log" | tail -1 | awk '{print $5}')
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$dir/log" | tail -1 | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$dir/log" | tail -1)
  findings=$(find "$dir" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'timeout-*' -o -maxdepth 1 -name 'oom-*' | wc -l)
  printf '%s %-18s %10s executions in %5s s (%s/s), %s, findings %s (exit %s, load %s)\n' \
    "$(date -u +%FT%TZ)" "$t" "$runs" "${secs:-?}" "$rate" "$cov" "$findings" "$rc" "$load"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$(git rev-parse --short HEAD)" "$t" "$runs" \
    "${secs:-}" "$rate" "$(echo "$cov" | awk '{print $2}')" "$(echo "$cov" | awk '{print $4}')" \
    "$(echo "$cov" | awk '{print $6}')" "$findings" "$load" >> "$RESULTS"
  if [ "$findings" -gt 0 ]; then
    grep -A3 '== Java Exception' "$dir/log" | head -40
  fi
done

# The table of bench/results/fuzz.md, regenerated from every run recorded in the TSV (not for a RESULTS elsewhere).
[ "$RESULTS" = bench/results/fuzz-runs.tsv ] || exit 0
python3 - "$RESULTS" bench/results/fuzz.md <<'PY'
import sys
tsv, md = sys.argv[1], sys.argv[2]
rows = [l.rstrip('\n').split('\t') for l in open(tsv)][1:]
table = ['| date | commit | target | executions | seconds | exec/s | coverage (edges) | features | corpus | findings | load |',
         '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|']
table += ['| ' + ' | '.join(r) + ' |' for r in rows]
try:
    text = open(md).read()
except FileNotFoundError:
    sys.exit(0)
start, end = '<!-- runs: generated by bench/fuzz.sh -->', '<!-- /runs -->'
if start in text and end in text:
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    open(md, 'w').write(head + start + '\n' + '\n'.join(table) + '\n' + end + tail)
PY
