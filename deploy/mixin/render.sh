#!/usr/bin/env bash
# Renders the nundb-exporter mixin (mixin.libsonnet) with jsonnet into the files deploy/ ships: the rules
# file, its copy in the Helm chart, the PrometheusRule and the Grafana dashboard (list: render.jsonnet).
#
#   deploy/mixin/render.sh                 # write into deploy/
#   deploy/mixin/render.sh --out-dir DIR   # write into DIR (same relative paths)
#   deploy/mixin/render.sh --check         # render into a temporary directory, fail on any difference
#
# Needs jsonnet (Debian package `jsonnet`). Your own thresholds: import mixin.libsonnet and override
# _config (see config.libsonnet) rather than editing the rendered files.
set -euo pipefail

MIXIN="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEPLOY="$(dirname "$MIXIN")"
OUT="$DEPLOY"
CHECK=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out-dir) OUT="$2"; shift 2 ;;
    --check) CHECK=1; shift ;;
    *) echo "usage: $0 [--check] [--out-dir DIR]" >&2; exit 2 ;;
  esac
done
command -v jsonnet >/dev/null || { echo "jsonnet is missing (Debian package jsonnet)" >&2; exit 1; }

if [[ $CHECK == 1 ]]; then
  OUT="$(mktemp -d)"
  trap 'rm -rf "$OUT"' EXIT
fi
mapfile -t files < <(jsonnet -S -J "$MIXIN" -e 'std.join("\n", std.objectFields(import "render.jsonnet"))')
for f in "${files[@]}"; do mkdir -p "$OUT/$(dirname "$f")"; done
(cd "$MIXIN" && jsonnet -S -m "$OUT" render.jsonnet >/dev/null)

if [[ $CHECK == 1 ]]; then
  stale=()
  for f in "${files[@]}"; do
    diff -u --label "$f (committed)" --label "$f (rendered)" "$DEPLOY/$f" "$OUT/$f" || stale+=("$f")
  done
  if [[ ${#stale[@]} -gt 0 ]]; then
    echo "stale rendered files: ${stale[*]}; run deploy/mixin/render.sh" >&2
    exit 1
  fi
  echo "rendered files are current: ${files[*]}"
else
  printf 'wrote %s\n' "${files[@]/#/$OUT/}"
fi
