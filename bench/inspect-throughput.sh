#!/usr/bin/env bash
# Throughput of `landscape-probe inspect --json` against numpy on 1 GiB checkpoints (F32, BF16, and a torch.save
# zip when this build can read one). Not a test: run by hand; figures go to BENCH-inspect.md.
#
#   bench/inspect-throughput.sh [DATA_DIR]      (default bench-data/, gitignored; needs ~3 GiB free)
#   REPS=7 to change the repetitions
#
# Every run reads the file once first (warm page cache); the JVM runs with -Xmx64m. Wall and CPU time are both
# reported: on a machine whose cores are shared with other jobs, CPU time is the steadier of the two.
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

best() { sort -g | head -1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
gbps() { awk -v b="$1" -v s="$2" 'BEGIN {printf "%.2f", b/s/1e9}'; }
ratio() { awk -v j="$1" -v n="$2" 'BEGIN {printf "%.2fx", n/j}'; }
# timed CMD...: appends "wall cpu" (seconds; cpu = user + sys of the process and its children) to $TIMES
timed() {
  local t
  t=$( { /usr/bin/time -f '%e %U %S' "$@" >"$OUT"; } 2>&1 | tail -1)
  awk '{printf "%s %.2f\n", $1, $2 + $3}' <<<"$t" >>"$TIMES"
}

echo "== machine: $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | xargs); $(java -version 2>&1 | head -1); python $(python3 -c 'import sys, numpy; print(sys.version.split()[0], "numpy", numpy.__version__)')"
echo "== load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other jobs share these cores)"
echo "== OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset} (left as found)"

tiny=$DATA/tiny.safetensors
python3 -c 'import json,struct,sys; h=json.dumps({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}).encode(); open(sys.argv[1],"wb").write(struct.pack("<Q",len(h))+h+bytes(4))' "$tiny"

printf '\n%-10s %-40s %-40s %s\n' "" "java -Xmx64m -jar ... inspect F --json" "python3 bench/numpy_inspect.py F" "java vs numpy"
printf '%-10s %-40s %-40s %s\n' "" "wall s   cpu s  | GB/s wall  GB/s cpu" "wall s   cpu s  | GB/s wall  GB/s cpu" "(>1: java faster)"

run_file() { # name path
  local name=$1 path=$2 bytes jt nt jw jc nw nc
  bytes=$(stat -c %s "$path")
  cat "$path" >/dev/null
  jt=$(mktemp) nt=$(mktemp)
  for ((r = 0; r < REPS; r++)); do
    OUT=$DATA/$name.json TIMES=$jt timed java -Xmx64m -jar "$JAR" inspect "$path" --json
    OUT=$DATA/$name.numpy TIMES=$nt timed python3 bench/numpy_inspect.py "$path"
  done
  jw=$(cut -d' ' -f1 "$jt" | median) jc=$(cut -d' ' -f2 "$jt" | median)
  nw=$(cut -d' ' -f1 "$nt" | median) nc=$(cut -d' ' -f2 "$nt" | median)
  if [[ $name == start-up ]]; then
    printf '%-10s %6.2f  %6.2f  |                      %6.2f  %6.2f  |\n' "$name" "$jw" "$jc" "$nw" "$nc"
  else
    printf '%-10s %6.2f  %6.2f  |  %6s    %6s     %6.2f  %6.2f  |  %6s    %6s     wall %s  cpu %s\n' "$name" \
      "$jw" "$jc" "$(gbps "$bytes" "$jw")" "$(gbps "$bytes" "$jc")" \
      "$nw" "$nc" "$(gbps "$bytes" "$nw")" "$(gbps "$bytes" "$nc")" "$(ratio "$jw" "$nw")" "$(ratio "$jc" "$nc")"
  fi
  rm -f "$jt" "$nt"
}

declare -A EXPECT
run_file start-up "$tiny"
for line in "${FILES[@]}"; do
  read -r name path expected <<<"$line"
  if [[ $path == skipped* ]]; then
    echo "$name: ${line#"$name "}"
    continue
  fi
  EXPECT[$name]=$expected
  run_file "$name" "$path"
done

echo
echo "in-process work (no start-up; best of $REPS passes; Java: one JVM, InspectThroughput = open + InspectReport.of)"
printf '%-10s %-30s %-30s %s\n' "" "java wall / cpu s (GB/s)" "numpy wall / cpu s (GB/s)" "java vs numpy"
for line in "${FILES[@]}"; do
  read -r name path expected <<<"$line"
  [[ $path == skipped* ]] && continue
  bytes=$(stat -c %s "$path")
  read -r jw jc _first jl2 jnf < <(java -Xmx64m -cp "$JAR:$CLASSES" dev.landscape.probe.bench.InspectThroughput "$path" "$REPS")
  nws=() ncs=()
  for ((r = 0; r < REPS; r++)); do
    read -r w c nl2 nnf _max < <(python3 bench/numpy_inspect.py "$path")
    nws+=("$w") ncs+=("$c")
  done
  nw=$(printf '%s\n' "${nws[@]}" | best) nc=$(printf '%s\n' "${ncs[@]}" | best)
  printf '%-10s %5.3f / %5.3f (%5s / %5s)   %5.3f / %5.3f (%5s / %5s)   wall %s  cpu %s\n' "$name" \
    "$jw" "$jc" "$(gbps "$bytes" "$jw")" "$(gbps "$bytes" "$jc")" "$nw" "$nc" "$(gbps "$bytes" "$nw")" "$(gbps "$bytes" "$nc")" \
    "$(ratio "$jw" "$nw")" "$(ratio "$jc" "$nc")"
  read -r cl2 cnf < <(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["totals"]; print(t["l2"], t["nonFinite"])' "$DATA/$name.json")
  echo "           check: nonFinite cli=$cnf in-process=$jnf numpy=$nnf expected=$expected; l2 cli=$cl2 numpy=$nl2"
  if [[ $cnf != "$expected" || $jnf != "$expected" || $nnf != "$expected" ]]; then
    echo "MISMATCH in non-finite counts" >&2
    exit 1
  fi
done
echo "== load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
cat <<'NOTE'
GB/s = file bytes / seconds. Process rows: medians of REPS runs of the whole command (JVM or Python start-up
included; "start-up" is the same command on a 4-byte file). Both sides are single-threaded.
numpy: np.memmap of the data section in 2**16-element chunks: np.isfinite count, np.linalg.norm of the finite
elements, np.abs(...).max(). BF16: numpy has no bfloat16 dtype; viewed as uint16, widened to uint32, shifted left
16 and viewed as float32.
NOTE
