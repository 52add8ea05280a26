#!/usr/bin/env bash
# The exporter's resident memory under given JVM flags (the image's ENTRYPOINT flags) against the
# simulated cluster run as its own process, scraped once a second, on loopback only, bounded in time.
# Prints VmRSS every 10 s and, at the end, VmRSS, VmHWM (peak RSS) and the JVM's own heap and direct
# figures from /metrics, and the CPU time the exporter used (user + system).
#
# usage: benchmarks/image-rss.sh [--nodes N] [--seconds S] [--port P] [--control-port P] -- JVM_FLAG...
#   --nodes         simulated nodes (default 100)
#   --seconds       how long the exporter runs and is scraped (default 180)
#   --port          the exporter's listen port on 127.0.0.1 (default: a free one)
#   --control-port  the simulator's control port (default 0: any free one)
# Outside a container the JVM sizes its heap from the host's memory: pass -XX:MaxRAM=<limit> to size it
# as it would be under a container memory limit of that size.
# Needs server/target/nundb-exporter.jar (or EXPORTER_JAR=path) and simulator/target/nundb-simulator.jar
# (mvn -B -q -DskipTests package).
set -euo pipefail
cd "$(dirname "$0")/.."

NODES=100
RUN_SECONDS=180
PORT=""
CONTROL_PORT=0
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) NODES="$2"; shift 2 ;;
    --seconds) RUN_SECONDS="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --control-port) CONTROL_PORT="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "image-rss.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
JVM_FLAGS=("$@")
JAR=${EXPORTER_JAR:-server/target/nundb-exporter.jar}
SIM_JAR=${SIMULATOR_JAR:-simulator/target/nundb-simulator.jar}
[ -f "$JAR" ] || { echo "image-rss.sh: build $JAR first" >&2; exit 2; }
[ -f "$SIM_JAR" ] || { echo "image-rss.sh: build $SIM_JAR first" >&2; exit 2; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -n "$PORT" ] || PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
status_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

export NUN_PWD="rss-$RANDOM$RANDOM"
java -Xmx1g -jar "$SIM_JAR" --nodes "$NODES" --control-port "$CONTROL_PORT" > "$WORK/sim.out" 2> "$WORK/sim.err" &
PIDS+=("$!")
for _ in $(seq 1 600); do grep -q '^ready' "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready' "$WORK/sim.out" || { echo "simulator did not start" >&2; cat "$WORK/sim.err" >&2; exit 1; }
mapfile -t EXPORTER_ARGS < <(grep '^--nundb' "$WORK/sim.out")

echo "== exporter RSS: $NODES simulated nodes, $RUN_SECONDS s, scraped every 1 s, $(nproc) cores, $(date -u +%FT%TZ)"
echo "== java ${JVM_FLAGS[*]} -jar $JAR (jar $(stat -c %s "$JAR") bytes)"
java "${JVM_FLAGS[@]}" -jar "$JAR" "${EXPORTER_ARGS[@]}" --nundb.user=nun \
  --web.listen-address="127.0.0.1:$PORT" --log.level=warn > "$WORK/exp.out" 2>&1 &
EXP=$!; PIDS+=("$EXP")

END=$(( $(date +%s) + RUN_SECONDS ))
i=0
while [ "$(date +%s)" -lt "$END" ]; do
  kill -0 "$EXP" 2>/dev/null || { echo "exporter exited:" >&2; cat "$WORK/exp.out" >&2; exit 1; }
  curl -s --compressed -o /dev/null "http://127.0.0.1:$PORT/metrics" || true
  if [ $((i % 10)) -eq 0 ]; then
    echo "t=${i}s VmRSS $(( $(status_kib "$EXP" VmRSS) / 1024 )) MiB"
  fi
  i=$((i + 1))
  sleep 1
done

curl -s "http://127.0.0.1:$PORT/metrics" > "$WORK/scrape.txt"
up=$(awk '/^nundb_cluster_members_up /{print int($2)}' "$WORK/scrape.txt")
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$EXP/stat")
python3 - "$WORK/scrape.txt" "$(status_kib "$EXP" VmRSS)" "$(status_kib "$EXP" VmHWM)" "${up:-0}" "$cpu" <<'PY'
import sys
path, rss_kib, hwm_kib, up, cpu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
heap_used = heap_committed = direct = 0.0
for line in open(path):
    if line.startswith('jvm_memory_used_bytes{area="heap"}'):
        heap_used = float(line.rsplit(" ", 1)[1])
    if line.startswith('jvm_memory_committed_bytes{area="heap"}'):
        heap_committed = float(line.rsplit(" ", 1)[1])
    if line.startswith("nundb_exporter_netty_direct_memory_bytes "):
        direct = float(line.rsplit(" ", 1)[1])
mib = 1024 * 1024
print(f"result: nodes up {up}, VmRSS {rss_kib/1024:.1f} MiB, VmHWM {hwm_kib/1024:.1f} MiB, heap used "
      f"{heap_used/mib:.1f} MiB of {heap_committed/mib:.1f} MiB committed, Netty direct {direct/mib:.1f} MiB, "
      f"CPU {cpu} s")
PY
