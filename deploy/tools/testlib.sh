# Shell functions shared by ./test.sh and deploy/test.sh (sourced, not run). Tested by
# deploy/tools/test_testlib.sh.

# apt_install PACKAGE...: installs Debian packages without starting their services. Packaged daemons
# (prometheus, prometheus-alertmanager) would otherwise start on their default ports; the tests start
# their own on free ports and never stop a daemon by name. A policy-rc.d that denies every start is
# installed for the duration of the install and removed under a trap (a policy-rc.d that was already
# there is left as it is). On failure apt's own output is shown.
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: $* (run as root to have them installed)" >&2
    return 1
  fi
  (
    policy="${POLICY_RC_D:-/usr/sbin/policy-rc.d}"
    if [ ! -e "$policy" ]; then
      trap 'rm -f "$policy"' EXIT
      trap 'exit 130' INT TERM HUP
      printf '#!/bin/sh\n# installed by nundb-exporter test.sh while it installs packages: start no service\nexit 101\n' >"$policy"
      chmod 755 "$policy"
    fi
    export DEBIAN_FRONTEND=noninteractive
    log="$(mktemp)"
    echo "installing Debian packages: $*"
    if ! apt-get install -y -q --no-install-recommends "$@" >"$log" 2>&1; then
      if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "$@"; } >>"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "could not install: $*" >&2
        exit 1
      fi
    fi
    rm -f "$log"
  )
}

# run_in_group LIMIT_SECONDS COMMAND...: runs COMMAND in its own session and process group and waits
# for it. After LIMIT_SECONDS the whole group gets SIGTERM, 10 s later SIGKILL, so nothing a timed-out
# command started (servers, JVMs, background jobs) outlives it. Returns the command's status, or 124
# when it timed out. While it runs, RUN_IN_GROUP_PGID names the group (for a caller's signal trap).
run_in_group() {
  local limit="$1"; shift
  local marker
  marker="$(mktemp)"
  rm -f "$marker"
  setsid "$@" </dev/null &
  RUN_IN_GROUP_PGID=$!
  (
    nap() { sleep "$1" & napper=$!; wait "$napper"; }
    napper=""
    trap '[ -z "$napper" ] || kill "$napper" 2>/dev/null; exit 0' TERM
    nap "$limit"
    : >"$marker"
    kill -TERM -- "-$RUN_IN_GROUP_PGID" 2>/dev/null || exit 0
    nap 10
    kill -KILL -- "-$RUN_IN_GROUP_PGID" 2>/dev/null || true
  ) &
  local watchdog=$!
  local rc=0
  wait "$RUN_IN_GROUP_PGID" || rc=$?
  kill -TERM "$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  # the command has ended; end what it left behind in its group too
  kill -KILL -- "-$RUN_IN_GROUP_PGID" 2>/dev/null || true
  if [ -e "$marker" ]; then rc=124; rm -f "$marker"; fi
  RUN_IN_GROUP_PGID=""
  return "$rc"
}
