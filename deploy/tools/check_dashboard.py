#!/usr/bin/env python3
"""Checks the Grafana dashboard and its provisioning, running every query through a real Prometheus.

promtool (2.42) has no command to parse a query, so this starts `prometheus` on a temporary storage
path and a free loopback port (with the shipped rules loaded), substitutes the dashboard variables,
fails on any `$` left over, and sends every query to /api/v1/query: a parse error fails the check.
Before that, every panel is checked for a description and a unit that fits its metrics (seconds for
`_seconds`, bytes for `_bytes`, a count otherwise), and panels showing a state for a state timeline
with value mappings and thresholds coloured by meaning (STATE_METRICS).

  check_dashboard.py DEPLOY_DIR                       # parse only, own Prometheus
  check_dashboard.py DEPLOY_DIR --prometheus URL --cluster prod --node nundb-0.nundb:3014 --require-data
                                                      # end to end: every query must return data
  ... --require-data --optional-metric NAME ...       # except queries using NAME, a metric the exporter
                                                      # does not expose yet (reported as SKIP)
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from metric_names import names_in_promql  # noqa: E402


def queries(board):
    """(where, expr) for every panel target and every query variable."""
    out = []
    for panel in board["panels"]:
        for t in panel.get("targets", []):
            out.append((f"panel {panel['id']} '{panel['title']}' {t['refId']}", t["expr"]))
    for v in board["templating"]["list"]:
        if v["type"] == "query":
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", q)
            if not m:
                raise SystemExit(f"variable {v['name']}: only label_values(selector, label) is supported: {q}")
            out.append((f"variable {v['name']}", m.group(1)))
    return out


def structure_errors(board):
    errors = []
    names = {v["name"]: v for v in board["templating"]["list"]}
    for want in ("datasource", "nundb_cluster", "node"):
        if want not in names:
            errors.append(f"missing variable ${want}")
    if names.get("datasource", {}).get("query") != "prometheus":
        errors.append("datasource variable must select prometheus datasources")
    ids = [p["id"] for p in board["panels"]]
    if len(ids) != len(set(ids)):
        errors.append("duplicate panel ids")
    for p in board["panels"]:
        for obj in [p] + p.get("targets", []):
            if obj.get("datasource", {}).get("uid") != "${datasource}":
                errors.append(f"panel {p['id']}: datasource must be ${{datasource}}")
        for t in p.get("targets", []):
            for rng in re.findall(r"\[([^\]]+)\]", t["expr"]):
                if rng != "$__rate_interval":
                    errors.append(f"panel {p['id']}: range [{rng}] should be [$__rate_interval]")
    return errors


# Metrics whose value is a state: panels showing them map each value to a name and a colour by meaning.
# A state panel must map at least these values to these colours (other values may be mapped too).
UP_DOWN = {"0": "red", "1": "green"}
STATE_METRICS = {
    "up": UP_DOWN,
    "nundb_up": UP_DOWN,
    "nundb_node_role": {"0": "red", "3": "green"},  # no role reported ... primary (see the dashboard)
    "nundb_cluster_views_agree": {"0": "red", "1": "green"},  # disagree, agree
    "nundb_replication_sentinel_present": {"0": "red", "1": "green"},  # missing, present
}
COUNT_UNITS = {"short", "none", "reqps", "ops"}


def metric_kind(names):
    """What a query's metric names measure: state, info, seconds, bytes or count (None when mixed)."""
    kinds = set()
    for n in names:
        if n in STATE_METRICS:
            kinds.add("state")
        elif n.endswith("_info"):
            kinds.add("info")
        elif n.endswith(("_seconds", "_seconds_bucket")):
            kinds.add("seconds")
        elif n.endswith("_bytes"):
            kinds.add("bytes")
        else:
            kinds.add("count")
    return kinds.pop() if len(kinds) == 1 else None


def value_names(expr):
    """Metric names that carry a query's value: `x and on (...) y` and `x unless y` take values from x."""
    return names_in_promql(re.split(r"\s(?:and|unless)\s", expr)[0])


def threshold_color(steps, value):
    """The colour the thresholds give to value (the last step at or below it; the base step has value null)."""
    color = None
    for step in steps:
        if step.get("value") is None or step["value"] <= value:
            color = step["color"]
    return color


def unit_errors(board):
    """Each panel: a description and a unit that fits the metrics; state panels: mappings and thresholds."""
    errors = []
    for p in board["panels"]:
        where = f"panel {p['id']} '{p['title']}'"
        if not p.get("description", "").strip():
            errors.append(f"{where}: no description")
        defaults = p.get("fieldConfig", {}).get("defaults", {})
        unit = defaults.get("unit")
        if not unit:
            errors.append(f"{where}: no unit")
            continue
        kinds = {metric_kind(value_names(t["expr"])) for t in p.get("targets", [])}
        if None in kinds or len(kinds) != 1:
            errors.append(f"{where}: its queries mix kinds of metric (a state, seconds, bytes, counts)")
            continue
        kind = kinds.pop()
        if kind == "seconds" and unit != "s":
            errors.append(f"{where}: durations need unit s, not {unit}")
        elif kind == "bytes" and unit != "bytes":
            errors.append(f"{where}: sizes need unit bytes, not {unit}")
        elif kind == "count" and unit not in COUNT_UNITS:
            errors.append(f"{where}: counts need one of {sorted(COUNT_UNITS)}, not {unit}")
        elif kind == "count" and unit == "reqps" and not all("rate(" in t["expr"] for t in p["targets"]):
            errors.append(f"{where}: unit reqps needs rate() in every query")
        elif kind == "info" and (p["type"] != "stat" or p.get("options", {}).get("textMode") != "name"):
            errors.append(f"{where}: an info metric is shown as a stat of its labels (textMode name)")
        elif kind == "state":
            errors.extend(state_errors(p, where, unit, defaults))
    return errors


def state_errors(p, where, unit, defaults):
    errors = []
    if p["type"] not in ("state-timeline", "stat"):
        errors.append(f"{where}: a state is shown as a state-timeline or stat, not {p['type']}")
    if unit != "none":
        errors.append(f"{where}: a state has unit none, not {unit}")
    mapped = {}
    for m in defaults.get("mappings", []):
        if m.get("type") == "value":
            mapped.update(m.get("options", {}))
    steps = defaults.get("thresholds", {}).get("steps", [])
    if defaults.get("color", {}).get("mode") != "thresholds" or not steps:
        errors.append(f"{where}: a state is coloured by thresholds (color mode thresholds), not a palette")
    metrics = set()
    for t in p["targets"]:
        metrics |= value_names(t["expr"])
    for metric in sorted(metrics):
        for value, color in STATE_METRICS[metric].items():
            if value not in mapped or not mapped[value].get("text"):
                errors.append(f"{where}: value {value} of {metric} has no value mapping with a text")
            elif mapped[value].get("color") != color:
                errors.append(f"{where}: value {value} of {metric} maps to {mapped[value].get('color')}, not {color}")
            if steps and threshold_color(steps, float(value)) != color:
                errors.append(f"{where}: thresholds colour value {value} of {metric} "
                              f"{threshold_color(steps, float(value))}, not {color}")
    for value, m in mapped.items():
        if steps and m.get("color") != threshold_color(steps, float(value)):
            errors.append(f"{where}: mapping of {value} and thresholds disagree on its colour")
    return errors


def substitute(expr, cluster, node, rate_interval):
    s = expr.replace("$__rate_interval", rate_interval)
    s = s.replace("${nundb_cluster}", cluster).replace("$nundb_cluster", cluster)
    s = s.replace("${node}", node).replace("$node", node)
    return s


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(base, expr):
    url = base.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:  # 400 carries the parse error as JSON
        return json.load(e)


def start_prometheus(deploy, workdir):
    port = free_port()
    cfg = os.path.join(workdir, "prometheus.yml")
    with open(cfg, "w") as f:
        f.write(
            "global: {scrape_interval: 15s, evaluation_interval: 15s}\n"
            f"rule_files: [{os.path.join(deploy, 'prometheus', 'nundb-rules.yml')}]\n"
            "scrape_configs: []\n"
        )
    log = open(os.path.join(workdir, "prometheus.log"), "w")
    proc = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={cfg}",
            f"--storage.tsdb.path={os.path.join(workdir, 'data')}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("prometheus exited:\n" + open(log.name).read())
        try:
            with urllib.request.urlopen(base + "/-/ready", timeout=1) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            pass
        time.sleep(0.2)  # polling a readiness endpoint, not waiting for a result
    proc.kill()
    raise SystemExit("prometheus did not become ready in 30s:\n" + open(log.name).read())


def check_provisioning(deploy):
    errors = []
    prov = os.path.join(deploy, "grafana", "provisioning")
    with open(os.path.join(prov, "dashboards", "nundb.yaml")) as f:
        d = yaml.safe_load(f)
    if d.get("apiVersion") != 1 or not d.get("providers"):
        errors.append("dashboards provisioning: apiVersion 1 with providers expected")
    with open(os.path.join(prov, "datasources", "prometheus.yaml")) as f:
        ds = yaml.safe_load(f)
    if ds.get("apiVersion") != 1 or not any(x.get("type") == "prometheus" for x in ds.get("datasources", [])):
        errors.append("datasources provisioning: a prometheus datasource expected")
    return errors


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("deploy")
    ap.add_argument("--prometheus", help="use this Prometheus instead of starting one")
    ap.add_argument("--cluster", default="prod")
    ap.add_argument("--node", default="nundb-0.nundb:3014")
    ap.add_argument("--rate-interval", default="1m")
    ap.add_argument("--require-data", action="store_true", help="every query must return a non-empty result")
    ap.add_argument("--optional-metric", nargs="*", default=[], help="queries using these may return no data")
    args = ap.parse_args(argv)

    with open(os.path.join(args.deploy, "grafana", "dashboards", "nundb.json")) as f:
        board = json.load(f)
    errors = structure_errors(board) + unit_errors(board) + check_provisioning(args.deploy)
    if not errors:
        print(f"{len(board['panels'])} panels: description, unit fitting their metrics, state mappings")

    workdir = None
    proc = None
    base = args.prometheus
    try:
        if not base:
            workdir = tempfile.mkdtemp(prefix="nundb-dashboard-check-")
            proc, base = start_prometheus(os.path.abspath(args.deploy), workdir)
        checked = 0
        skipped = 0
        for where, expr in queries(board):
            q = substitute(expr, args.cluster, args.node, args.rate_interval)
            if "$" in q:
                errors.append(f"{where}: variable left after substitution: {q}")
                continue
            res = query(base, q)
            if res.get("status") != "success":
                errors.append(f"{where}: {res.get('errorType')}: {res.get('error')}\n    {q}")
            elif args.require_data and not res["data"]["result"] and names_in_promql(expr) & set(args.optional_metric):
                missing = sorted(names_in_promql(expr) & set(args.optional_metric))
                print(f"SKIP {where}: no data, uses {', '.join(missing)} (not exposed by the exporter yet)")
                skipped += 1
            elif args.require_data and not res["data"]["result"]:
                errors.append(f"{where}: no data\n    {q}")
            checked += 1
        if proc:
            rules = json.load(urllib.request.urlopen(base + "/api/v1/rules", timeout=10))
            n = sum(len(g["rules"]) for g in rules["data"]["groups"])
            if n == 0:
                errors.append("prometheus loaded no rules from nundb-rules.yml")
            print(f"prometheus at {base} loaded {n} rules")
        print(f"{checked} dashboard queries sent to {base}"
              + (f", {checked - skipped} returned data, {skipped} skipped for data" if args.require_data else ""))
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    for e in errors:
        print("ERROR " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
