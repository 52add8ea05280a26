// Alerting rules of the nundb-exporter mixin (the mixin convention's `prometheusAlerts`). Every expression
// is built from the configured selector and cluster label; thresholds and `for` durations come from
// _config.
//
// Prometheus compatibility: written for and tested with Prometheus 2.42 (Debian bookworm). Avoided on
// purpose because their results differ in 3.x: regex matchers with `.` (3.x lets `.` match newlines),
// `le`/`quantile` label matchers on float values (3.x normalises them), `holt_winters` (renamed), and
// assertions on values that depend on whether a sample sits exactly on a range's left edge (3.x ranges
// are left-open). See deploy/README.md.
local num(x) = if std.floor(x) == x then '%d' % x else '%g' % x;

// Whole seconds as the shortest Prometheus duration (90 -> '1m30s').
local duration(seconds) =
  local t = std.floor(seconds);
  local h = std.floor(t / 3600), m = std.floor((t % 3600) / 60), sec = t % 60;
  if t <= 0 then '0s'
  else (if h > 0 then '%dh' % h else '') + (if m > 0 then '%dm' % m else '') + (if sec > 0 then '%ds' % sec else '');

{
  // `for` of the no-primary and split-brain alerts: longer than a normal failover can look bad. A
  // failover is seen as "no primary" for at most the measured election window, plus one exporter poll
  // (the exporter sees the new primary on its next poll), plus one scrape interval (Prometheus keeps the
  // last bad sample until its next scrape), plus one rule evaluation interval (the alert's pending state
  // starts at an evaluation). With the defaults: 1.5 + 5 + 15 + 15 = 36.5 s, rounded up to the next
  // whole minute, 1m, so one late scrape does not page either.
  noPrimaryForSeconds(cfg)::
    std.ceil((cfg.failoverWindowSeconds + cfg.pollIntervalSeconds + cfg.scrapeIntervalSeconds
              + cfg.evaluationIntervalSeconds) / 60) * 60,

  // `for` of the member-missing-data alert: two sentinel intervals. The presence gauge changes once per
  // check, so a 0 held this long was found by three checks in a row (the first and two more); a single
  // stray check (two exporters of an HA pair writing the sentinel at once read as `different` for one
  // round) never pages. A member that lost its data does not get it back by waiting, so nothing is gained
  // by firing sooner. With the default 1m interval: 2m.
  memberMissingDataForSeconds(cfg):: 2 * cfg.sentinelIntervalSeconds,

  prometheusAlerts+:: {
    local cfg = $._config,
    local v = cfg {
      s: cfg.exporterSelector,
      c: cfg.clusterLabel,
      lc: '{{ $labels.%s }}' % cfg.clusterLabel,
      failoverFor: duration($.noPrimaryForSeconds(cfg)),
      viewsDisagreeFor: duration(cfg.viewsDisagreeForSeconds),
      sentinelFor: duration($.memberMissingDataForSeconds(cfg)),
      lagT: num(cfg.replicationLagThresholdSeconds),
      waitingT: num(cfg.opsWaitingThresholdSeconds),
      emaT: num(cfg.replicationTimeEmaThresholdSeconds),
      ratio: num(cfg.replicationLagRecoveryRatio),
    },
    local alert(name, expr, severity, summary, description, forDuration=null, keepFiringFor=null) = {
      alert: name,
      expr: std.rstripChars(expr % v, '\n'),
      labels: { severity: severity },
      annotations: {
        summary: summary % v,
        description: description % v,
        runbook_url: '%s#%s' % [cfg.runbookUrl, std.asciiLower(name)],
      },
    } + (if forDuration != null then { 'for': forDuration } else {})
      + (if keepFiringFor != null then { keep_firing_for: keepFiringFor } else {}),

    groups+: [
      {
        name: 'nundb-exporter.exporter',
        rules: [
          alert(
            'NunDbExporterDown',
            'up{%(s)s} == 0',
            'critical',
            'nundb-exporter {{ $labels.instance }} of Nun-db cluster %(lc)s cannot be scraped',
            'Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for %(exporterDownFor)s. '
            + 'Nun-db cluster %(lc)s is not monitored; other Nun-db alerts are inhibited while this fires.',
            forDuration=cfg.exporterDownFor,
          ),
          alert(
            'NunDbExporterAbsent',
            'absent(up{%(s)s})',
            'critical',
            'No nundb-exporter target is known to Prometheus',
            'Prometheus has had no target matching {%(s)s} for %(exporterAbsentFor)s: the scrape config, '
            + 'ServiceMonitor or service discovery lost the exporter.',
            forDuration=cfg.exporterAbsentFor,
          ),
          alert(
            'NunDbExporterAuthFailing',
            'increase(nundb_exporter_poll_errors_total{%(s)s,reason="auth"}[%(authFailureWindow)s]) > 0',
            'critical',
            'nundb-exporter cannot authenticate to Nun-db node {{ $labels.node }} of cluster %(lc)s',
            "Nun-db node {{ $labels.node }} of cluster %(lc)s rejected the exporter's user and password in the "
            + 'last %(authFailureWindow)s. Its metrics are missing until the secret is fixed; node-down alerts '
            + 'for it are inhibited because the node itself may be healthy.',
          ),
        ],
      },
      {
        name: 'nundb-exporter.nodes',
        rules: [
          alert(
            'NunDbNodeDown',
            'nundb_up{%(s)s} == 0',
            'critical',
            'Nun-db node {{ $labels.node }} of cluster %(lc)s is down',
            'The exporter has not been able to poll Nun-db node {{ $labels.node }} of cluster %(lc)s for '
            + '%(nodeDownFor)s. Its lag and canary alerts are inhibited while this fires.',
            forDuration=cfg.nodeDownFor,
          ),
          alert(
            'NunDbClusterMembersMissing',
            'nundb_cluster_members_up{%(s)s} < nundb_cluster_expected_members{%(s)s}',
            'warning',
            'Nun-db cluster %(lc)s has fewer members up than expected',
            'Only {{ $value }} members of Nun-db cluster %(lc)s are up, fewer than the configured expected '
            + 'members, for %(membersMissingFor)s.',
            forDuration=cfg.membersMissingFor,
          ),
          alert(
            'NunDbNodeRestarted',
            'changes(nundb_node_start_time_seconds{%(s)s}[%(nodeRestartedWindow)s]) > 0',
            'info',
            'Nun-db node {{ $labels.node }} of cluster %(lc)s restarted',
            'The start time of Nun-db node {{ $labels.node }} of cluster %(lc)s changed in the last '
            + '%(nodeRestartedWindow)s: the process restarted. Its pending ops, kept only in memory, started '
            + 'again from zero.',
          ),
        ],
      },
      {
        name: 'nundb-exporter.primary',
        rules: [
          alert(
            'NunDbNoPrimary',
            'sum by (%(c)s) (nundb_node_claims_primary{%(s)s}) == 0',
            'critical',
            'Nun-db cluster %(lc)s has no primary',
            'No reachable node of Nun-db cluster %(lc)s claims to be primary, for longer than a normal failover '
            + 'takes (%(failoverFor)s). Writes fail until a primary is elected.',
            forDuration=v.failoverFor,
          ),
          alert(
            'NunDbSplitBrain',
            'sum by (%(c)s) (nundb_node_claims_primary{%(s)s}) > 1',
            'critical',
            'Nun-db cluster %(lc)s has more than one primary',
            '{{ $value }} nodes of Nun-db cluster %(lc)s each claim to be primary, for longer than a normal '
            + 'failover takes (%(failoverFor)s). Writes to different primaries diverge.',
            forDuration=v.failoverFor,
          ),
          alert(
            'NunDbViewsDisagree',
            'nundb_cluster_views_agree{%(s)s} == 0',
            'warning',
            "Nun-db cluster %(lc)s: the nodes' views disagree on members or primary",
            "The up nodes of Nun-db cluster %(lc)s have not listed the same members and the same primary in "
            + 'their cluster-state views for %(viewsDisagreeFor)s, longer than a failover takes. '
            + 'nundb_node_view_members_not_in_primary names the nodes listing members the primary dropped; '
            + "the canary skips its writes (views_disagree) until the views agree.",
            forDuration=v.viewsDisagreeFor,
          ),
          alert(
            'NunDbReplicationTimeHigh',
            |||
              nundb_replication_time_ema_seconds{%(s)s} > %(emaT)s
              and on (%(c)s, node)
              nundb_node_claims_primary{%(s)s} == 1
            |||,
            'warning',
            'Nun-db primary {{ $labels.node }} of cluster %(lc)s replicates slowly',
            'The replication time moving average reported by primary {{ $labels.node }} of cluster %(lc)s is '
            + '{{ $value | humanizeDuration }}, above %(emaT)ss, for %(replicationTimeEmaFor)s. Only the node '
            + "claiming primary is considered: a secondary's average freezes at its last value after a failover.",
            forDuration=cfg.replicationTimeEmaFor,
          ),
        ],
      },
      {
        name: 'nundb-exporter.replication',
        rules: [
          alert(
            'NunDbReplicationLagHigh',
            |||
              nundb_replication_lag_seconds{%(s)s} > %(lagT)s
              unless
              nundb_replication_lag_seconds{%(s)s}
                < %(ratio)s * max_over_time(nundb_replication_lag_seconds{%(s)s}[%(replicationLagRecoveryWindow)s])
            |||,
            'warning',
            'Nun-db member {{ $labels.node }} of cluster %(lc)s lags behind the primary',
            'Canary writes reach Nun-db member {{ $labels.node }} of cluster %(lc)s '
            + '{{ $value | humanizeDuration }} late (threshold %(lagT)ss) and the lag is not shrinking (it is '
            + 'not below %(ratio)s of its %(replicationLagRecoveryWindow)s maximum). Reads from this member '
            + 'return stale data.',
            forDuration=cfg.replicationLagFor,
            keepFiringFor=cfg.replicationLagKeepFiringFor,
          ),
          alert(
            'NunDbReplicationCanaryLost',
            'increase(nundb_replication_canary_lost_total{%(s)s}[%(canaryLostWindow)s]) > 0',
            'warning',
            'Canary writes never reached Nun-db member {{ $labels.node }} of cluster %(lc)s',
            'At least one canary write to the primary of cluster %(lc)s was never seen on member '
            + '{{ $labels.node }} in the last %(canaryLostWindow)s: replication to it dropped a write.',
          ),
          alert(
            'NunDbReplicationOpsWaitingTooLong',
            'time() - nundb_replication_oldest_waiting_timestamp_seconds{%(s)s} > %(waitingT)s',
            'warning',
            'Ops wait on Nun-db member {{ $labels.member }} of cluster %(lc)s for too long',
            'The oldest op that primary {{ $labels.node }} of cluster %(lc)s has not yet seen acknowledged by '
            + 'member {{ $labels.member }} has waited {{ $value | humanizeDuration }} (threshold %(waitingT)ss).',
            forDuration=cfg.opsWaitingFor,
          ),
          alert(
            'NunDbReplicationOrphanedOps',
            'min_over_time(nundb_replication_pending_ops{%(s)s,state="orphaned"}[%(orphanedOpsWindow)s]) > 0',
            'warning',
            'Nun-db primary {{ $labels.node }} of cluster %(lc)s keeps orphaned pending ops',
            'Primary {{ $labels.node }} of cluster %(lc)s has held at least {{ $value }} orphaned pending ops for '
            + 'member {{ $labels.member }} during the whole last %(orphanedOpsWindow)s. Orphaned ops are never '
            + 'acknowledged and grow the op log.',
          ),
        ],
      },
      {
        name: 'nundb-exporter.sentinel',
        rules: [
          alert(
            'NunDbMemberMissingData',
            'nundb_replication_sentinel_present{%(s)s} == 0',
            'critical',
            'Nun-db member {{ $labels.node }} of cluster %(lc)s serves reads without its data',
            'Member {{ $labels.node }} of cluster %(lc)s lacks the exporter\'s sentinel key that the primary '
            + 'holds (or its canary database) at every check for %(sentinelFor)s: it rejoined without its data. '
            + 'Clients reading from it see empty values for keys written before it rejoined.',
            forDuration=duration($.memberMissingDataForSeconds(cfg)),
          ),
        ],
      },
    ],
  },
}
