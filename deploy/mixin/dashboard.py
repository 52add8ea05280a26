"""The Grafana dashboard of the nundb-exporter mixin, built from the same config as the rules.

Variables: `datasource` (any Prometheus), `$<clusterLabel>` (one Nun-db cluster) and `$node` (multi).
Rates use `$__rate_interval`, which Grafana derives from the scrape interval set on the datasource.
"""

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


def _target(ref, expr, legend):
    return {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend, "refId": ref}


def _panel(pid, kind, title, description, grid, unit, targets, extra=None):
    panel = {
        "datasource": DATASOURCE,
        "description": description,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "gridPos": grid,
        "id": pid,
        "targets": [_target(chr(ord("A") + i), e, legend) for i, (e, legend) in enumerate(targets)],
        "title": title,
        "type": kind,
    }
    if extra:
        panel.update(extra)
    return panel


def dashboard(cfg):
    s = cfg["exporterSelector"]
    c = cfg["clusterLabel"]
    cl = f'{s},{c}=~"${c}"'
    nd = f'{cl},node=~"$node"'
    panels = []
    layout = [
        # (kind, title, description, unit, [(expr, legend)], width, height)
        ("state-timeline", "Node up", "1 when the exporter's last poll of the node succeeded.", "none",
         [(f"nundb_up{{{nd}}}", "{{node}}")], 12, 6),
        ("state-timeline", "Node role", "The role each node reports for itself (state set).", "none",
         [(f"max by (node, role) (nundb_node_role{{{nd}}}) == 1", "{{node}} {{role}}")], 12, 6),
        ("timeseries", "Primaries claimed and members up",
         "Nodes claiming primary (1 is healthy), members up and expected members.", "none",
         [(f"sum by ({c}) (nundb_node_claims_primary{{{cl}}})", "claiming primary"),
          (f"max by ({c}) (nundb_cluster_members_up{{{cl}}})", "members up"),
          (f"max by ({c}) (nundb_cluster_expected_members{{{cl}}})", "expected members")], 12, 8),
        ("timeseries", "Replication lag now (exporter-computed)",
         "Current lag per member on the exporter's monotonic clock: the alerting signal.", "s",
         [(f"nundb_replication_lag_seconds{{{nd}}}", "{{node}}")], 12, 8),
        ("timeseries", "Canary lag per member (quantiles)",
         "Quantiles of the canary write-to-seen lag, from the histogram buckets.", "s",
         [(f"histogram_quantile(0.5, sum by (node, le) "
           f"(rate(nundb_replication_canary_lag_seconds_bucket{{{nd}}}[$__rate_interval])))", "{{node}} p50"),
          (f"histogram_quantile(0.99, sum by (node, le) "
           f"(rate(nundb_replication_canary_lag_seconds_bucket{{{nd}}}[$__rate_interval])))", "{{node}} p99")],
         12, 8),
        ("timeseries", "Canary loss and skips",
         "Canary writes never seen on a member, and canary rounds skipped (with reason).", "none",
         [(f"sum by (node) (increase(nundb_replication_canary_lost_total{{{nd}}}[$__rate_interval]))",
           "lost on {{node}}"),
          (f"sum by (reason) (increase(nundb_replication_canary_skipped_total{{{cl}}}[$__rate_interval]))",
           "skipped: {{reason}}")], 12, 8),
        ("timeseries", "Waiting and orphaned ops",
         "Ops the primary (node) holds for each member, by state. Orphaned ops never drain.", "none",
         [(f"sum by (node, member, state) (nundb_replication_pending_ops{{{nd}}})",
           "{{node}} -> {{member}} {{state}}")], 12, 8),
        ("timeseries", "Oldest waiting op age",
         "How long the oldest op not yet acknowledged by a member has waited.", "s",
         [(f"time() - nundb_replication_oldest_waiting_timestamp_seconds{{{nd}}}", "{{node}} -> {{member}}")],
         12, 8),
        ("timeseries", "Op-log size", "Size of each node's op log file.", "bytes",
         [(f"nundb_oplog_size_bytes{{{nd}}}", "{{node}}")], 8, 8),
        ("timeseries", "Op-log entries and pending ops", "Entries in the op log and ops pending replication.",
         "none",
         [(f"nundb_oplog_entries{{{nd}}}", "{{node}} entries"),
          (f"nundb_oplog_pending_ops{{{nd}}}", "{{node}} pending")], 8, 8),
        ("timeseries", "Replication time average (primary only)",
         "Nun-db's own moving average, only for the node claiming primary (a secondary's freezes).", "s",
         [(f"nundb_replication_time_ema_seconds{{{nd}}} and on ({c}, node) "
           f"nundb_node_claims_primary{{{nd}}} == 1", "{{node}}")], 8, 8),
        ("timeseries", "Request duration per command (p99)",
         "99th percentile of the exporter's request round trips to each node, per command.", "s",
         [(f"histogram_quantile(0.99, sum by (node, command, le) "
           f"(rate(nundb_request_duration_seconds_bucket{{{nd}}}[$__rate_interval])))", "{{node}} {{command}}")],
         12, 8),
        ("timeseries", "Request rate per command", "Requests the exporter sends to each node.", "reqps",
         [(f"sum by (node, command) (rate(nundb_exporter_requests_total{{{nd}}}[$__rate_interval]))",
           "{{node}} {{command}}")], 12, 8),
        ("timeseries", "Exporter poll errors", "Poll failures per node and reason (auth, timeout, ...).", "none",
         [(f"sum by (node, reason) (increase(nundb_exporter_poll_errors_total{{{nd}}}[$__rate_interval])) > 0",
           "{{node}} {{reason}}")], 8, 8),
        ("timeseries", "Exporter scrape and collection",
         "Scrape target health, each node's last poll cycle (first request written to last reply read)"
         " and age of the last collection.", "s",
         [(f"up{{{cl}}}", "up {{instance}}"),
          (f"nundb_exporter_collection_duration_seconds{{{nd}}}", "poll cycle {{node}}"),
          (f"time() - nundb_exporter_last_collection_timestamp_seconds{{{cl}}}", "last collection age")],
         8, 8),
        ("stat", "Exporter build", "Version, revision and mode (demo or live) of the exporter.", "none",
         [(f"nundb_exporter_build_info{{{cl}}}", "{{version}} {{revision}} {{mode}}")], 8, 8),
    ]
    x = y = 0
    row_h = 0
    for pid, (kind, title, desc, unit, targets, w, h) in enumerate(layout, start=1):
        if x + w > 24:
            x, y, row_h = 0, y + row_h, 0
        extra = {"options": {"reduceOptions": {"calcs": ["lastNotNull"]}, "textMode": "name"}} if kind == "stat" else None
        panels.append(_panel(pid, kind, title, desc, {"h": h, "w": w, "x": x, "y": y}, unit, targets, extra))
        x += w
        row_h = max(row_h, h)

    variables = [
        {
            "current": {},
            "hide": 0,
            "label": "Data source",
            "name": "datasource",
            "options": [],
            "query": "prometheus",
            "refresh": 1,
            "type": "datasource",
        },
        {
            "current": {},
            "datasource": DATASOURCE,
            "definition": f"label_values(nundb_up{{{s}}}, {c})",
            "hide": 0,
            "label": "Nun-db cluster",
            "name": c,
            "options": [],
            "query": {"query": f"label_values(nundb_up{{{s}}}, {c})", "refId": "cluster"},
            "refresh": 2,
            "sort": 1,
            "type": "query",
        },
        {
            "current": {},
            "datasource": DATASOURCE,
            "definition": f"label_values(nundb_up{{{cl}}}, node)",
            "hide": 0,
            "includeAll": True,
            "label": "Node",
            "multi": True,
            "name": "node",
            "options": [],
            "query": {"query": f"label_values(nundb_up{{{cl}}}, node)", "refId": "node"},
            "refresh": 2,
            "sort": 1,
            "type": "query",
        },
    ]
    return {
        "annotations": {"list": []},
        "description": "Nun-db cluster health, replication lag and exporter health (nundb-exporter mixin).",
        "editable": True,
        "graphTooltip": 1,
        "links": [],
        "panels": panels,
        "refresh": "30s",
        "schemaVersion": 39,
        "tags": ["nundb", "nundb-exporter"],
        "templating": {"list": variables},
        "time": {"from": "now-6h", "to": "now"},
        "timezone": "",
        "title": "Nun-db",
        "uid": "nundb-exporter",
        "version": 1,
    }
