#!/usr/bin/env bash
# Tests deploy/tools/testlib.sh: a timed-out command's whole process group ends (also what it started
# in the background), a finished command's left-overs end too, exit statuses pass through, and
# apt_install keeps services from starting while it runs, removes its policy-rc.d afterwards and shows
# apt's output when the install fails (a stand-in apt-get on PATH; nothing is installed).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=testlib.sh
. "$HERE/testlib.sh"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1" >&2; fails=$((fails + 1)); fi; }
# alive: the process exists and is not a zombie (an ended child whose new parent has not reaped it yet)
alive() { [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# a command that starts a long background child and then hangs: both must end at the limit
rc=0
run_in_group 2 bash -c "sleep 300 & echo \$! > $tmp/child; sleep 300" || rc=$?
child="$(cat "$tmp/child")"
check "timed-out command reports 124 (got $rc)" '[ "$rc" -eq 124 ]'
sleep 0.5  # the group was signalled; give the kernel a moment to reap
check "timed-out command's background child $child ended" '! alive "$child"'

# a command that finishes but leaves a background child behind: the child ends with it
rc=0
run_in_group 60 bash -c "sleep 300 & echo \$! > $tmp/child; exit 3" || rc=$?
child="$(cat "$tmp/child")"
check "exit status passes through (got $rc)" '[ "$rc" -eq 3 ]'
sleep 0.5
check "left-over child $child of a finished command ended" '! alive "$child"'
rc=0
run_in_group 60 true || rc=$?
check "success is 0 (got $rc)" '[ "$rc" -eq 0 ]'

# apt_install with a stand-in apt-get that records whether starts were denied, then fails
mkdir -p "$tmp/bin"
cat >"$tmp/bin/apt-get" <<STUB
#!/bin/sh
if [ -x "$tmp/policy-rc.d" ] && ! "$tmp/policy-rc.d"; then echo denied >> "$tmp/seen"; fi
echo "E: Unable to locate package \$*" >&2
exit 100
STUB
chmod +x "$tmp/bin/apt-get"
if [ "$(id -u)" -eq 0 ]; then
  rc=0
  PATH="$tmp/bin:$PATH" POLICY_RC_D="$tmp/policy-rc.d" apt_install no-such-package 2>"$tmp/err" >/dev/null || rc=$?
  check "failed install returns non-zero" '[ "$rc" -ne 0 ]'
  check "apt's error is shown" 'grep -q "E: Unable to locate package" "$tmp/err"'
  check "services were denied during the install" '[ "$(grep -c denied "$tmp/seen")" -ge 1 ]'
  check "our policy-rc.d is removed afterwards" '[ ! -e "$tmp/policy-rc.d" ]'
  printf '#!/bin/sh\nexit 0\n' >"$tmp/policy-rc.d"; chmod +x "$tmp/policy-rc.d"
  PATH="$tmp/bin:$PATH" POLICY_RC_D="$tmp/policy-rc.d" apt_install no-such-package 2>/dev/null >/dev/null || true
  check "a policy-rc.d that was there stays" '[ -x "$tmp/policy-rc.d" ] && grep -q "exit 0" "$tmp/policy-rc.d"'
else
  echo "skip apt_install checks: not root"
fi

[ "$fails" -eq 0 ] || { echo "$fails testlib checks failed" >&2; exit 1; }
echo "testlib: all checks passed"
