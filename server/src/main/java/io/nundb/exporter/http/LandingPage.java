package io.nundb.exporter.http;

import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.ViewMember;
import java.time.Instant;

/**
 * The HTML of {@code /}: links to the endpoints, the version, the mode and a table of the nodes the
 * exporter sees. Every value from outside (node names) is HTML-escaped.
 *
 * <p>Thread-safety: stateless.
 */
final class LandingPage {
    private LandingPage() {}

    static String render(ScrapeEndpointConfig config, ClusterSnapshot cluster) {
        StringBuilder b = new StringBuilder(1024 + 160 * cluster.nodes().size());
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Nun-db exporter</title></head>\n")
                .append("<body>\n<h1>Nun-db exporter</h1>\n<p>Version ")
                .append(escape(config.version()))
                .append(" (")
                .append(escape(config.revision()))
                .append("), mode <b>")
                .append(config.demo() ? "demo" : "live")
                .append("</b>")
                .append(config.demo() ? ": watching the embedded simulated demo cluster, not a real Nun-db" : "")
                .append(".</p>\n<ul>\n<li><a href=\"")
                .append(escape(config.telemetryPath()))
                .append("\">")
                .append(escape(config.telemetryPath()))
                .append("</a></li>\n<li><a href=\"/-/healthy\">/-/healthy</a></li>\n")
                .append("<li><a href=\"/-/ready\">/-/ready</a></li>\n</ul>\n")
                .append("<table border=\"1\">\n<tr><th>node</th><th>up</th><th>role</th><th>last success</th></tr>\n");
        for (NodeSnapshot node : cluster.nodes()) {
            b.append("<tr><td>")
                    .append(escape(node.name()))
                    .append("</td><td>")
                    .append(
                            node.up()
                                    ? "up"
                                    : "down"
                                            + (node.downReason() == null
                                                    ? ""
                                                    : " (" + node.downReason().label() + ")"))
                    .append("</td><td>")
                    .append(role(node))
                    .append("</td><td>")
                    .append(
                            node.lastSuccessEpochMillis() > 0
                                    ? Instant.ofEpochMilli(node.lastSuccessEpochMillis())
                                            .toString()
                                    : "never")
                    .append("</td></tr>\n");
        }
        return b.append("</table>\n</body></html>\n").toString();
    }

    private static String role(NodeSnapshot node) {
        ClusterView view = node.view();
        ViewMember self = node.up() && view != null ? view.self() : null;
        return self == null ? "-" : self.role().label();
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
