// The nundb-exporter monitoring mixin: recording rules, alerts and the Grafana dashboard, configured by
// _config (config.libsonnet). kube-prometheus users import it like any mixin:
//   local nundb = (import 'nundb-exporter/deploy/mixin/mixin.libsonnet') + { _config+:: { ... } };
//   nundb.prometheusRules, nundb.prometheusAlerts, nundb.grafanaDashboards
// deploy/mixin/render.sh renders the repository's committed files from it.
(import 'config.libsonnet') +
(import 'rules.libsonnet') +
(import 'alerts.libsonnet') +
(import 'dashboards.libsonnet')
