#!/usr/bin/env bash
# Live end-to-end test of the deploy assets (issue 6) - SCAFFOLDING, not yet part of deploy/test.sh.
#
# exporter (--demo, simulated cluster) -> real Prometheus (shipped rules, only `for:` shortened,
# evaluation_interval 1s) -> real Alertmanager (gossip off, group_wait 1s, group_interval 2s,
# send_resolved) -> a webhook receiver run here. Loopback, free ports, temporary storage.
# Budget 8 minutes, hard stop at 12 (the script re-executes itself under `timeout`).
#
#   deploy/e2e.sh [--jar server/target/nundb-exporter.jar]
#
# What still needs the exporter (marked TODO(e2e)): the demo's flags and its fault switches (node down,
# member lag, canary lost, split brain, no primary, auth failure) and a protobuf scrape.
set -euo pipefail

DEPLOY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$DEPLOY")"
JAR="$ROOT/server/target/nundb-exporter.jar"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jar) JAR="$2"; shift 2 ;;
    *) echo "usage: $0 [--jar FILE]" >&2; exit 2 ;;
  esac
done
if [[ -z "${NUNDB_E2E_TIMED:-}" ]]; then
  NUNDB_E2E_TIMED=1 exec timeout --kill-after=10s 720s "$0" --jar "$JAR"
fi
SECONDS=0
BUDGET=480

[[ -f "$JAR" ]] || { echo "FAIL: exporter jar $JAR not built (mvn -B -q -pl server -am package)" >&2; exit 1; }
for t in prometheus alertmanager promtool amtool java python3; do
  command -v "$t" >/dev/null || { echo "FAIL: $t missing (run deploy/test.sh first, it installs them)" >&2; exit 1; }
done

WORK="$(mktemp -d /tmp/nundb-e2e.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { # wait_http URL SECONDS
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null || python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$1" 2>/dev/null; do
    (( SECONDS < deadline )) || { echo "FAIL: $1 not up in $2 s" >&2; exit 1; }
    sleep 0.2
  done
}
EXP_PORT=$(free_port); PROM_PORT=$(free_port); AM_PORT=$(free_port); HOOK_PORT=$(free_port)

# --- rules with only `for:` shortened; assert nothing else changed -----------------------------
python3 - "$DEPLOY/prometheus/nundb-rules.yml" "$WORK/rules.yml" <<'PYEOF'
import sys, yaml, copy
src = yaml.safe_load(open(sys.argv[1]))
out = copy.deepcopy(src)
for g in out["groups"]:
    for r in g["rules"]:
        if "for" in r:
            r["for"] = "3s"
        if "keep_firing_for" in r:
            r["keep_firing_for"] = "5s"
strip = lambda d: [[{k: v for k, v in r.items() if k not in ("for", "keep_firing_for")} for r in g["rules"]] for g in d["groups"]]
assert strip(src) == strip(out) and [g["name"] for g in src["groups"]] == [g["name"] for g in out["groups"]], "only for: may change"
yaml.safe_dump(out, open(sys.argv[2], "w"), sort_keys=False)
PYEOF
echo "rules: only for/keep_firing_for shortened"

# --- webhook receiver ---------------------------------------------------------------------------
python3 - "$HOOK_PORT" "$WORK/webhook.jsonl" <<'PYEOF' &
import http.server, json, sys
port, path = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open(path, "a") as f:
            for a in body["alerts"]:
                f.write(json.dumps({"status": a["status"], "labels": a["labels"]}) + "\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
PYEOF
PIDS+=($!)

# --- alertmanager: the shipped config with the webhook and short timers --------------------------
python3 - "$DEPLOY/alertmanager/alertmanager.yml" "$WORK/alertmanager.yml" "$HOOK_PORT" <<'PYEOF'
import sys, yaml
am = yaml.safe_load(open(sys.argv[1]))
url = f"http://127.0.0.1:{sys.argv[3]}/hook"
for r in am["receivers"]:
    r["webhook_configs"] = [{"url": url, "send_resolved": True}]
am["route"].update({"group_wait": "1s", "group_interval": "2s", "repeat_interval": "1h"})
yaml.safe_dump(am, open(sys.argv[2], "w"), sort_keys=False)
PYEOF
amtool check-config "$WORK/alertmanager.yml" >/dev/null
alertmanager --config.file="$WORK/alertmanager.yml" --storage.path="$WORK/am" \
  --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= >"$WORK/alertmanager.log" 2>&1 &
PIDS+=($!)

# --- exporter on the simulated cluster ----------------------------------------------------------
# TODO(e2e): confirm the demo flags with the server module (issue 3).
java -XX:MaxDirectMemorySize=64m -jar "$JAR" --demo --web.listen-address="127.0.0.1:$EXP_PORT" \
  >"$WORK/exporter.log" 2>&1 &
PIDS+=($!)

# --- prometheus -------------------------------------------------------------------------------
cat >"$WORK/prometheus.yml" <<EOF
global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
rule_files: [$WORK/rules.yml]
alerting:
  alertmanagers: [{static_configs: [{targets: ['127.0.0.1:$AM_PORT']}]}]
scrape_configs:
  - job_name: nundb-exporter
    static_configs: [{targets: ['127.0.0.1:$EXP_PORT'], labels: {nundb_cluster: e2e}}]
EOF
promtool check config "$WORK/prometheus.yml" >/dev/null
# TODO(e2e): a second run (or job) with --enable-feature=native-histograms to negotiate protobuf once.
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PIDS+=($!)

wait_http "http://127.0.0.1:$EXP_PORT/-/ready" 60
wait_http "http://127.0.0.1:$AM_PORT/-/ready" 30
wait_http "http://127.0.0.1:$PROM_PORT/-/ready" 30
echo "up after ${SECONDS}s: exporter :$EXP_PORT, prometheus :$PROM_PORT, alertmanager :$AM_PORT, webhook :$HOOK_PORT"

# --- scrape: metric names against a real scrape ---------------------------------------------------
python3 -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())" \
  "http://127.0.0.1:$EXP_PORT/metrics" >"$WORK/scrape.txt"
python3 "$DEPLOY/tools/metric_names.py" "$DEPLOY" --check --scrape "$WORK/scrape.txt"

# --- every dashboard query returns data -----------------------------------------------------------
sleep 20 # TODO(e2e): replace by polling until rate() windows have two samples per series
NODE="$(python3 -c "import json,urllib.request,sys; print(json.load(urllib.request.urlopen(sys.argv[1]))['data'][0])" \
  "http://127.0.0.1:$PROM_PORT/api/v1/label/node/values")"
python3 "$DEPLOY/tools/check_dashboard.py" "$DEPLOY" --prometheus "http://127.0.0.1:$PROM_PORT" \
  --cluster e2e --node "$NODE" --rate-interval 10s --require-data

# --- faults: each alert reaches the webhook for the right node only and resolves -----------------
# expect_webhook STATUS ALERTNAME [NODE]: waits (bounded) for a webhook entry with those labels.
expect_webhook() {
  local deadline=$((SECONDS + 60))
  until python3 - "$WORK/webhook.jsonl" "$@" <<'PYEOF'
import json, sys
path, status, name = sys.argv[1:4]
node = sys.argv[4] if len(sys.argv) > 4 else None
try:
    lines = [json.loads(l) for l in open(path)]
except FileNotFoundError:
    sys.exit(1)
hits = [l for l in lines if l["status"] == status and l["labels"]["alertname"] == name]
wrong = [l for l in hits if node and l["labels"].get("node") != node]
if wrong:
    print(f"FAIL: {name} {status} for the wrong node: {wrong}", file=sys.stderr); sys.exit(2)
sys.exit(0 if hits else 1)
PYEOF
  do
    local rc=$?
    (( rc == 2 )) && exit 1
    (( SECONDS < deadline )) || { echo "FAIL: no webhook $* within 60s" >&2; exit 1; }
    sleep 0.5
  done
  echo "ok: webhook $*"
}
# TODO(e2e): wire these to the demo cluster's fault switches, then for each pair:
#   fault_on node-down nundb-1; expect_webhook firing NunDbNodeDown nundb-1; fault_off ...; expect_webhook resolved NunDbNodeDown nundb-1
#   member lag (NunDbReplicationLagHigh), canary lost (NunDbReplicationCanaryLost), split brain
#   (NunDbSplitBrain), no primary (NunDbNoPrimary), auth failure (NunDbExporterAuthFailing)
echo "TODO(e2e): fault injection not wired yet" >&2

(( SECONDS <= BUDGET )) || { echo "FAIL: over the 8 minute budget (${SECONDS}s)" >&2; exit 1; }
echo "e2e finished in ${SECONDS}s"
exit 3 # scaffolding: not a pass until the faults are wired
