#!/usr/bin/env python3
"""Checks deploy/alertmanager/alertmanager.yml against the rules: grouping by cluster and node, every
alert name its inhibitions and routes mention exists, the `equal` labels are carried by both sides.

Usage: check_alertmanager.py DEPLOY_DIR
"""

import os
import re
import sys

import yaml


def alerts(deploy):
    with open(os.path.join(deploy, "prometheus", "nundb-rules.yml")) as f:
        return {r["alert"]: r for g in yaml.safe_load(f)["groups"] for r in g["rules"] if "alert" in r}


def matcher_names(matchers, known):
    """Alert names a list of matcher strings selects (alertname matchers only)."""
    selected = set(known)
    for m in matchers:
        mm = re.match(r'^\s*alertname\s*(=~|!~|!=|=)\s*"(.*)"\s*$', m)
        if not mm:
            continue
        op, val = mm.groups()
        rx = re.compile(val if op in ("=~", "!~") else re.escape(val))
        keep = (lambda n: rx.fullmatch(n)) if op in ("=", "=~") else (lambda n: not rx.fullmatch(n))
        selected = {n for n in selected if keep(n)}
    return selected


def main(deploy):
    known = alerts(deploy)
    with open(os.path.join(deploy, "alertmanager", "alertmanager.yml")) as f:
        am = yaml.safe_load(f)
    errors = []
    gb = am["route"].get("group_by", [])
    for label in ("alertname", "nundb_cluster", "node"):
        if label not in gb:
            errors.append(f"route.group_by lacks {label}")
    for i, rule in enumerate(am.get("inhibit_rules", [])):
        src = matcher_names(rule["source_matchers"], known)
        dst = matcher_names(rule["target_matchers"], known)
        if not src or not dst:
            errors.append(f"inhibit_rules[{i}] selects no existing alert (source {src}, target {dst})")
        for name in src | dst:
            expr = known[name]["expr"]
            for label in rule.get("equal", []):
                # cluster-level alerts (sum by cluster) carry only the cluster label
                if label == "node" and "sum by" in expr:
                    errors.append(f"inhibit_rules[{i}]: {name} has no label {label}")
        print(f"inhibit_rules[{i}]: {sorted(src)} inhibit {sorted(dst)} on {rule.get('equal')}")
    for e in errors:
        print("ERROR " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
