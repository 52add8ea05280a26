// The Grafana dashboard of the nundb-exporter mixin (the mixin convention's `grafanaDashboards`), built
// from the same _config as the rules.
//
// Variables: `datasource` (any Prometheus), `$<clusterLabel>` (one Nun-db cluster) and `$node` (multi).
// Rates use `$__rate_interval`, which Grafana derives from the scrape interval set on the datasource.
// Units: every panel states one (deploy/tools/check_dashboard.py checks it against the metric names);
// panels that show a state use a state timeline with value mappings and thresholds coloured by meaning
// (green healthy, red broken), never Grafana's default palette.
local datasource = { type: 'prometheus', uid: '${datasource}' };

local target(ref, expr, legend) = { datasource: datasource, expr: expr, legendFormat: legend, refId: ref };

// One panel; `w`/`h` is its size, the position is assigned by `layout` below.
local panel(kind, title, description, unit, targets, w, h, defaults={}, options={}) = {
  type: kind,
  title: title,
  description: description,
  datasource: datasource,
  fieldConfig: { defaults: { unit: unit } + defaults, overrides: [] },
  targets: [target(std.char(std.codepoint('A') + i), targets[i][0], targets[i][1]) for i in std.range(0, std.length(targets) - 1)],
  [if options != {} then 'options']: options,
  size:: { w: w, h: h },
};

// A state: the value a series takes, the text shown for it and its colour by meaning.
local state(value, text, color) = { value: value, text: text, color: color };

// A state timeline whose values are the given states: value mappings name each state and thresholds
// colour it (the lowest state's colour is the base).
local statePanel(title, description, targets, states, w=12, h=6) =
  local sorted = std.sort(states, function(s) s.value);
  panel('state-timeline', title, description, 'none', targets, w, h, defaults={
    color: { mode: 'thresholds' },
    mappings: [{
      type: 'value',
      options: { [std.toString(sorted[i].value)]: { text: sorted[i].text, color: sorted[i].color, index: i } for i in std.range(0, std.length(sorted) - 1) },
    }],
    thresholds: {
      mode: 'absolute',
      steps: [{ color: sorted[0].color, value: null }] + [{ color: s.color, value: s.value } for s in sorted[1:]],
    },
  }, options={ showValue: 'never', mergeValues: true, rowHeight: 0.9 });

local upStates = [state(0, 'down', 'red'), state(1, 'up', 'green')];

// Places panels left to right, wrapping at Grafana's 24 columns, and numbers them.
local layout(panels) =
  local step(acc, p) =
    local wrap = acc.x + p.size.w > 24;
    local x = if wrap then 0 else acc.x;
    local y = if wrap then acc.y + acc.rowH else acc.y;
    local rowH = if wrap then p.size.h else std.max(acc.rowH, p.size.h);
    { x: x + p.size.w, y: y, rowH: rowH, out: acc.out + [p { id: std.length(acc.out) + 1, gridPos: { x: x, y: y, w: p.size.w, h: p.size.h } }] };
  std.foldl(step, panels, { x: 0, y: 0, rowH: 0, out: [] }).out;

{
  grafanaDashboards+:: {
    local cfg = $._config,
    local s = cfg.exporterSelector,
    local c = cfg.clusterLabel,
    local cl = '%s,%s=~"$%s"' % [s, c, c],
    local nd = cl + ',node=~"$node"',
    local roleExpr(role) = 'sum by (node) (nundb_node_role{%s,role="%s"})' % [nd, role],

    // Panels that show a state per node (or per cluster); their metrics are in STATE_METRICS of
    // deploy/tools/check_dashboard.py.
    local statePanels = [
      statePanel('Node up', "Up when the exporter's last poll of the node succeeded, down when it failed.",
                 [['nundb_up{%s}' % nd, '{{node}}']], upStates),
      statePanel('Node role',
                 'The role each node reports for itself (state set nundb_node_role, shown as one value per '
                 + 'node: 3 primary, 2 secondary, 1 starting, 0 no role reported, as while the node is down).',
                 [['%s * 3 + %s * 2 + %s' % [roleExpr('primary'), roleExpr('secondary'), roleExpr('starting')], '{{node}}']],
                 [state(0, 'no role', 'red'), state(1, 'starting', 'yellow'), state(2, 'secondary', 'blue'),
                  state(3, 'primary', 'green')]),
      statePanel('Views agree',
                 "Whether every up node's cluster-state view lists the same members and the same primary "
                 + '(nundb_cluster_views_agree). Disagree for more than a failover is NunDbViewsDisagree; '
                 + 'nundb_node_view_members_not_in_primary names the nodes that still list members the primary dropped.',
                 [['min by (%s) (nundb_cluster_views_agree{%s})' % [c, cl], 'views']],
                 [state(0, 'disagree', 'red'), state(1, 'agree', 'green')]),
      statePanel('Sentinel present',
                 "Whether the canary's sentinel key, written once on the primary, reads back with its value on "
                 + 'each member (nundb_replication_sentinel_present). Missing on a member that is up means it '
                 + 'rejoined without its data: NunDbMemberMissingData.',
                 [['nundb_replication_sentinel_present{%s}' % nd, '{{node}}']],
                 [state(0, 'missing', 'red'), state(1, 'present', 'green')]),
    ],

    local count = { decimals: 0, min: 0 },
    local panels = statePanels + [
      panel('timeseries', 'Primaries claimed and members up',
            'Nodes claiming primary (1 is healthy), members up and expected members.', 'short',
            [['sum by (%s) (nundb_node_claims_primary{%s})' % [c, cl], 'claiming primary'],
             ['max by (%s) (nundb_cluster_members_up{%s})' % [c, cl], 'members up'],
             ['max by (%s) (nundb_cluster_expected_members{%s})' % [c, cl], 'expected members']], 12, 8, count),
      panel('timeseries', 'Replication lag now (exporter-computed)',
            "Current lag per member on the exporter's monotonic clock: the alerting signal.", 's',
            [['nundb_replication_lag_seconds{%s}' % nd, '{{node}}']], 12, 8),
      panel('timeseries', 'Canary lag per member (quantiles)',
            'Quantiles of the canary write-to-seen lag, from the histogram buckets.', 's',
            [['histogram_quantile(0.5, sum by (node, le) (rate(nundb_replication_canary_lag_seconds_bucket{%s}[$__rate_interval])))' % nd, '{{node}} p50'],
             ['histogram_quantile(0.99, sum by (node, le) (rate(nundb_replication_canary_lag_seconds_bucket{%s}[$__rate_interval])))' % nd, '{{node}} p99']],
            12, 8),
      panel('timeseries', 'Canary loss and skips',
            'Canary writes never seen on a member, and canary rounds skipped (with reason).', 'short',
            [['sum by (node) (increase(nundb_replication_canary_lost_total{%s}[$__rate_interval]))' % nd, 'lost on {{node}}'],
             ['sum by (reason) (increase(nundb_replication_canary_skipped_total{%s}[$__rate_interval]))' % cl, 'skipped: {{reason}}']],
            12, 8, count),
      panel('timeseries', 'Waiting and orphaned ops',
            'Ops the primary (node) holds for each member, by state. Orphaned ops never drain.', 'short',
            [['sum by (node, member, state) (nundb_replication_pending_ops{%s})' % nd, '{{node}} -> {{member}} {{state}}']],
            12, 8, count),
      panel('timeseries', 'Oldest waiting op age',
            'How long the oldest op not yet acknowledged by a member has waited.', 's',
            [['time() - nundb_replication_oldest_waiting_timestamp_seconds{%s}' % nd, '{{node}} -> {{member}}']], 12, 8),
      panel('timeseries', 'Op-log size', "Size of each node's op log file.", 'bytes',
            [['nundb_oplog_size_bytes{%s}' % nd, '{{node}}']], 8, 8),
      panel('timeseries', 'Op-log entries and pending ops', 'Entries in the op log and ops pending replication.', 'short',
            [['nundb_oplog_entries{%s}' % nd, '{{node}} entries'], ['nundb_oplog_pending_ops{%s}' % nd, '{{node}} pending']],
            8, 8, count),
      panel('timeseries', 'Replication time average (primary only)',
            "Nun-db's own moving average, only for the node claiming primary (a secondary's freezes).", 's',
            [['nundb_replication_time_ema_seconds{%s} and on (%s, node) nundb_node_claims_primary{%s} == 1' % [nd, c, nd], '{{node}}']],
            8, 8),
      panel('timeseries', 'Request duration per command (p99)',
            "99th percentile of the exporter's request round trips to each node, per command.", 's',
            [['histogram_quantile(0.99, sum by (node, command, le) (rate(nundb_request_duration_seconds_bucket{%s}[$__rate_interval])))' % nd, '{{node}} {{command}}']],
            12, 8),
      panel('timeseries', 'Request rate per command', 'Requests the exporter sends to each node.', 'reqps',
            [['sum by (node, command) (rate(nundb_exporter_requests_total{%s}[$__rate_interval]))' % nd, '{{node}} {{command}}']],
            12, 8),
      panel('timeseries', 'Exporter poll errors', 'Poll failures per node and reason (auth, timeout, ...).', 'short',
            [['sum by (node, reason) (increase(nundb_exporter_poll_errors_total{%s}[$__rate_interval])) > 0' % nd, '{{node}} {{reason}}']],
            6, 8, count),
      statePanel('Exporter scrape', 'Whether Prometheus scrapes the exporter (up): down means no Nun-db metric is current.',
                 [['up{%s}' % cl, '{{instance}}']], upStates, 6, 8),
      panel('timeseries', 'Exporter collection',
            "Each node's last poll cycle (first request written to last reply read) and how long ago the last collection finished.", 's',
            [['nundb_exporter_collection_duration_seconds{%s}' % nd, 'poll cycle {{node}}'],
             ['time() - nundb_exporter_last_collection_timestamp_seconds{%s}' % cl, 'last collection age']],
            6, 8),
      panel('stat', 'Exporter build', 'Version, revision and mode (demo or live) of the exporter.', 'none',
            [['nundb_exporter_build_info{%s}' % cl, '{{version}} {{revision}} {{mode}}']], 6, 8,
            options={ reduceOptions: { calcs: ['lastNotNull'] }, textMode: 'name' }),
    ],

    local variable(name, label, query, extra={}) = {
      current: {},
      datasource: datasource,
      definition: query,
      hide: 0,
      label: label,
      name: name,
      options: [],
      query: { query: query, refId: name },
      refresh: 2,
      sort: 1,
      type: 'query',
    } + extra,

    'nundb.json': {
      annotations: { list: [] },
      description: 'Nun-db cluster health, replication lag and exporter health (nundb-exporter mixin).',
      editable: true,
      graphTooltip: 1,
      links: [],
      panels: layout(panels),
      refresh: '30s',
      schemaVersion: 39,
      tags: ['nundb', 'nundb-exporter'],
      templating: {
        list: [
          { current: {}, hide: 0, label: 'Data source', name: 'datasource', options: [], query: 'prometheus', refresh: 1, type: 'datasource' },
          variable(c, 'Nun-db cluster', 'label_values(nundb_up{%s}, %s)' % [s, c]),
          variable('node', 'Node', 'label_values(nundb_up{%s}, node)' % cl, { includeAll: true, multi: true }),
        ],
      },
      time: { from: 'now-6h', to: 'now' },
      timezone: '',
      title: cfg.dashboardTitle,
      uid: cfg.dashboardUid,
      version: 1,
    },
  },
}
