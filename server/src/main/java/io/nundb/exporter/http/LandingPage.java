package io.nundb.exporter.http;

import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.ClusterStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The HTML of {@code /}: a status page an on-call engineer reads at a glance. A summary line (nodes up,
 * whether the views agree, the primary), then one row per node ({@link ClusterStatus}): role, up or down
 * with the reason, last success, replication lag, the primary's pending entries for it (waiting /
 * orphaned) and whether its view agrees with the primary's; then links to the endpoints and the docs.
 *
 * <p>Plain HTML and a little inline CSS: no JavaScript, no external asset. Every link to the exporter
 * itself is relative ({@code ./metrics}), so the page works behind a reverse proxy's path prefix
 * ({@code /nundb/} serves {@code /nundb/metrics}); the docs link to the project site. Every value from
 * outside (node names, version strings) is HTML-escaped. Rendered on the publisher thread by
 * {@link ClusterPagesHandler}, never on an event loop.
 *
 * <p>Thread-safety: stateless.
 */
final class LandingPage {
    static final String PROJECT = "https://github.com/nundb/nundb-exporter";

    private static final String CSS = "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
            + "h1{font-size:1.4em;margin:0 0 .3em}"
            + "table{border-collapse:collapse;margin:1em 0}"
            + "th,td{border:1px solid #ccc;padding:.3em .7em;text-align:left}"
            + "th{background:#f0f0f0}"
            + "td.num{text-align:right;font-variant-numeric:tabular-nums}"
            + ".ok{color:#155724;background:#d4edda}"
            + ".bad{color:#721c24;background:#f8d7da;font-weight:bold}"
            + ".summary span{display:inline-block;padding:.2em .6em;margin-right:.5em;border-radius:3px}"
            + ".muted{color:#777}";

    private LandingPage() {}

    static String render(ScrapeEndpointConfig config, ClusterSnapshot cluster) {
        ClusterStatus status = ClusterStatus.of(cluster);
        int n = status.nodes().size();
        int up = n - status.down();
        StringBuilder b = new StringBuilder(2048 + 400 * n);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>Nun-db exporter status</title>\n<style>")
                .append(CSS)
                .append("</style></head>\n<body>\n<h1>Nun-db exporter</h1>\n<p>Version ")
                .append(escape(config.version()))
                .append(" (")
                .append(escape(config.revision()))
                .append("), mode <b>")
                .append(config.demo() ? "demo" : "live")
                .append("</b>")
                .append(config.demo() ? ": watching the embedded simulated demo cluster, not a real Nun-db" : "")
                .append(". Snapshot taken ")
                .append(instant(status.takenAtEpochMillis()))
                .append(".</p>\n<p class=\"summary\">");
        summary(b, n == 0 || up < n, up + " of " + n + " nodes up");
        summary(b, !status.viewsAgree(), status.viewsAgree() ? "views agree" : "views disagree");
        summary(
                b,
                status.primary() == null,
                status.primary() == null ? "no single primary" : "primary " + escape(status.primary()));
        b.append("</p>\n<table id=\"nodes\">\n<thead><tr><th>node</th><th>role</th><th>state</th><th>reason</th>")
                .append("<th>last success</th><th>replication lag</th>")
                .append("<th title=\"entries on the primary not yet acknowledged by this node\">")
                .append("pending waiting / orphaned</th><th>view agrees</th></tr></thead>\n<tbody>\n");
        for (ClusterStatus.Node node : status.nodes()) {
            b.append("<tr><td>")
                    .append(escape(node.name()))
                    .append("</td><td>")
                    .append(node.roleLabel())
                    .append("</td>")
                    .append(node.up() ? "<td class=\"ok\">up</td>" : "<td class=\"bad\">down</td>")
                    .append("<td>")
                    .append(node.reason())
                    .append("</td><td>")
                    .append(lastSuccess(node.lastSuccessEpochMillis(), status.takenAtEpochMillis()))
                    .append("</td><td class=\"num\">")
                    .append(seconds(node.lagSeconds()))
                    .append("</td><td class=\"num\">")
                    .append(pending(node));
            if (!node.hasView()) {
                b.append("</td><td class=\"muted\">-</td></tr>\n");
            } else {
                b.append("</td>")
                        .append(node.viewAgrees() ? "<td class=\"ok\">yes</td>" : "<td class=\"bad\">no</td>")
                        .append("</tr>\n");
            }
        }
        String metrics = "." + config.telemetryPath();
        return b.append("</tbody>\n</table>\n<p>Endpoints: <a href=\"")
                .append(escape(metrics))
                .append("\">")
                .append(escape(config.telemetryPath().substring(1)))
                .append("</a> · <a href=\"./discovery\">discovery</a>")
                .append(" · <a href=\"./-/healthy\">-/healthy</a> · <a href=\"./-/ready\">-/ready</a></p>\n")
                .append("<p>Docs: <a href=\"")
                .append(PROJECT)
                .append("#readme\">README</a> · <a href=\"")
                .append(PROJECT)
                .append("/blob/main/deploy/RUNBOOK.md\">runbook</a></p>\n</body></html>\n")
                .toString();
    }

    private static void summary(StringBuilder b, boolean bad, String escapedText) {
        b.append("<span class=\"")
                .append(bad ? "bad" : "ok")
                .append("\">")
                .append(escapedText)
                .append("</span>");
    }

    private static String lastSuccess(long epochMillis, long nowMillis) {
        if (epochMillis <= 0) {
            return "never";
        }
        long ago = Math.max(0, nowMillis - epochMillis) / 1000;
        return instant(epochMillis) + " (" + ago + " s ago)";
    }

    private static String instant(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String seconds(double s) {
        return Double.isNaN(s) ? "-" : String.format(Locale.ROOT, "%.3f s", s);
    }

    private static String pending(ClusterStatus.Node node) {
        return node.waiting() < 0 ? "-" : node.waiting() + " / " + node.orphaned();
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<':
                    b.append("&lt;");
                    break;
                case '>':
                    b.append("&gt;");
                    break;
                case '&':
                    b.append("&amp;");
                    break;
                case '"':
                    b.append("&quot;");
                    break;
                case '\'':
                    b.append("&#39;");
                    break;
                default:
                    b.append(c);
            }
        }
        return b.toString();
    }
}
