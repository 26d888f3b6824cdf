#!/usr/bin/env bash
# Delivery soak: N reports from 4 ranks' spools (the sidecar's own delivery code, production backoff) to the real
# operator (operator/target/quarkus-app, own JVM, demo's embedded API server with TokenReviews) through a recording
# proxy, across 5 operator restarts and 3 receiver outages; checks 0 lost, 0 duplicated, step order per rank.
# See demo/src/test/java/dev/landscape/demo/scenario/DeliverySoak.java.
# Usage, from anywhere:  flock /tmp/landscape-bench.lock bench/delivery-soak.sh [reports=10000] [ranks=4] [rate/s=40] [outage s=15]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl demo -am package -DskipTests >/dev/null
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx512m -XX:+UseSerialGC -Dlandscape.root="$PWD" \
  -cp "demo/target/test-classes:demo/target/classes:demo/target/lib/*" \
  dev.landscape.demo.scenario.DeliverySoak "${1:-10000}" "${2:-4}" "${3:-40}" "${4:-15}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
