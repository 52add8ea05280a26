// Defaults of the nundb-exporter mixin. Override what you need when importing it:
//   (import 'nundb-exporter/mixin.libsonnet') + { _config+:: { exporterSelector: 'job="nundb"' } }
{
  _config+:: {
    // Which exporter job the rules and the dashboard read, and the target label naming the Nun-db cluster
    // (the scrape config or ServiceMonitor adds it).
    exporterSelector: 'job="nundb-exporter"',
    clusterLabel: 'nundb_cluster',
    runbookUrl: 'https://github.com/nundb/nundb-exporter/blob/main/deploy/RUNBOOK.md',

    // Inputs of the no-primary and split-brain `for` (see noPrimaryForSeconds in alerts.libsonnet).
    failoverWindowSeconds: 1.5,
    pollIntervalSeconds: 1,
    scrapeIntervalSeconds: 15,
    evaluationIntervalSeconds: 15,

    exporterDownFor: '2m',
    exporterAbsentFor: '5m',
    nodeDownFor: '1m',
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

    // The PrometheusRule object of the kustomize base.
    prometheusRuleName: 'nundb-exporter',
    prometheusRuleLabels: { 'app.kubernetes.io/name': 'nundb-exporter', 'app.kubernetes.io/component': 'alerting' },

    // The dashboard.
    dashboardUid: 'nundb-exporter',
    dashboardTitle: 'Nun-db',
  },
}
