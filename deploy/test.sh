#!/usr/bin/env bash
# Tests every asset under deploy/ against real Prometheus tooling (Debian's prometheus 2.42 and
# prometheus-alertmanager 0.25). Installs the packages when missing; a tool that cannot be installed
# fails the run, it never skips a check. Needs no running exporter; the live end-to-end test is
# deploy/e2e.sh.
#
#   deploy/test.sh                 # all checks
#   deploy/test.sh --scrape FILE   # also check metric names against a real /metrics scrape
set -euo pipefail

DEPLOY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRAPE=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scrape) SCRAPE="$2"; shift 2 ;;
    *) echo "usage: $0 [--scrape FILE]" >&2; exit 2 ;;
  esac
done

SUMMARY=()
pass() { SUMMARY+=("PASS  $1"); echo "== PASS: $1"; }
step() { echo; echo "== $1"; }

# --- tools -------------------------------------------------------------------------------------
# apt_install (no service started, apt's errors shown) and run_in_group, shared with ./test.sh
. "$DEPLOY/tools/testlib.sh"

step "tools"
need=()
command -v promtool >/dev/null || need+=(prometheus)
command -v prometheus >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v jsonnet >/dev/null || need+=(jsonnet)
command -v curl >/dev/null || need+=(curl)
PY=python3
if ! python3 -c 'import yaml' 2>/dev/null; then
  PY=/usr/bin/python3
  /usr/bin/python3 -c 'import yaml' 2>/dev/null || need+=(python3 python3-yaml)
fi
if [[ ${#need[@]} -gt 0 ]]; then
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  echo "installing: ${need[*]}"
  apt_install "${need[@]}"
fi
for t in promtool prometheus amtool jsonnet curl; do
  command -v "$t" >/dev/null || { echo "FAIL: $t missing after install" >&2; exit 1; }
done
"$PY" -c 'import yaml' || { echo "FAIL: python3 yaml missing after install" >&2; exit 1; }
PROM_VERSION="$(promtool --version 2>&1 | head -1)"
AM_VERSION="$(amtool --version 2>&1 | head -1)"
echo "$PROM_VERSION"; echo "$AM_VERSION"
JSONNET_VERSION="$(jsonnet --version 2>&1 | head -1)"
echo "$JSONNET_VERSION"
pass "tools: $PROM_VERSION; $AM_VERSION; $JSONNET_VERSION"

step "test command helpers (process groups, package installs)"
"$DEPLOY/tools/test_testlib.sh"
pass "a timed-out phase's whole process group ends; installs start no service and show apt's errors"

# --- rendered files are current -----------------------------------------------------------------
step "mixin: rendering the jsonnet gives the committed files"
"$DEPLOY/mixin/render.sh" --check
pass "jsonnet mixin renders byte-identical rules file (and the chart's copy), PrometheusRule and dashboard"

# --- rules --------------------------------------------------------------------------------------
step "promtool check rules"
promtool check rules "$DEPLOY/prometheus/nundb-rules.yml"
# the PrometheusRule's spec is a rules file too
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$PY" -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); yaml.safe_dump(d["spec"], open(sys.argv[2], "w"))' \
  "$DEPLOY/kubernetes/prometheusrule.yaml" "$tmp/prometheusrule-spec.yml"
promtool check rules "$tmp/prometheusrule-spec.yml"
pass "promtool check rules (rules file and PrometheusRule spec)"

step "promtool test rules"
(cd "$DEPLOY/prometheus/tests" && promtool test rules ./*.yml)
pass "promtool test rules: $(ls "$DEPLOY"/prometheus/tests/*.yml | wc -l) files"

step "rules: annotations, runbook sections, firing and silent test per alert"
"$PY" "$DEPLOY/tools/check_rules.py" "$DEPLOY"
pass "every alert documented and tested both ways"

# --- scrape config ------------------------------------------------------------------------------
step "scrape config examples"
"$PY" - "$DEPLOY" "$tmp/prometheus.yml" <<'PYEOF'
import sys, yaml
deploy, out = sys.argv[1], sys.argv[2]
static = yaml.safe_load(open(f"{deploy}/prometheus/scrape-config.yml"))
sd = yaml.safe_load(open(f"{deploy}/prometheus/scrape-config-kubernetes-sd.yml"))
for job in sd:  # Debian's build has no kubernetes_sd_configs; keep the relabeling under test
    job["static_configs"] = [{"targets": ["127.0.0.1:9898"]}]
    del job["kubernetes_sd_configs"]
yaml.safe_dump({
    "global": {"scrape_interval": "15s", "evaluation_interval": "15s"},
    "rule_files": [f"{deploy}/prometheus/nundb-rules.yml"],
    "scrape_configs": static + sd,
}, open(out, "w"))
PYEOF
promtool check config "$tmp/prometheus.yml"
pass "promtool check config: scrape-config.yml and scrape-config-kubernetes-sd.yml (SD swapped for static)"

# --- alertmanager -------------------------------------------------------------------------------
step "amtool check-config and routing"
amtool check-config "$DEPLOY/alertmanager/alertmanager.yml"
"$DEPLOY/alertmanager/test-routes.sh"
pass "amtool check-config and route assertions"
step "alertmanager: inhibition rules"
"$PY" "$DEPLOY/tools/check_alertmanager.py" "$DEPLOY"
pass "inhibitions name existing alerts and labels"

# --- grafana ------------------------------------------------------------------------------------
step "grafana: dashboard queries through a real prometheus"
"$PY" "$DEPLOY/tools/check_dashboard.py" "$DEPLOY"
pass "every panel has a description and a fitting unit, states are mapped; every query parses in prometheus"

# --- metric names -------------------------------------------------------------------------------
step "metric names used by rules, dashboard and manifests"
if [[ -n "$SCRAPE" ]]; then
  "$PY" "$DEPLOY/tools/metric_names.py" "$DEPLOY" --check --scrape "$SCRAPE"
  pass "metric names match deploy/METRICS-STABILITY.md and the scrape $SCRAPE"
else
  "$PY" "$DEPLOY/tools/metric_names.py" "$DEPLOY" --check
  pass "metric names are current in deploy/metric-names.txt and all in deploy/METRICS-STABILITY.md"
fi

# --- kubernetes and docker ----------------------------------------------------------------------
step "kubernetes manifests"
"$PY" "$DEPLOY/tools/check_kubernetes.py" "$DEPLOY"
pass "kubernetes manifests: known fields only, restricted securityContext, names consistent"
step "helm chart: lint and template through helm-java, manifest checks, rules equal the rules file"
CHART="$DEPLOY/helm/nundb-exporter"
HELM_CHECK="$DEPLOY/helm/check"
# helm-java carries Helm as a native library; its classpath resolves offline after the first run
mvn -B -q -o -f "$HELM_CHECK/pom.xml" dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null 2>&1 ||
  mvn -B -q -f "$HELM_CHECK/pom.xml" dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
helm_java() { java -cp "$(cat "$HELM_CHECK/target/classpath.txt")" "$HELM_CHECK/HelmCheck.java" "$@"; }
for values in "" "$CHART"/ci/*-values.yaml; do
  name="$(basename "${values:-default}" .yaml)"
  # lint takes no values file in helm-java 0.0.15: lint a copy whose values.yaml has the set merged in
  mkdir -p "$tmp/lint-$name" && cp -r "$CHART" "$tmp/lint-$name/"
  if [[ -n "$values" ]]; then
    "$PY" - "$CHART/values.yaml" "$values" "$tmp/lint-$name/nundb-exporter/values.yaml" <<'PYEOF'
import sys, yaml
def merge(a, b):
    return {**a, **{k: merge(a[k], v) if isinstance(v, dict) and isinstance(a.get(k), dict) else v for k, v in b.items()}}
yaml.safe_dump(merge(yaml.safe_load(open(sys.argv[1])), yaml.safe_load(open(sys.argv[2]))), open(sys.argv[3], "w"))
PYEOF
  fi
  helm_java lint "$tmp/lint-$name/nundb-exporter"
  helm_java template "$CHART" nundb-exporter nundb ${values:+"$values"} > "$tmp/helm-$name.yaml"
  echo "values $name:"
  "$PY" "$DEPLOY/tools/check_kubernetes.py" "$DEPLOY" --helm "$tmp/helm-$name.yaml"
done
grep -q '^kind: PrometheusRule' "$tmp/helm-full-values.yaml" || { echo "FAIL: full-values renders no PrometheusRule" >&2; exit 1; }
grep -q '^kind: ServiceMonitor' "$tmp/helm-full-values.yaml" || { echo "FAIL: full-values renders no ServiceMonitor" >&2; exit 1; }
pass "helm lint --strict and helm template (default, $(cd "$CHART/ci" && ls | sed 's/-values.yaml//' | paste -sd,)): manifest checks hold, PrometheusRule = rules file"

step "Dockerfile"
"$PY" "$DEPLOY/tools/check_dockerfile.py" "$DEPLOY"
pass "Dockerfile: stages, non-root, EXPOSE, HEALTHCHECK, JVM flags, jar path"

echo
echo "================ deploy/test.sh summary ================"
printf '%s\n' "${SUMMARY[@]}"
echo "ALL ${#SUMMARY[@]} CHECKS PASSED"
