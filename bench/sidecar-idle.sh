#!/bin/bash
# Idle resident memory and start-up of the sidecar in watch mode, tier 1 only.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/probe-sidecar/target/landscape-probe.jar"
[ -f "$jar" ] || (cd "$root" && ./mvnw -B -q -pl probe-sidecar -am package -DskipTests)
work=$(mktemp -d)
mkdir -p "$work/ckpt" "$work/state"
echo token > "$work/token"
echo '{}' > "$work/empty.json"
start=$(date +%s%N)
LANDSCAPE_CONFIG_FILE="$work/empty.json" java -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$jar" watch \
  --dir "$work/ckpt" --report-url http://127.0.0.1:9/r --token-file "$work/token" --probe p --namespace ns --pod pod-0 --rank 0 \
  --spool "$work/state/spool" --metrics-port 19464 --health-port 18090 > "$work/log" 2>&1 &
pid=$!
until curl -sf http://127.0.0.1:18090/readyz >/dev/null 2>&1; do sleep 0.05; done
ready=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 20
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
curl -s http://127.0.0.1:19464/metrics | grep -c '^landscape_' > "$work/metric-lines"
kill -TERM $pid; rc=0; wait $pid || rc=$?
echo "ready_ms=$ready idle_rss_kib=$rss exit_on_sigterm=$rc metric_lines=$(cat "$work/metric-lines")"
