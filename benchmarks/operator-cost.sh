#!/usr/bin/env bash
# What operators feel (issue 5): the exporter's cost to Nun-db, data age at scrape, memory per node and
# start-up time to ready, against the simulated cluster run as its own process (SimulatorMain), on
# loopback only, bounded in time.
#
# usage: benchmarks/operator-cost.sh [--nodes N] [--seconds S] [--baseline-seconds S]
#   --nodes    simulated nodes (default 3)
#   --seconds  length of the measured phase with the exporter attached (default 30); the memory
#              figures are read at its end. The documented 10-minute memory run: --seconds 600
#              --baseline-seconds 30 (not in CI).
#   --baseline-seconds  length of the phase without the exporter (default: --seconds)
# Needs server/target/nundb-exporter.jar and simulator/target/nundb-simulator.jar (mvn -B -q -DskipTests package).
set -euo pipefail
cd "$(dirname "$0")/.."

NODES=3
SECONDS_PER_PHASE=30
BASELINE_SECONDS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) NODES="$2"; shift 2 ;;
    --seconds) SECONDS_PER_PHASE="$2"; shift 2 ;;
    --baseline-seconds) BASELINE_SECONDS="$2"; shift 2 ;;
    *) echo "operator-cost.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
JAR=server/target/nundb-exporter.jar
SIM_JAR=simulator/target/nundb-simulator.jar
[ -f "$JAR" ] || { echo "operator-cost.sh: build $JAR first" >&2; exit 2; }
[ -f "$SIM_JAR" ] || { echo "operator-cost.sh: build $SIM_JAR first" >&2; exit 2; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

export NUN_PWD="bench-$RANDOM$RANDOM"
java -Xmx1g -jar "$SIM_JAR" --nodes "$NODES" --control-port 0 > "$WORK/sim.out" 2> "$WORK/sim.err" &
SIM=$!; PIDS+=("$SIM")
for _ in $(seq 1 300); do grep -q '^ready' "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready' "$WORK/sim.out" || { echo "simulator did not start" >&2; cat "$WORK/sim.err" >&2; exit 1; }
CONTROL=$(awk '/^control/{print $2}' "$WORK/sim.out")
mapfile -t EXPORTER_ARGS < <(grep '^--nundb' "$WORK/sim.out")

state_totals() { # prints "<commands> <connections>" summed over nodes
  curl -s "http://$CONTROL/state" | python3 -c '
import sys
c = n = 0
for line in sys.stdin:
    for f in line.split():
        if f.startswith("commands="): c += int(f[9:])
        if f.startswith("connections="): n += int(f[12:])
print(c, n)'
}

measure_sim() { # <label> <seconds>: CPU of the simulator process and commands per node per second
  local t0 c0 s0 t1 c1 s1
  read -r s0 _ < <(state_totals); c0=$(cpu_ticks "$SIM"); t0=$(date +%s.%N)
  sleep "$2"
  read -r s1 n1 < <(state_totals); c1=$(cpu_ticks "$SIM"); t1=$(date +%s.%N)
  python3 - "$1" "$c0" "$c1" "$t0" "$t1" "$s0" "$s1" "$hz" "$NODES" "$n1" <<'PY'
import sys
label, c0, c1, t0, t1, s0, s1, hz, nodes, conns = sys.argv[1:]
dt = float(t1) - float(t0)
cpu = (int(c1) - int(c0)) / int(hz) / dt * 100
rate = (int(s1) - int(s0)) / dt / int(nodes)
print(f"{label:<28} simulator CPU {cpu:6.1f} %   commands/s per node {rate:7.1f}   connections accepted so far {conns}")
PY
}

echo "== operator cost: $NODES simulated nodes, $SECONDS_PER_PHASE s per phase, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%FT%TZ)"
measure_sim "without exporter" "${BASELINE_SECONDS:-$SECONDS_PER_PHASE}"

PORT=$(free_port)
START=$(date +%s%N)
java -XX:MaxDirectMemorySize=64m -Xmx256m -jar "$JAR" "${EXPORTER_ARGS[@]}" --nundb.user=nun \
  --web.listen-address="127.0.0.1:$PORT" --log.level=warn > "$WORK/exp.out" 2>&1 &
EXP=$!; PIDS+=("$EXP")
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/-/ready")" = 200 ] && break; sleep 0.02
done
READY_MS=$(( ($(date +%s%N) - START) / 1000000 ))
for _ in $(seq 1 300); do
  up=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^nundb_cluster_members_up /{print int($2)}')
  [ "${up:-0}" -ge "$NODES" ] && break; sleep 0.1
done
UP_MS=$(( ($(date +%s%N) - START) / 1000000 ))
echo "start-up: /-/ready after ${READY_MS} ms, all $NODES nodes up after ${UP_MS} ms (JVM start included)"

measure_sim "with exporter attached" "$SECONDS_PER_PHASE" &
MEASURE=$!
# Data age at scrape: scrape time minus the newest successful poll of each node, sampled every 100 ms.
python3 - "$PORT" "$SECONDS_PER_PHASE" <<'PY'
import sys, time, urllib.request
port, secs = int(sys.argv[1]), float(sys.argv[2])
ages = []
end = time.time() + secs
while time.time() < end:
    t = time.time()
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    for line in body.splitlines():
        if line.startswith("nundb_node_last_success_timestamp_seconds{"):
            ages.append(t - float(line.rsplit(" ", 1)[1]))
    time.sleep(0.1)
ages.sort()
q = lambda p: ages[min(len(ages) - 1, int(p * len(ages)))]
print(f"data age at scrape (scrape time - last successful poll, {len(ages)} samples): p50 {q(0.5)*1000:.0f} ms, p99 {q(0.99)*1000:.0f} ms, max {ages[-1]*1000:.0f} ms")
PY
wait "$MEASURE"

curl -s "http://127.0.0.1:$PORT/metrics" > "$WORK/scrape.txt"
python3 - "$WORK/scrape.txt" "$EXP" "$NODES" <<'PY'
import sys
path, pid, nodes = sys.argv[1], sys.argv[2], int(sys.argv[3])
heap = direct = 0.0
series = 0
size = 0
for line in open(path):
    size += len(line)
    if line.startswith("#"):
        continue
    series += 1
    if line.startswith('jvm_memory_used_bytes{area="heap"}'):
        heap = float(line.rsplit(" ", 1)[1])
    if line.startswith("nundb_exporter_netty_direct_memory_bytes "):
        direct = float(line.rsplit(" ", 1)[1])
rss = 0
for line in open(f"/proc/{pid}/status"):
    if line.startswith("VmRSS:"):
        rss = int(line.split()[1]) * 1024
mib = 1024 * 1024
print(f"exporter memory: heap used {heap/mib:.1f} MiB, Netty direct {direct/mib:.1f} MiB, RSS {rss/mib:.1f} MiB "
      f"({rss/mib/nodes:.2f} MiB RSS per node)")
print(f"scrape: {series} series, {size} bytes ({series/nodes:.0f} series and {size/nodes:.0f} bytes per node, text format)")
PY
