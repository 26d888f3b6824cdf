#!/usr/bin/env bash
# Throughput of `landscape-probe inspect --json` against numpy on 1 GiB checkpoints (F32, BF16, and a torch.save
# zip when this build can read one). Not a test: run by hand; figures go to bench/results/inspect.md.
#
#   bench/inspect-throughput.sh [DATA_DIR]      (default bench-data/, gitignored; needs ~3 GiB free)
#   REPS=7 to change the repetitions
#
# Every run reads the file once first (warm page cache); the JVM runs with -Xmx64m. Two Java commands are timed,
# alternating with numpy in the same loop: `java -jar` as is, and the `landscape` launcher (the same jar with its
# class-data-sharing archive). Wall and CPU time are both reported: on a machine whose cores are shared with other
# jobs, CPU time is the steadier of the two.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-bench-data}
REPS=${REPS:-5}
JAR=probe-sidecar/target/landscape-probe.jar
CLASSES=probe-sidecar/target/bench-classes

KIT=probe-sidecar/target/landscape-probe-sidecar-0.1.0-SNAPSHOT-tests.jar  # the test kit: checkpoint writers
if [[ ! -f $JAR || ! -f $KIT ]]; then
  ./mvnw -B -q -pl probe-sidecar -am package -DskipTests
fi
# the launcher builds what is stale and makes its class-data-sharing archive now, not inside a timed run
./landscape --version >/dev/null
mkdir -p "$CLASSES"
javac -d "$CLASSES" -cp "$JAR:$KIT" probe-sidecar/src/bench/java/dev/landscape/probe/bench/*.java

echo "== generating data in $DATA (kept between runs)"
mapfile -t FILES < <(java -Xmx512m -cp "$JAR:$KIT:$CLASSES" dev.landscape.probe.bench.BenchData "$DATA")

best() { sort -g | head -1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
gbps() { awk -v b="$1" -v s="$2" 'BEGIN {printf "%.2f", b/s/1e9}'; }
ratio() { awk -v j="$1" -v n="$2" 'BEGIN {printf "%.2fx", n/j}'; }
# timed CMD...: appends "wall cpu rss" (seconds; cpu = user + sys of the process and its children; largest resident
# set in MB) to $TIMES
timed() {
  local t
  t=$( { /usr/bin/time -f '%e %U %S %M' "$@" >"$OUT"; } 2>&1 | tail -1)
  awk '{printf "%s %.2f %.0f\n", $1, $2 + $3, $4 / 1024}' <<<"$t" >>"$TIMES"
}

echo "== machine: $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | xargs); $(java -version 2>&1 | head -1); python $(python3 -c 'import sys, numpy; print(sys.version.split()[0], "numpy", numpy.__version__)')"
echo "== load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other jobs share these cores)"
echo "== OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset} (left as found)"

tiny=$DATA/tiny.safetensors
python3 -c 'import json,struct,sys; h=json.dumps({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}).encode(); open(sys.argv[1],"wb").write(struct.pack("<Q",len(h))+h+bytes(4))' "$tiny"

printf '\n%-20s %-40s %-40s %s\n' "" "java -Xmx64m: -jar or landscape, inspect F" "python3 bench/numpy_inspect.py F" "java vs numpy"
printf '%-20s %-40s %-40s %s\n' "" "wall s   cpu s  | GB/s wall  GB/s cpu" "wall s   cpu s  | GB/s wall  GB/s cpu" "(>1: java faster)"

row() { # name java-label java-times numpy-times bytes
  local name=$1 label=$2 jt=$3 nt=$4 bytes=$5 jw jc nw nc rss
  jw=$(cut -d' ' -f1 "$jt" | median) jc=$(cut -d' ' -f2 "$jt" | median) rss=$(cut -d' ' -f3 "$jt" | sort -g | tail -1)
  nw=$(cut -d' ' -f1 "$nt" | median) nc=$(cut -d' ' -f2 "$nt" | median)
  if [[ $name == start-up ]]; then
    printf '%-9s %-10s %6.2f  %6.2f  |                      %6.2f  %6.2f  |\n' "$name" "$label" "$jw" "$jc" "$nw" "$nc"
  else
    printf '%-9s %-10s %6.2f  %6.2f  |  %6s    %6s     %6.2f  %6.2f  |  %6s    %6s     wall %s  cpu %s   (java max RSS %s MB)\n' \
      "$name" "$label" "$jw" "$jc" "$(gbps "$bytes" "$jw")" "$(gbps "$bytes" "$jc")" \
      "$nw" "$nc" "$(gbps "$bytes" "$nw")" "$(gbps "$bytes" "$nc")" "$(ratio "$jw" "$nw")" "$(ratio "$jc" "$nc")" "$rss"
  fi
}

run_file() { # name path
  local name=$1 path=$2 bytes jt lt nt
  bytes=$(stat -c %s "$path")
  cat "$path" >/dev/null
  jt=$(mktemp) lt=$(mktemp) nt=$(mktemp)
  for ((r = 0; r < REPS; r++)); do
    OUT=$DATA/$name.json TIMES=$jt timed java -Xmx64m -jar "$JAR" inspect "$path" --json
    OUT=$DATA/$name.landscape.json TIMES=$lt timed env LANDSCAPE_JAVA_OPTS=-Xmx64m ./landscape inspect "$path" --json
    OUT=$DATA/$name.numpy TIMES=$nt timed python3 bench/numpy_inspect.py "$path"
  done
  row "$name" "java -jar" "$jt" "$nt" "$bytes"
  row "$name" "landscape" "$lt" "$nt" "$bytes"
  if ! cmp -s "$DATA/$name.json" "$DATA/$name.landscape.json"; then
    echo "MISMATCH: java -jar and landscape printed different JSON for $path" >&2
    exit 1
  fi
  rm -f "$jt" "$lt" "$nt"
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
echo "in-process work (no start-up; best of $REPS passes; Java: one JVM, InspectThroughput = open + InspectReport.of;"
echo "'all cores' splits large tensors over $(nproc) threads, '1 thread' is -XX:ActiveProcessorCount=1; CPU = whole process)"
printf '%-20s %-30s %-30s %s\n' "" "java wall / cpu s (GB/s)" "numpy wall / cpu s (GB/s)" "java vs numpy"
for line in "${FILES[@]}"; do
  read -r name path expected <<<"$line"
  [[ $path == skipped* ]] && continue
  bytes=$(stat -c %s "$path")
  read -r jw jc _first jl2 jnf < <(java -Xmx64m -cp "$JAR:$CLASSES" dev.landscape.probe.bench.InspectThroughput "$path" "$REPS")
  read -r sw sc _first sl2 snf < <(java -Xmx64m -XX:ActiveProcessorCount=1 -cp "$JAR:$CLASSES" dev.landscape.probe.bench.InspectThroughput "$path" "$REPS")
  nws=() ncs=()
  for ((r = 0; r < REPS; r++)); do
    read -r w c nl2 nnf _max < <(python3 bench/numpy_inspect.py "$path")
    nws+=("$w") ncs+=("$c")
  done
  nw=$(printf '%s\n' "${nws[@]}" | best) nc=$(printf '%s\n' "${ncs[@]}" | best)
  for variant in "all cores:$jw:$jc" "1 thread:$sw:$sc"; do
    IFS=: read -r label w c <<<"$variant"
    printf '%-9s %-10s %5.3f / %5.3f (%5s / %5s)   %5.3f / %5.3f (%5s / %5s)   wall %s  cpu %s\n' "$name" "$label" \
      "$w" "$c" "$(gbps "$bytes" "$w")" "$(gbps "$bytes" "$c")" "$nw" "$nc" "$(gbps "$bytes" "$nw")" "$(gbps "$bytes" "$nc")" \
      "$(ratio "$w" "$nw")" "$(ratio "$c" "$nc")"
  done
  if [[ $jl2 != "$sl2" ]]; then
    echo "MISMATCH: l2 on all cores $jl2, on one thread $sl2" >&2
    exit 1
  fi
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
included; "start-up" is the same command on a 4-byte file). "java -jar": java -Xmx64m -jar JAR inspect F --json;
"landscape": LANDSCAPE_JAVA_OPTS=-Xmx64m ./landscape inspect F --json (the launcher: staleness check, then the same
jar with its class-data-sharing archive). Java splits tensors of 2 Mi elements or more over every core, with the
same bits as one thread; numpy uses one.
numpy: np.memmap of the data section in 2**16-element chunks: np.isfinite count, np.linalg.norm of the finite
elements, np.abs(...).max(). BF16: numpy has no bfloat16 dtype; viewed as uint16, widened to uint32, shifted left
16 and viewed as float32.
NOTE
