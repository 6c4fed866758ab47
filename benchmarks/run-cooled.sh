#!/bin/bash
# Runs every benchmark configuration in a JMH run of its own, each once the machine has
# cooled down (1-minute load average below 0.5), then prints the tables of all of them.
# On a 2-core machine one JMH run of the whole suite drives the load average to about 2
# by itself; this way every reading stays at most 1.5. Build the jar first:
#   mvn -B -q package -DskipTests -pl benchmarks -am
set -euo pipefail
jar=benchmarks/target/benchmarks.jar
out=benchmarks/target/cooled
mkdir -p "$out"
rm -f "$out"/*.json
cool() {
  for _ in $(seq 1 60); do
    awk '{ exit !($1 < 0.5) }' /proc/loadavg && return
    sleep 5
  done
}
n=0
run() {
  cool
  n=$((n + 1))
  java -jar "$jar" "$@" -prof io.dalva.benchmarks.ThreadUsageProfiler -prof io.dalva.benchmarks.CallLatencyProfiler \
    -prof io.dalva.benchmarks.LoadAverageProfiler -rf json -rff "$out/$(printf %02d $n).json" > "$out/$n.log" 2>&1
}
for series in 100 1000 10000; do
  for registry in dalva otlp influx dalva-window baseline; do
    run 'PublishBenchmark.publish' -p registry=$registry -p series=$series
  done
done
for operation in counterIncrement timerRecord; do
  for registry in dalva simple; do
    run "RecordingBenchmark.$operation" -p registry=$registry
  done
done
run 'RunLogBenchmark.log'
run 'RunLogBenchmark.deliver'
run 'QueueFootprintBenchmark'
java -cp "$jar" io.dalva.benchmarks.ResultsTable "$out"/*.json
