#!/usr/bin/env bash
# Throughput of `landscape-probe inspect --json` against numpy on 1 GiB checkpoints (F32, BF16, and a torch.save
# zip when this build can read one). Not a test: run by hand, figures go to BENCH-inspect.md.
#
#   bench/inspect-throughput.sh [DATA_DIR]      (default bench-data/, gitignored; needs ~3 GiB free)
#   REPS=5 to change the repetitions (the best and the median are printed)
#
# Every run reads the file once first (warm page cache) and runs the JVM with -Xmx64m.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-bench-data}
REPS=${REPS:-5}
JAR=probe-sidecar/target/landscape-probe.jar
CLASSES=probe-sidecar/target/bench-classes

if [[ ! -f $JAR ]]; then
  ./mvnw -B -q -pl probe-sidecar package -DskipTests
fi
mkdir -p "$CLASSES"
javac -d "$CLASSES" -cp "$JAR" probe-sidecar/src/bench/java/dev/landscape/probe/bench/*.java

echo "== generating data in $DATA (kept between runs)"
mapfile -t FILES < <(java -Xmx512m -cp "$JAR:$CLASSES" dev.landscape.probe.bench.BenchData "$DATA")

now() { date +%s.%N; }
stats() { # best and median of the numbers on stdin
  sort -g | awk '{a[NR]=$1} END {printf "%.3f %.3f\n", a[1], (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}
gbps() { awk -v b="$1" -v s="$2" 'BEGIN {printf "%.2f", b/s/1e9}'; }

echo "== machine: $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | xargs); $(java -version 2>&1 | head -1); python $(python3 -c 'import sys, numpy; print(sys.version.split()[0], "numpy", numpy.__version__)')"
echo "== load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other engineers share these cores)"
echo "== OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset} (left as found)"
printf '%-9s %6s | %-32s | %-32s | %s\n' file GiB "java -Xmx64m -jar inspect --json" "python3 numpy_inspect.py" "java/numpy"
printf '%-9s %6s | %-32s | %-32s | %s\n' "" "" "process s (best/med)  GB/s  work" "process s (best/med)  GB/s  work" "process  work"

tiny=$DATA/tiny.safetensors
python3 -c 'import json,struct,sys; h=json.dumps({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}).encode(); open(sys.argv[1],"wb").write(struct.pack("<Q",len(h))+h+bytes(4))' "$tiny"
js=() ps=()
for ((r = 0; r < REPS; r++)); do
  t0=$(now); java -Xmx64m -jar "$JAR" inspect "$tiny" --json >/dev/null; t1=$(now)
  js+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b-a}')")
  t0=$(now); python3 bench/numpy_inspect.py "$tiny" >/dev/null; t1=$(now)
  ps+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b-a}')")
done
read -r jb jm < <(printf '%s\n' "${js[@]}" | stats)
read -r pb pm < <(printf '%s\n' "${ps[@]}" | stats)
printf '%-9s %6s | %6s/%-6s %13s | %6s/%-6s %13s |\n' "start-up" "4 B" "$jb" "$jm" "" "$pb" "$pm" ""

for line in "${FILES[@]}"; do
  read -r name path expected_nonfinite <<<"$line"
  if [[ $path == skipped* ]]; then
    echo "$name: ${line#"$name "}"
    continue
  fi
  bytes=$(stat -c %s "$path")
  cat "$path" >/dev/null
  java_times=() np_times=() np_work_times=()
  for ((r = 0; r < REPS; r++)); do
    t0=$(now)
    java -Xmx64m -jar "$JAR" inspect "$path" --json >"$DATA/$name.json"
    t1=$(now)
    java_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b-a}')")
    t0=$(now)
    np_out=$(python3 bench/numpy_inspect.py "$path")
    t1=$(now)
    np_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b-a}')")
    np_work_times+=("${np_out%% *}")
  done
  read -r java_l2 java_nf < <(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["totals"]; print(t["l2"], t["nonFinite"])' "$DATA/$name.json")
  read -r _ np_l2 np_nf np_max <<<"$np_out"
  read -r np_work _ < <(printf '%s\n' "${np_work_times[@]}" | stats)
  read -r java_work _first _l2 _nf < <(java -Xmx64m -cp "$JAR:$CLASSES" dev.landscape.probe.bench.InspectThroughput "$path" "$REPS")
  read -r jb jm < <(printf '%s\n' "${java_times[@]}" | stats)
  read -r nb nm < <(printf '%s\n' "${np_times[@]}" | stats)
  printf '%-9s %6.2f | %6s/%-6s %6s %6s | %6s/%-6s %6s %6s | %5.2fx %5.2fx\n' "$name" "$(awk -v b="$bytes" 'BEGIN {print b/2^30}')" \
    "$jb" "$jm" "$(gbps "$bytes" "$jm")" "$(gbps "$bytes" "$java_work")" \
    "$nb" "$nm" "$(gbps "$bytes" "$nm")" "$(gbps "$bytes" "$np_work")" \
    "$(awk -v j="$jm" -v n="$nm" 'BEGIN {print n/j}')" "$(awk -v j="$java_work" -v n="$np_work" 'BEGIN {print n/j}')"
  echo "          check: nonFinite java=$java_nf numpy=$np_nf expected=$expected_nonfinite; l2 java=$java_l2 numpy=$np_l2"
  if [[ $java_nf != "$expected_nonfinite" || $np_nf != "$expected_nonfinite" ]]; then
    echo "MISMATCH in non-finite counts" >&2
    exit 1
  fi
done
cat <<'NOTE'
GB/s = file bytes / seconds. "process": whole command, wall clock, median of REPS (JVM or Python start-up included).
"work": in-process time without start-up, best of REPS: numpy_inspect.py's own timer; for Java, REPS passes in
one JVM (InspectThroughput: open + InspectReport.of). Ratios > 1 mean Java is faster. Both single-threaded.
BF16: numpy has no bfloat16 dtype; it is viewed as uint16, widened to uint32, shifted left 16, viewed as float32.
NOTE
