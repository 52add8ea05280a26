#!/usr/bin/env bash
# Runs every test of nundb-exporter: the Maven build with unit and loopback integration tests (Spotless
# included), the JMH allocation smoke run, the deploy asset checks against real promtool/amtool, jsonnet
# and helm, and the end-to-end run against real Prometheus and Alertmanager. Installs the Debian packages
# it needs when they are missing (as root; their services are not started); a tool that is still missing
# fails the run, it never skips.
#
# Each phase runs in its own process group with a time limit: at the limit the whole group ends
# (deploy/tools/testlib.sh run_in_group), so a phase never leaves servers or JVMs behind. The tests end
# only processes they started; nothing is stopped by name.
#
# Usage: ./test.sh [phase...]   phases: tools build jmh deploy e2e soak (default: all, in that order)
set -euo pipefail
cd "$(dirname "$0")"
. deploy/tools/testlib.sh

PHASES=("$@")
if [ ${#PHASES[@]} -eq 0 ]; then
  PHASES=(tools build jmh deploy e2e soak)
fi

declare -A LIMIT=([tools]=600 [build]=1500 [jmh]=900 [deploy]=600 [e2e]=900 [soak]=420)
for phase in "${PHASES[@]}"; do
  [ -n "${LIMIT[$phase]:-}" ] || { echo "unknown phase $phase (phases: tools build jmh deploy e2e soak)" >&2; exit 2; }
done
RESULTS=()
FAILED=0

# Command -> Debian package, for every tool a phase runs. Nothing else is installed.
declare -A PACKAGE=(
  [java]=default-jdk-headless [mvn]=maven [curl]=curl [python3]=python3 [jsonnet]=jsonnet
  [promtool]=prometheus [prometheus]=prometheus
  [amtool]=prometheus-alertmanager [prometheus-alertmanager]=prometheus-alertmanager
  [chromium]=chromium
)

phase_tools() {
  local missing=() t
  for t in "${!PACKAGE[@]}"; do
    command -v "$t" >/dev/null 2>&1 || missing+=("${PACKAGE[$t]}")
  done
  python3 -c 'import yaml' 2>/dev/null || /usr/bin/python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
  if [ ${#missing[@]} -gt 0 ]; then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    apt_install "${missing[@]}"
  fi
  for t in "${!PACKAGE[@]}"; do
    command -v "$t" >/dev/null 2>&1 || { echo "required tool $t (Debian package ${PACKAGE[$t]}) is missing" >&2; return 1; }
  done
  python3 -c 'import yaml' 2>/dev/null || /usr/bin/python3 -c 'import yaml' || { echo "python3 yaml is missing" >&2; return 1; }
}

phase_build() {
  # PromtoolCheckMetricsTest lints live scrapes with promtool and fails without it (the tools phase installs it).
  command -v promtool >/dev/null 2>&1 || { echo "promtool missing: run ./test.sh tools (Debian package prometheus)" >&2; return 1; }
  mvn -B -q verify
}

phase_jmh() {
  benchmarks/smoke.sh
}

phase_deploy() {
  deploy/test.sh
}

phase_e2e() {
  deploy/e2e.sh
}

phase_soak() {
  # The 60-second soak: 100 simulated nodes, several scrapers, random faults (longer: -Dsoak.seconds=3600).
  mvn -B -q test -pl simulator,core,server -Psoak -Dfuzz.skip=true -Dfaults.skip=true -Dtest=SoakTest \
    -Dsurefire.failIfNoSpecifiedTests=false
}

# Interrupted: end the running phase's group, then stop.
on_signal() {
  [ -z "${RUN_IN_GROUP_PGID:-}" ] || kill -TERM -- "-$RUN_IN_GROUP_PGID" 2>/dev/null || true
  exit 130
}
trap on_signal INT TERM HUP

for phase in "${PHASES[@]}"; do
  start=$(date +%s)
  echo "==> phase $phase (limit ${LIMIT[$phase]}s)"
  rc=0
  run_in_group "${LIMIT[$phase]}" bash -c "$(declare -p PACKAGE); $(declare -f apt_install phase_"$phase");
    set -euo pipefail; phase_$phase" || rc=$?
  took=$(( $(date +%s) - start ))
  if [ $rc -eq 0 ]; then status=ok; elif [ $rc -eq 124 ]; then status=TIMEOUT; else status="FAILED($rc)"; fi
  RESULTS+=("$(printf '%-8s %-12s %5ss' "$phase" "$status" "$took")")
  if [ $rc -ne 0 ]; then FAILED=1; break; fi
done

echo
echo "phase    result       time"
printf '%s\n' "${RESULTS[@]}"
exit $FAILED
