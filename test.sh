#!/usr/bin/env bash
# Runs every test of nundb-exporter: the Maven build with unit and loopback integration tests (Spotless
# included), the JMH allocation smoke run, the deploy asset checks against real promtool/amtool, and the
# end-to-end run against real Prometheus and Alertmanager. Installs the Debian tools it needs when they
# are missing (as root); a tool that is still missing fails the run, it never skips.
#
# Usage: ./test.sh [phase...]   phases: tools build jmh deploy e2e soak (default: all, in that order)
set -euo pipefail
cd "$(dirname "$0")"

PHASES=("$@")
if [ ${#PHASES[@]} -eq 0 ]; then
  PHASES=(tools build jmh deploy e2e soak)
fi

declare -A LIMIT=([tools]=600 [build]=1500 [jmh]=900 [deploy]=600 [e2e]=780 [soak]=420)
RESULTS=()
FAILED=0

need_tool() { # need_tool <command> <debian package>
  if ! command -v "$1" >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "missing $1 (Debian package $2) and not root to install it" >&2
      return 1
    fi
    echo "installing Debian package $2 for $1"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" >/dev/null ||
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" >/dev/null; }
    # Debian starts packaged daemons; the tests start their own on free ports.
    systemctl stop prometheus prometheus-alertmanager prometheus-node-exporter 2>/dev/null || true
    pkill -x prometheus 2>/dev/null || true
    pkill -x prometheus-alertmanager 2>/dev/null || true
  fi
  command -v "$1" >/dev/null 2>&1 || { echo "required tool $1 is missing" >&2; return 1; }
}

phase_tools() {
  need_tool java default-jdk-headless
  need_tool mvn maven
  need_tool promtool prometheus
  need_tool prometheus prometheus
  need_tool amtool prometheus-alertmanager
  need_tool prometheus-alertmanager prometheus-alertmanager
  need_tool wrk wrk
  need_tool python3 python3
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
  mvn -B -q test -pl core,server -Psoak -Dfuzz.skip=true -Dfaults.skip=true -Dtest=SoakTest \
    -Dsurefire.failIfNoSpecifiedTests=false
}

for phase in "${PHASES[@]}"; do
  start=$(date +%s)
  echo "==> phase $phase (limit ${LIMIT[$phase]}s)"
  set +e
  timeout --foreground -k 10 "${LIMIT[$phase]}" bash -c "$(declare -f need_tool phase_"$phase"); set -euo pipefail; phase_$phase"
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  if [ $rc -eq 0 ]; then status=ok; elif [ $rc -eq 124 ]; then status=TIMEOUT; else status="FAILED($rc)"; fi
  RESULTS+=("$(printf '%-8s %-12s %5ss' "$phase" "$status" "$took")")
  if [ $rc -ne 0 ]; then FAILED=1; break; fi
done

echo
echo "phase    result       time"
printf '%s\n' "${RESULTS[@]}"
exit $FAILED
