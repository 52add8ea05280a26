// Defaults of the nundb-exporter mixin. Override what you need when importing it:
//   (import 'nundb-exporter/mixin.libsonnet') + { _config+:: { exporterSelector: 'job="nundb"' } }
{
  _config+:: {
    // Which exporter job the rules and the dashboard read, and the target label naming the Nun-db cluster
    // (the scrape config or ServiceMonitor adds it).
    exporterSelector: 'job="nundb-exporter"',
    clusterLabel: 'nundb_cluster',
    runbookUrl: 'https://github.com/nundb/nundb-exporter/blob/main/deploy/RUNBOOK.md',

    // Inputs of the `for`s that depend on timing: no-primary and split brain (noPrimaryForSeconds in
    // alerts.libsonnet) and node down (below). pollIntervalSeconds is the exporter's
    // --nundb.poll-interval: set it to what you run (default 5 s, chosen in the README's "Side effects on
    // your cluster" for Nun-db's log volume; every `for` below still holds with it).
    failoverWindowSeconds: 1.5,
    pollIntervalSeconds: 5,
    scrapeIntervalSeconds: 15,
    evaluationIntervalSeconds: 15,
    // A killed node is listening again within a few hundred ms (spec Appendix C).
    restartSeconds: 0.2,

    exporterDownFor: '2m',
    exporterAbsentFor: '5m',
    // NunDbNodeDown: longer than a clean restart can look down, so a restart does not page: the restart
    // itself, plus recovery seen within 2 poll intervals (a refused node is redialled every poll), plus one
    // scrape (Prometheus keeps the down sample until its next scrape), plus one evaluation. With the
    // defaults 0.2 + 2 x 5 + 15 + 15 = 40.2 s, rounded up to whole minutes: 1m (at a 1 s poll, 32.2 s:
    // also 1m). A dead node is down at once (connection refused or closed), a hung one after 3 poll
    // intervals (15 s), so it pages within 15 + 15 + 15 + 60 = 105 s at most.
    nodeDownFor: '%dm' % std.ceil((self.restartSeconds + 2 * self.pollIntervalSeconds
                                   + self.scrapeIntervalSeconds + self.evaluationIntervalSeconds) / 60),
    membersMissingFor: '5m',
    nodeRestartedWindow: '15m',
    replicationLagThresholdSeconds: 10,
    replicationLagRecoveryWindow: '2m',
    replicationLagRecoveryRatio: 0.9,
    replicationLagFor: '2m',
    replicationLagKeepFiringFor: '5m',
    canaryLostWindow: '10m',
    opsWaitingThresholdSeconds: 300,
    opsWaitingFor: '1m',
    orphanedOpsWindow: '1h',
    authFailureWindow: '5m',
    replicationTimeEmaThresholdSeconds: 1,
    replicationTimeEmaFor: '10m',
    // The exporter's --canary.sentinel-interval; the member-missing-data `for` is two of them (see alerts).
    sentinelIntervalSeconds: 60,

    // `for` of NunDbViewsDisagree, in seconds: longer than a normal failover can make views disagree, short
    // enough to fire on the survivor that listed a dead member for ~82 s (docs/nundb-protocol.md §6).
    // A failover makes views differ for at most the election window (1.5 s) plus the vanish of the dead
    // member (60 ms) plus one poll (the nodes' views are read at different instants): 2.56 s, less than a
    // scrape interval, so at most one scrape reads 0 and Prometheus keeps it until the next scrape (15 s),
    // 30 s with one late scrape. The pending time grows in evaluation intervals: the first multiple above
    // 30 s is 45 s. An 82 s disagreement reaches a rule evaluation after at most one poll, one scrape and
    // one evaluation (31 s) and fires 45 s later, at 76 s, while the scrapes still read 0.
    viewsDisagreeForSeconds:
      local visible = (std.ceil((self.failoverWindowSeconds + 0.06 + self.pollIntervalSeconds)
                                / self.scrapeIntervalSeconds) + 1) * self.scrapeIntervalSeconds;
      (std.floor(visible / self.evaluationIntervalSeconds) + 1) * self.evaluationIntervalSeconds,

    // The PrometheusRule object of the kustomize base.
    prometheusRuleName: 'nundb-exporter',
    prometheusRuleLabels: { 'app.kubernetes.io/name': 'nundb-exporter', 'app.kubernetes.io/component': 'alerting' },

    // The dashboard.
    dashboardUid: 'nundb-exporter',
    dashboardTitle: 'Nun-db',
  },
}
