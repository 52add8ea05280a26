#!/usr/bin/env bash
# JMH smoke run for the test command: short settings, -prof gc, then an allocation gate
# (gc.alloc.rate.norm against alloc-limits.txt). Nanoseconds are never asserted.
#
# usage: benchmarks/smoke.sh [benchmark-regex]
#   No regex: runs every benchmark in the jar and requires every benchmark in alloc-limits.txt.
#   With a regex: runs the matching benchmarks; limits whose name the regex does not find are skipped.
# Needs benchmarks/target/benchmarks.jar: mvn -B -q -o verify -pl core,benchmarks -am
set -euo pipefail

cd "$(dirname "$0")"
JAR=target/benchmarks.jar
LIMITS=alloc-limits.txt
OUT=target/jmh-smoke.json

if [[ ! -f "$JAR" ]]; then
  echo "smoke.sh: $JAR not found; build it first: mvn -B -q -o verify -pl core,benchmarks -am" >&2
  exit 2
fi

REGEX="${1:-}"
rm -f "$OUT"
# shellcheck disable=SC2086 # an empty regex must vanish, not become an empty argument
java -Djmh.ignoreLock=true -jar "$JAR" ${REGEX:+"$REGEX"} \
  -f 1 -wi 2 -w 1s -i 3 -r 1s \
  -jvmArgsAppend -Dio.netty.leakDetection.level=disabled \
  -prof gc -rf json -rff "$OUT"

if [[ ! -s "$OUT" ]]; then
  echo "smoke.sh: JMH wrote no results to benchmarks/$OUT" >&2
  exit 1
fi
java -cp "$JAR" io.nundb.exporter.bench.AllocationLimits "$LIMITS" "$OUT" ${REGEX:+"$REGEX"}
