"""Recording and alerting rules of the nundb-exporter mixin, written once, configured by config.json.

Every expression is built from the configured selector (which exporter job) and cluster label
(the target label the scrape config adds); thresholds and `for` durations come from the config.
The output is one list of rule groups, rendered both as a plain rules file and as a PrometheusRule.

Prometheus compatibility: written for and tested with Prometheus 2.42 (Debian bookworm). Avoided on
purpose because their results differ in 3.x: regex matchers with `.` (3.x lets `.` match newlines),
`le`/`quantile` label matchers on float values (3.x normalises them), `holt_winters` (renamed), and
assertions on values that depend on whether a sample sits exactly on a range's left edge (3.x ranges
are left-open). See deploy/README.md.
"""

import math


def duration(seconds):
    """Formats whole seconds as the shortest Prometheus duration (90 -> '1m30s')."""
    seconds = int(seconds)
    if seconds <= 0:
        return "0s"
    parts = []
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts)


def no_primary_for_seconds(cfg):
    """`for` of the no-primary and split-brain alerts: longer than a normal failover can look bad.

    A failover is seen as "no primary" for at most the measured election window, plus one exporter
    poll (the exporter sees the new primary on its next poll), plus one scrape interval (Prometheus
    keeps the last bad sample until its next scrape), plus one rule evaluation interval (the alert's
    pending state starts at an evaluation). With the defaults: 1.5 + 1 + 15 + 15 = 32.5 s, rounded up
    to the next whole minute, 1m, so one late scrape does not page either.
    """
    worst = (
        cfg["failoverWindowSeconds"]
        + cfg["pollIntervalSeconds"]
        + cfg["scrapeIntervalSeconds"]
        + cfg["evaluationIntervalSeconds"]
    )
    return int(math.ceil(worst / 60.0)) * 60


def _num(v):
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def groups(cfg):
    s = cfg["exporterSelector"]
    c = cfg["clusterLabel"]
    rb = cfg["runbookUrl"]
    lc = "{{ $labels.%s }}" % c
    failover_for = duration(no_primary_for_seconds(cfg))
    lag_t = _num(cfg["replicationLagThresholdSeconds"])
    waiting_t = _num(cfg["opsWaitingThresholdSeconds"])
    ema_t = _num(cfg["replicationTimeEmaThresholdSeconds"])

    def alert(name, expr, severity, summary, description, for_=None, keep_firing_for=None):
        rule = {"alert": name, "expr": expr}
        if for_:
            rule["for"] = for_
        if keep_firing_for:
            rule["keep_firing_for"] = keep_firing_for
        rule["labels"] = {"severity": severity}
        rule["annotations"] = {
            "summary": summary,
            "description": description,
            "runbook_url": f"{rb}#{name.lower()}",
        }
        return rule

    recording = {
        "name": "nundb-exporter.recording",
        "rules": [
            {"record": f"{c}:nundb_up:sum", "expr": f"sum by ({c}) (nundb_up{{{s}}})"},
            {
                "record": f"{c}:nundb_node_claims_primary:sum",
                "expr": f"sum by ({c}) (nundb_node_claims_primary{{{s}}})",
            },
            {
                "record": f"{c}_member_state:nundb_replication_pending_ops:sum",
                "expr": f"sum by ({c}, member, state) (nundb_replication_pending_ops{{{s}}})",
            },
            {
                "record": f"{c}_node:nundb_replication_canary_lag_seconds:p99_rate5m",
                "expr": (
                    f"histogram_quantile(0.99, sum by ({c}, node, le) "
                    f"(rate(nundb_replication_canary_lag_seconds_bucket{{{s}}}[5m])))"
                ),
            },
            {
                "record": f"{c}_node_command:nundb_request_duration_seconds:p99_rate5m",
                "expr": (
                    f"histogram_quantile(0.99, sum by ({c}, node, command, le) "
                    f"(rate(nundb_request_duration_seconds_bucket{{{s}}}[5m])))"
                ),
            },
        ],
    }

    exporter = {
        "name": "nundb-exporter.exporter",
        "rules": [
            alert(
                "NunDbExporterDown",
                f"up{{{s}}} == 0",
                "critical",
                f"nundb-exporter {{{{ $labels.instance }}}} of Nun-db cluster {lc} cannot be scraped",
                f"Prometheus has failed to scrape {{{{ $labels.instance }}}} (job {{{{ $labels.job }}}}) for "
                f"{cfg['exporterDownFor']}. Nun-db cluster {lc} is not monitored; other Nun-db alerts are "
                f"inhibited while this fires.",
                for_=cfg["exporterDownFor"],
            ),
            alert(
                "NunDbExporterAbsent",
                f"absent(up{{{s}}})",
                "critical",
                "No nundb-exporter target is known to Prometheus",
                f"Prometheus has had no target matching {{{s}}} for {cfg['exporterAbsentFor']}: the scrape "
                f"config, ServiceMonitor or service discovery lost the exporter.",
                for_=cfg["exporterAbsentFor"],
            ),
            alert(
                "NunDbExporterAuthFailing",
                f"increase(nundb_exporter_poll_errors_total{{{s},reason=\"auth\"}}[{cfg['authFailureWindow']}]) > 0",
                "critical",
                f"nundb-exporter cannot authenticate to Nun-db node {{{{ $labels.node }}}} of cluster {lc}",
                f"Nun-db node {{{{ $labels.node }}}} of cluster {lc} rejected the exporter's user and password "
                f"in the last {cfg['authFailureWindow']}. Its metrics are missing until the secret is fixed; "
                f"node-down alerts for it are inhibited because the node itself may be healthy.",
            ),
        ],
    }

    nodes = {
        "name": "nundb-exporter.nodes",
        "rules": [
            alert(
                "NunDbNodeDown",
                f"nundb_up{{{s}}} == 0",
                "critical",
                f"Nun-db node {{{{ $labels.node }}}} of cluster {lc} is down",
                f"The exporter has not been able to poll Nun-db node {{{{ $labels.node }}}} of cluster {lc} "
                f"for {cfg['nodeDownFor']}. Its lag and canary alerts are inhibited while this fires.",
                for_=cfg["nodeDownFor"],
            ),
            alert(
                "NunDbClusterMembersMissing",
                f"nundb_cluster_members_up{{{s}}} < nundb_cluster_expected_members{{{s}}}",
                "warning",
                f"Nun-db cluster {lc} has fewer members up than expected",
                f"Only {{{{ $value }}}} members of Nun-db cluster {lc} are up, fewer than the configured "
                f"expected members, for {cfg['membersMissingFor']}.",
                for_=cfg["membersMissingFor"],
            ),
            alert(
                "NunDbNodeRestarted",
                f"changes(nundb_node_start_time_seconds{{{s}}}[{cfg['nodeRestartedWindow']}]) > 0",
                "info",
                f"Nun-db node {{{{ $labels.node }}}} of cluster {lc} restarted",
                f"The start time of Nun-db node {{{{ $labels.node }}}} of cluster {lc} changed in the last "
                f"{cfg['nodeRestartedWindow']}: the process restarted. Its pending ops, kept only in memory, "
                f"started again from zero.",
            ),
        ],
    }

    primary = {
        "name": "nundb-exporter.primary",
        "rules": [
            alert(
                "NunDbNoPrimary",
                f"sum by ({c}) (nundb_node_claims_primary{{{s}}}) == 0",
                "critical",
                f"Nun-db cluster {lc} has no primary",
                f"No reachable node of Nun-db cluster {lc} claims to be primary, for longer than a normal "
                f"failover takes ({failover_for}). Writes fail until a primary is elected.",
                for_=failover_for,
            ),
            alert(
                "NunDbSplitBrain",
                f"sum by ({c}) (nundb_node_claims_primary{{{s}}}) > 1",
                "critical",
                f"Nun-db cluster {lc} has more than one primary",
                f"{{{{ $value }}}} nodes of Nun-db cluster {lc} each claim to be primary, for longer than a "
                f"normal failover takes ({failover_for}). Writes to different primaries diverge.",
                for_=failover_for,
            ),
            alert(
                "NunDbReplicationTimeHigh",
                (
                    f"nundb_replication_time_ema_seconds{{{s}}} > {ema_t}\n"
                    f"and on ({c}, node)\n"
                    f"nundb_node_claims_primary{{{s}}} == 1"
                ),
                "warning",
                f"Nun-db primary {{{{ $labels.node }}}} of cluster {lc} replicates slowly",
                f"The replication time moving average reported by primary {{{{ $labels.node }}}} of cluster "
                f"{lc} is {{{{ $value | humanizeDuration }}}}, above {ema_t}s, for "
                f"{cfg['replicationTimeEmaFor']}. Only the node claiming primary is considered: a secondary's "
                f"average freezes at its last value after a failover.",
                for_=cfg["replicationTimeEmaFor"],
            ),
        ],
    }

    lag_window = cfg["replicationLagRecoveryWindow"]
    replication = {
        "name": "nundb-exporter.replication",
        "rules": [
            alert(
                "NunDbReplicationLagHigh",
                (
                    f"nundb_replication_lag_seconds{{{s}}} > {lag_t}\n"
                    f"unless\n"
                    f"nundb_replication_lag_seconds{{{s}}}\n"
                    f"  < {_num(cfg['replicationLagRecoveryRatio'])} * "
                    f"max_over_time(nundb_replication_lag_seconds{{{s}}}[{lag_window}])"
                ),
                "warning",
                f"Nun-db member {{{{ $labels.node }}}} of cluster {lc} lags behind the primary",
                f"Canary writes reach Nun-db member {{{{ $labels.node }}}} of cluster {lc} "
                f"{{{{ $value | humanizeDuration }}}} late (threshold {lag_t}s) and the lag is not shrinking (it "
                f"is not below {_num(cfg['replicationLagRecoveryRatio'])} of its {lag_window} maximum). "
                f"Reads from this member return stale data.",
                for_=cfg["replicationLagFor"],
                keep_firing_for=cfg["replicationLagKeepFiringFor"],
            ),
            alert(
                "NunDbReplicationCanaryLost",
                f"increase(nundb_replication_canary_lost_total{{{s}}}[{cfg['canaryLostWindow']}]) > 0",
                "warning",
                f"Canary writes never reached Nun-db member {{{{ $labels.node }}}} of cluster {lc}",
                f"At least one canary write to the primary of cluster {lc} was never seen on member "
                f"{{{{ $labels.node }}}} in the last {cfg['canaryLostWindow']}: replication to it dropped "
                f"a write.",
            ),
            alert(
                "NunDbReplicationOpsWaitingTooLong",
                f"time() - nundb_replication_oldest_waiting_timestamp_seconds{{{s}}} > {waiting_t}",
                "warning",
                f"Ops wait on Nun-db member {{{{ $labels.member }}}} of cluster {lc} for too long",
                f"The oldest op that primary {{{{ $labels.node }}}} of cluster {lc} has not yet seen "
                f"acknowledged by member {{{{ $labels.member }}}} has waited {{{{ $value | humanizeDuration }}}} "
                f"(threshold {waiting_t}s).",
                for_=cfg["opsWaitingFor"],
            ),
            alert(
                "NunDbReplicationOrphanedOps",
                (
                    f"min_over_time(nundb_replication_pending_ops{{{s},state=\"orphaned\"}}"
                    f"[{cfg['orphanedOpsWindow']}]) > 0"
                ),
                "warning",
                f"Nun-db primary {{{{ $labels.node }}}} of cluster {lc} keeps orphaned pending ops",
                f"Primary {{{{ $labels.node }}}} of cluster {lc} has held at least {{{{ $value }}}} orphaned "
                f"pending ops for member {{{{ $labels.member }}}} during the whole last "
                f"{cfg['orphanedOpsWindow']}. Orphaned ops are never acknowledged and grow the op log.",
            ),
        ],
    }
    return [recording, exporter, nodes, primary, replication]
