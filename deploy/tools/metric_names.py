#!/usr/bin/env python3
"""Lists every metric name the deploy assets use and checks it against the catalog and a real scrape.

Sources: the rules file, the PrometheusRule, the dashboard (panel and variable queries), the
scrape config and the Kubernetes manifests (any PromQL or metric relabeling they carry). The list goes
to deploy/metric-names.txt (one name a line, with the files using it).

  metric_names.py DEPLOY_DIR             # write deploy/metric-names.txt
  metric_names.py DEPLOY_DIR --check     # fail if the file is stale or a name is not in METRICS-STABILITY.md
  metric_names.py DEPLOY_DIR --check --scrape FILE
                                         # also fail if a name is missing from a scrape (text format)
  metric_names.py DEPLOY_DIR --check --scrape FILE --optional NAME ...
                                         # NAME may be missing from the scrape (reported, not failed)
"""

import argparse
import glob
import json
import os
import re
import sys

import yaml

# Series Prometheus itself creates for every target.
SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_series_added"}
KEYWORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "offset", "Inf", "NaN", "inf", "nan", "atan2",
    # aggregation operators, which may be followed by `by (...)` instead of `(`
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
    "quantile",
}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def names_in_promql(expr):
    """Metric names in a PromQL expression (a tokenizer, not a parser; enough for our own queries)."""
    s = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    s = re.sub(r"\{[^}]*\}", "{}", s)  # label matchers
    s = re.sub(r"\[[^\]]*\]", "[]", s)  # ranges
    s = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r"\1", s)
    found = set()
    for m in re.finditer(r"(?<![\w.$])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?", s):
        name, call = m.group(1), m.group(2)
        if call or name in KEYWORDS:
            continue
        found.add(name)
    return found


def used_names(deploy):
    """{metric name: set of files} for every name the assets use; recording rules excluded."""
    used = {}

    def add(names, where):
        for n in names:
            used.setdefault(n, set()).add(where)

    rel = lambda p: os.path.relpath(p, deploy)  # noqa: E731
    recorded = set()
    for path in [os.path.join(deploy, "prometheus", "nundb-rules.yml")]:
        for g in yaml.safe_load(open(path))["groups"]:
            for r in g["rules"]:
                add(names_in_promql(r["expr"]), rel(path))
                if "record" in r:
                    recorded.add(r["record"])
    for path in sorted(glob.glob(os.path.join(deploy, "kubernetes", "*.yaml"))):
        for doc in yaml.safe_load_all(open(path)):
            if not doc:
                continue
            if doc.get("kind") == "PrometheusRule":
                for g in doc["spec"]["groups"]:
                    for r in g["rules"]:
                        add(names_in_promql(r["expr"]), rel(path))
            for ep in doc.get("spec", {}).get("endpoints", []) if doc.get("kind") == "ServiceMonitor" else []:
                for mr in ep.get("metricRelabelings", []):
                    if "__name__" in mr.get("sourceLabels", []):
                        add(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", mr.get("regex", "")), rel(path))
    board_path = os.path.join(deploy, "grafana", "dashboards", "nundb.json")
    board = json.load(open(board_path))
    for p in board["panels"]:
        for t in p.get("targets", []):
            add(names_in_promql(t["expr"]), rel(board_path))
    for v in board["templating"]["list"]:
        if v["type"] == "query":
            q = v["query"]["query"]
            add(names_in_promql(re.sub(r"^label_values\((.*),\s*\w+\)$", r"\1", q)), rel(board_path))
    for name in list(used):
        if name in recorded or ":" in name:
            del used[name]
    return used


def catalog(deploy):
    """{name: type} from the tables of METRICS-STABILITY.md."""
    out = {}
    for line in open(os.path.join(deploy, "METRICS-STABILITY.md")):
        m = re.match(r"^\|\s*`([a-z_:][a-z0-9_:]*)`\s*\|\s*([a-z]+)", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def base_name(name, types):
    """The catalog name a used name belongs to: histogram series map to their histogram."""
    if name in types:
        return name
    for suf in HISTOGRAM_SUFFIXES:
        if name.endswith(suf) and types.get(name[: -len(suf)]) == "histogram":
            return name[: -len(suf)]
    return None


def scraped_names(path):
    names = set()
    for line in open(path, encoding="utf-8"):
        if line.startswith("# TYPE "):
            parts = line.split()
            names.add(parts[2])
            if parts[3] in ("histogram", "gaugehistogram"):
                names.update(parts[2] + s for s in HISTOGRAM_SUFFIXES)
            if parts[3] == "counter" and not parts[2].endswith("_total"):
                names.add(parts[2] + "_total")  # OpenMetrics: TYPE names the family without _total
        elif line.strip() and not line.startswith("#"):
            names.add(re.match(r"[^{\s]+", line).group(0))
    return names


def render_list(used):
    lines = [
        "# Metric names used by deploy/ (rules, dashboard, manifests). Generated by",
        "# deploy/tools/metric_names.py; deploy/test.sh checks it is current.",
    ]
    for name in sorted(used):
        lines.append(f"{name}\t{','.join(sorted(used[name]))}")
    return "\n".join(lines) + "\n"


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("deploy")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--scrape", help="a /metrics response body (text format) to check the names against")
    ap.add_argument("--optional", nargs="*", default=[], help="names that may be missing from the scrape")
    args = ap.parse_args(argv)

    used = used_names(args.deploy)
    text = render_list(used)
    out = os.path.join(args.deploy, "metric-names.txt")
    errors = []
    if args.check:
        current = open(out).read() if os.path.exists(out) else ""
        if current != text:
            errors.append("deploy/metric-names.txt is stale: run python3 deploy/tools/metric_names.py deploy")
    else:
        with open(out, "w") as f:
            f.write(text)
        print(f"wrote {out}")

    types = catalog(args.deploy)
    if len(types) < 40:
        errors.append(f"only {len(types)} names read from METRICS-STABILITY.md; its tables are broken")
    for name in sorted(used):
        if name not in SYNTHETIC and not base_name(name, types):
            errors.append(f"{name} (used in {', '.join(sorted(used[name]))}) is not in METRICS-STABILITY.md")
    skipped = 0
    if args.scrape:
        scraped = scraped_names(args.scrape)
        for name in sorted(used):
            if name not in SYNTHETIC and name not in scraped and name in args.optional:
                print(f"SKIP {name}: not in the scrape (optional: the exporter does not expose it yet)")
                skipped += 1
            elif name not in SYNTHETIC and name not in scraped:
                errors.append(f"{name} (used in {', '.join(sorted(used[name]))}) is not in the scrape {args.scrape}")
    for e in errors:
        print("ERROR " + e, file=sys.stderr)
    if not errors:
        print(f"{len(used)} metric names used, all in METRICS-STABILITY.md ({len(types)} names)"
              + (f" and in the scrape {args.scrape}" if args.scrape else "")
              + (f" except {skipped} optional names (SKIP above)" if skipped else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
