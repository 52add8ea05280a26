#!/usr/bin/env bash
# Routing assertions for deploy/alertmanager/alertmanager.yml with `amtool config routes test`.
set -euo pipefail
CONFIG="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/alertmanager.yml"

expect() { # expect RECEIVER LABEL=VALUE...
  local want="$1"; shift
  if ! amtool config routes test --config.file="$CONFIG" --verify.receivers="$want" "$@" 2>/dev/null >/dev/null; then
    echo "FAIL: $* should route to $want, got: $(amtool config routes test --config.file="$CONFIG" "$@" 2>/dev/null)" >&2
    exit 1
  fi
  echo "ok: $* -> $want"
}

expect pager severity=critical alertname=NunDbNodeDown nundb_cluster=prod node=nundb-0.nundb:3014
expect pager severity=critical alertname=NunDbNoPrimary nundb_cluster=prod
expect chat severity=warning alertname=NunDbReplicationLagHigh nundb_cluster=prod node=nundb-2.nundb:3014
expect chat severity=info alertname=NunDbNodeRestarted nundb_cluster=prod node=nundb-1.nundb:3014
expect default alertname=SomethingElse

# the assertion itself must be able to fail
if amtool config routes test --config.file="$CONFIG" --verify.receivers=pager severity=warning >/dev/null 2>&1; then
  echo "FAIL: amtool accepted a wrong receiver" >&2
  exit 1
fi
echo "ok: a wrong expected receiver is reported"
