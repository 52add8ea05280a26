#!/usr/bin/env python3
"""Checks the rules beyond what promtool does.

- the plain rules file and the PrometheusRule carry identical groups;
- every alert has severity, summary, description and a runbook_url whose anchor is a heading of
  deploy/RUNBOOK.md;
- every alert has, in deploy/prometheus/tests/, at least one case where it fires with exact labels
  and annotations, and at least one where it is asserted silent.

Usage: check_rules.py DEPLOY_DIR
"""

import glob
import os
import re
import sys

import yaml


def anchors(markdown):
    """GitHub-style anchors of the headings of a markdown file."""
    out = set()
    for line in markdown.splitlines():
        m = re.match(r"^#{1,6}\s+(.*)$", line)
        if m:
            text = m.group(1).strip().lower()
            text = re.sub(r"[^\w\- ]", "", text).replace(" ", "-")
            out.add(text)
    return out


def main(deploy):
    errors = []
    with open(os.path.join(deploy, "prometheus", "nundb-rules.yml")) as f:
        plain = yaml.safe_load(f)
    with open(os.path.join(deploy, "kubernetes", "prometheusrule.yaml")) as f:
        pr = yaml.safe_load(f)
    if pr.get("apiVersion") != "monitoring.coreos.com/v1" or pr.get("kind") != "PrometheusRule":
        errors.append("prometheusrule.yaml is not a monitoring.coreos.com/v1 PrometheusRule")
    if plain["groups"] != pr["spec"]["groups"]:
        errors.append("nundb-rules.yml and prometheusrule.yaml differ")

    with open(os.path.join(deploy, "RUNBOOK.md")) as f:
        runbook_anchors = anchors(f.read())

    alerts = []
    for group in plain["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            name = rule["alert"]
            alerts.append(name)
            labels = rule.get("labels", {})
            ann = rule.get("annotations", {})
            if labels.get("severity") not in ("critical", "warning", "info"):
                errors.append(f"{name}: severity must be critical, warning or info")
            for key in ("summary", "description", "runbook_url"):
                if not ann.get(key):
                    errors.append(f"{name}: missing annotation {key}")
            url = ann.get("runbook_url", "")
            anchor = url.rsplit("#", 1)[-1] if "#" in url else ""
            if not url.split("#")[0].endswith("deploy/RUNBOOK.md") or anchor not in runbook_anchors:
                errors.append(f"{name}: runbook_url {url!r} does not point at a heading of deploy/RUNBOOK.md")

    fires, silent = set(), set()
    for path in sorted(glob.glob(os.path.join(deploy, "prometheus", "tests", "*.yml"))):
        with open(path) as f:
            doc = yaml.safe_load(f)
        for test in doc.get("tests", []):
            for case in test.get("alert_rule_test", []) or []:
                exp = case.get("exp_alerts") or []
                if exp:
                    if all("exp_annotations" in e and "exp_labels" in e for e in exp):
                        fires.add(case["alertname"])
                else:
                    silent.add(case["alertname"])
    for name in alerts:
        if name not in fires:
            errors.append(f"{name}: no promtool test where it fires with exact labels and annotations")
        if name not in silent:
            errors.append(f"{name}: no promtool test where it is asserted silent")

    for e in errors:
        print("ERROR " + e, file=sys.stderr)
    if errors:
        return 1
    print(f"{len(alerts)} alerts: each has severity, summary, description, a RUNBOOK.md section, "
          f"a firing test with exact labels and annotations and a silent test")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
