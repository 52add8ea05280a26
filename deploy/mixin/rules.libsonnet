// Recording rules of the nundb-exporter mixin (the mixin convention's `prometheusRules`).
{
  prometheusRules+:: {
    local s = $._config.exporterSelector,
    local c = $._config.clusterLabel,
    groups+: [
      {
        name: 'nundb-exporter.recording',
        rules: [
          { record: '%s:nundb_up:sum' % c, expr: 'sum by (%s) (nundb_up{%s})' % [c, s] },
          {
            record: '%s:nundb_node_claims_primary:sum' % c,
            expr: 'sum by (%s) (nundb_node_claims_primary{%s})' % [c, s],
          },
          {
            record: '%s_member_state:nundb_replication_pending_ops:sum' % c,
            expr: 'sum by (%s, member, state) (nundb_replication_pending_ops{%s})' % [c, s],
          },
          {
            record: '%s_node:nundb_replication_canary_lag_seconds:p99_rate5m' % c,
            expr: 'histogram_quantile(0.99, sum by (%s, node, le) (rate(nundb_replication_canary_lag_seconds_bucket{%s}[5m])))' % [c, s],
          },
          {
            record: '%s_node_command:nundb_request_duration_seconds:p99_rate5m' % c,
            expr: 'histogram_quantile(0.99, sum by (%s, node, command, le) (rate(nundb_request_duration_seconds_bucket{%s}[5m])))' % [c, s],
          },
        ],
      },
    ],
  },
}
