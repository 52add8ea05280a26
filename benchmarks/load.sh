#!/usr/bin/env bash
# Load benchmark (issue 5): our exporter, client_java's HTTPServer (nodelay and as shipped) and a
# minimal Netty ceiling, side by side with the same metric content, at 3 and 100 nodes, measured with
# wrk at 1, 16 and 64 connections, without headers and with Prometheus's Accept + Accept-Encoding: gzip.
# Runs alternate the targets (A B C D A B C D ...) inside each cell so drift hits all alike.
# Loopback only; bounded: the default run (3 rounds x 3 s per cell) takes about 9 minutes, --quick about 2.
#
# usage: benchmarks/load.sh [--quick] [--nodes "3 100"] [--conns "1 16 64"] [--duration S] [--rounds R]
#                           [--source synthetic|live] [--jfr] [--targets "exporter peer-nodelay peer ceiling"]
#   --source   synthetic: fixed snapshots built in each target; live: a simulated Nun-db cluster of N
#              nodes (SimulatorMain, its own process) that every target polls with the real collector
#   --targets  LoadTargets modes to alternate; exporter-static (render once, then hourly) isolates serving
#   --jfr   record a JFR profile of the exporter target per node count (results dir, exporter-N.jfr)
# Needs benchmarks/target/benchmarks.jar (mvn -B -q -o verify -pl simulator,core,server,benchmarks), with --source live
# simulator/target/nundb-simulator.jar, and wrk.
# Writes benchmarks/results/load-<UTC stamp>/{raw.txt,summary.md,env.txt,*.log}.
set -euo pipefail
cd "$(dirname "$0")"

JAR=target/benchmarks.jar
NODES="3 100"
CONNS="1 16 64"
DURATION=3
ROUNDS=3
WARM=3
SOURCE=synthetic
JFR=0
ARGS="$*"
TARGETS=(exporter peer-nodelay peer ceiling)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) DURATION=1; ROUNDS=1; WARM=1; shift ;;
    --nodes) NODES="$2"; shift 2 ;;
    --conns) CONNS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --source) SOURCE="$2"; shift 2 ;;
    --jfr) JFR=1; shift ;;
    --targets) read -r -a TARGETS <<<"$2"; shift 2 ;;
    *) echo "load.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [[ ! -f "$JAR" ]]; then
  echo "load.sh: $JAR not found; build it first: mvn -B -q -o verify -pl simulator,core,server,benchmarks" >&2
  exit 2
fi
if ! command -v wrk >/dev/null 2>&1; then
  if [[ "$(id -u)" -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk >/dev/null
  fi
  command -v wrk >/dev/null 2>&1 || { echo "load.sh: wrk (Debian package wrk) is missing" >&2; exit 2; }
fi

PROM_ACCEPT='application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
JAVA_OPTS=(-Xms256m -Xmx512m)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=results/load-$STAMP
mkdir -p "$OUT"
RAW=$OUT/raw.txt
{
  echo "command: benchmarks/load.sh $ARGS"
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "wrk: $(wrk -v 2>&1 | head -1)"
  echo "nodes: $NODES conns: $CONNS duration: ${DURATION}s rounds: $ROUNDS warmup: ${WARM}s source: $SOURCE"
  echo "loadavg at start: $(cat /proc/loadavg)"
} > "$OUT/env.txt"
cat "$OUT/env.txt"

declare -A PID PORT
cleanup() {
  for key in "${!PID[@]}"; do
    kill "${PID[$key]}" 2>/dev/null || true
  done
  for key in "${!PID[@]}"; do
    wait "${PID[$key]}" 2>/dev/null || true
  done
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

# start_target <mode> <nodes>: starts one target, waits for its first 200 on /metrics, logs start-up.
start_target() {
  local mode=$1 n=$2 key=$1-$2 extra=()
  [[ "$mode" == peer-nodelay ]] && extra+=(-Dsun.net.httpserver.nodelay=true)
  if [[ "$mode" == exporter* && "$JFR" -eq 1 ]]; then
    extra+=("-XX:StartFlightRecording=filename=$OUT/exporter-$n.jfr,settings=profile,dumponexit=true")
  fi
  rm -f "$OUT/$key.port"
  local t0
  t0=$(now_ms)
  java "${JAVA_OPTS[@]}" "${extra[@]}" -cp "$JAR" io.nundb.exporter.bench.LoadTargets "$mode" \
    --nodes "$n" --source "$SOURCE" --port-file "$OUT/$key.port" > "$OUT/$key.log" 2>&1 &
  PID[$key]=$!
  local deadline=$((t0 + 60000))
  while [[ ! -s "$OUT/$key.port" ]] || ! curl -fsS -o /dev/null "http://127.0.0.1:$(cat "$OUT/$key.port")/metrics"; do
    if (( $(now_ms) > deadline )) || ! kill -0 "${PID[$key]}" 2>/dev/null; then
      echo "load.sh: $key did not become ready; log:" >&2
      cat "$OUT/$key.log" >&2
      exit 1
    fi
    sleep 0.05
  done
  PORT[$key]=$(cat "$OUT/$key.port")
  local t1
  t1=$(now_ms)
  echo "STARTUP target=$mode nodes=$n ready_ms=$((t1 - t0)) $(grep -m1 READY "$OUT/$key.log" | sed 's/^READY //')" | tee -a "$RAW"
}

stop_targets() {
  local n=$1
  for mode in "${TARGETS[@]}"; do
    local key=$mode-$n
    kill "${PID[$key]}" 2>/dev/null || true
    wait "${PID[$key]}" 2>/dev/null || true
    unset "PID[$key]"
    # The JDK server logs a stack trace per connection wrk drops mid-response; keep the head and a count.
    if [[ $(stat -c %s "$OUT/$key.log") -gt 65536 ]]; then
      local lines pipes
      lines=$(wc -l < "$OUT/$key.log")
      pipes=$(grep -c 'Broken pipe\|Connection reset' "$OUT/$key.log" || true)
      { head -40 "$OUT/$key.log"; echo "... truncated by load.sh: $lines lines, $pipes broken-pipe/reset traces"; } > "$OUT/$key.log.head"
      mv "$OUT/$key.log.head" "$OUT/$key.log"
    fi
  done
}

# run_wrk <target> <nodes> <conns> <headers> <seconds> [tag]
run_wrk() {
  local mode=$1 n=$2 c=$3 h=$4 secs=$5 tag=${6:-RUN}
  local threads=2 hdr=()
  (( c < 2 )) && threads=1
  [[ "$h" == prometheus ]] && hdr=(-H "Accept: $PROM_ACCEPT" -H "Accept-Encoding: gzip")
  local url="http://127.0.0.1:${PORT[$mode-$n]}/metrics"
  local out
  out=$(wrk -t"$threads" -c"$c" -d"${secs}s" --timeout 5s "${hdr[@]}" -s load-report.lua "$url" 2>&1) || true
  {
    echo "$tag nodes=$n conns=$c headers=$h target=$mode round=${ROUND:-0}"
    echo "$out"
  } >> "$RAW"
  echo "$tag nodes=$n conns=$c headers=$h target=$mode round=${ROUND:-0} $(grep '^RESULT' <<<"$out" | sed 's/^RESULT //')"
}

# start_simulator <nodes>: with --source live, one simulated cluster that all targets of this size poll.
start_simulator() {
  local n=$1
  export NUN_PWD="load-$RANDOM$RANDOM"
  java -Xmx1g -jar "../simulator/target/nundb-simulator.jar" --nodes "$n" \
    > "$OUT/sim-$n.out" 2> "$OUT/sim-$n.err" &
  PID[sim-$n]=$!
  for _ in $(seq 1 300); do grep -q '^ready' "$OUT/sim-$n.out" 2>/dev/null && break; sleep 0.1; done
  grep -q '^ready' "$OUT/sim-$n.out" || { echo "load.sh: simulator did not start" >&2; exit 1; }
  grep '^--nundb' "$OUT/sim-$n.out" > "$OUT/sim-$n.args"
  export LOAD_SIM_ARGS="$OUT/sim-$n.args"
}

for n in $NODES; do
  if [[ "$SOURCE" == live ]]; then
    start_simulator "$n"
  fi
  for mode in "${TARGETS[@]}"; do
    start_target "$mode" "$n"
  done
  for mode in "${TARGETS[@]}"; do
    url="http://127.0.0.1:${PORT[$mode-$n]}/metrics"
    plain=$(curl -s -o /dev/null -w '%{size_download}' "$url")
    prom=$(curl -s -o /dev/null -w '%{size_download} %{content_type}' -H "Accept: $PROM_ACCEPT" -H 'Accept-Encoding: gzip' "$url")
    echo "BODY target=$mode nodes=$n plain_bytes=$plain prometheus_gzip_bytes=${prom%% *} prometheus_type=${prom#* }" | tee -a "$RAW"
  done
  for mode in "${TARGETS[@]}"; do
    ROUND=0 run_wrk "$mode" "$n" 16 plain "$WARM" WARMUP > /dev/null
    ROUND=0 run_wrk "$mode" "$n" 16 prometheus "$WARM" WARMUP > /dev/null
  done
  for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
    for c in $CONNS; do
      for h in plain prometheus; do
        for mode in "${TARGETS[@]}"; do
          run_wrk "$mode" "$n" "$c" "$h" "$DURATION"
        done
      done
    done
  done
  stop_targets "$n"
  if [[ -n "${PID[sim-$n]:-}" ]]; then
    kill "${PID[sim-$n]}" 2>/dev/null || true
    wait "${PID[sim-$n]}" 2>/dev/null || true
    unset "PID[sim-$n]"
  fi
done

python3 - "$RAW" > "$OUT/summary.md" <<'PY'
import re, statistics, sys
from collections import defaultdict

runs = defaultdict(list)
startup, bodies = [], []
key = None
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("RUN "):
        key = dict(kv.split("=", 1) for kv in line.split()[1:])
    elif line.startswith("WARMUP "):
        key = None
    elif line.startswith("RESULT ") and key:
        r = dict(kv.split("=", 1) for kv in line.split()[1:])
        runs[(int(key["nodes"]), int(key["conns"]), key["headers"], key["target"])].append(r)
    elif line.startswith("STARTUP "):
        startup.append(dict(kv.split("=", 1) for kv in line.split()[1:]))
    elif line.startswith("BODY "):
        bodies.append(dict(kv.split("=", 1) for kv in line.split()[1:5]))

def med(rs, f):
    return statistics.median(float(r[f]) for r in rs)

targets = ["exporter", "peer-nodelay", "peer", "ceiling", "exporter-static"]
cells = sorted({k[:3] for k in runs}, key=lambda k: (k[0], k[2], k[1]))
print("Medians over rounds; latency in ms; rps = requests/s.\n")
print("| nodes | headers | conns | target | req/s | p50 | p99 | p99.9 | errors |")
print("|---:|---|---:|---|---:|---:|---:|---:|---:|")
for n, c, h in cells:
    for t in targets:
        rs = runs.get((n, c, h, t))
        if not rs:
            continue
        errs = sum(int(r["socket_errors"]) + int(r["non2xx"]) for r in rs)
        print(f"| {n} | {h} | {c} | {t} | {med(rs,'rps'):,.0f} | {med(rs,'p50_us')/1000:.2f} | "
              f"{med(rs,'p99_us')/1000:.2f} | {med(rs,'p999_us')/1000:.2f} | {errs} |")
print("\nRatios (exporter against the others; goals: >= 0.80 of the ceiling's req/s, p99 <= 1.25 x the"
      " ceiling's, >= 5x the nodelay peer at 3 nodes and >= 15x at 100):\n")
print("| nodes | headers | conns | ours/ceiling req/s | ours p99 / ceiling p99 | ours/peer-nodelay req/s | ours/peer (as shipped) req/s | goals | static/ceiling req/s | static p99 / ceiling p99 |")
print("|---:|---|---:|---:|---:|---:|---:|---|---:|---:|")
for n, c, h in cells:
    o, pn, p, ce, st = (runs.get((n, c, h, t)) for t in targets)
    if not ce:
        continue
    if not o:
        o = st
    thr = med(o, "rps") / med(ce, "rps")
    lat = med(o, "p99_us") / max(med(ce, "p99_us"), 1)
    vs_pn = med(o, "rps") / med(pn, "rps") if pn and med(pn, "rps") > 0 else float("nan")
    vs_p = med(o, "rps") / med(p, "rps") if p and med(p, "rps") > 0 else float("nan")
    need = 5 if n <= 3 else 15
    miss = []
    if thr < 0.8: miss.append("throughput")
    if lat > 1.25: miss.append("p99")
    if pn and not vs_pn >= need: miss.append(f"<{need}x peer")
    print(f"| {n} | {h} | {c} | {thr:.2f} | {lat:.2f} | {vs_pn:.1f} | {vs_p:.1f} | "
          f"{'met' if not miss else 'MISSED: ' + ', '.join(miss)} | "
          + (f"{med(st, 'rps') / med(ce, 'rps'):.2f} | {med(st, 'p99_us') / max(med(ce, 'p99_us'), 1):.2f} |" if st else "- | - |"))
print("\nStart-up to first 200 on /metrics (process launch to response, JVM start included):\n")
print("| target | nodes | ready ms | JVM uptime at READY ms |")
print("|---|---:|---:|---:|")
for s in startup:
    print(f"| {s['target']} | {s['nodes']} | {s['ready_ms']} | {s.get('uptime_ms','')} |")
print("\nBody sizes (bytes; plain = text 0.0.4 identity, prometheus = negotiated with Prometheus's headers):\n")
print("| target | nodes | plain | prometheus (gzip) |")
print("|---|---:|---:|---:|")
for b in bodies:
    print(f"| {b['target']} | {b['nodes']} | {b['plain_bytes']} | {b['prometheus_gzip_bytes']} |")
PY
rm -f "$OUT"/*.port
echo "loadavg at end: $(cat /proc/loadavg)" >> "$OUT/env.txt"
cat "$OUT/summary.md"
echo "load.sh: raw output and summary in benchmarks/$OUT"
