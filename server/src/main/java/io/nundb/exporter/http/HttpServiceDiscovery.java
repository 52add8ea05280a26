package io.nundb.exporter.http;

import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The {@code /discovery} body: every known node as a Prometheus HTTP service-discovery target group
 * that points back at this exporter's {@code /probe} endpoint.
 *
 * <pre>{@code
 * [{"targets":["exporter:9898"],
 *   "labels":{"__metrics_path__":"/probe","__param_target":"nundb-0","__scheme__":"http","node":"nundb-0"}}]
 * }</pre>
 *
 * <p>Thread-safety: stateless.
 */
final class HttpServiceDiscovery {
    private HttpServiceDiscovery() {}

    /** The JSON array of target groups, one per known node, sorted by node name. */
    static String render(ClusterSnapshot cluster, String selfAddress, boolean tls) {
        StringBuilder b = new StringBuilder(64 + 160 * cluster.nodes().size());
        b.append('[');
        boolean first = true;
        for (NodeSnapshot n : cluster.nodes()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append("{\"targets\":[");
            string(b, selfAddress);
            b.append("],\"labels\":{\"__metrics_path__\":\"")
                    .append(RequestRouter.PROBE_PATH)
                    .append("\",\"__param_target\":");
            string(b, n.name());
            b.append(",\"__scheme__\":\"").append(tls ? "https" : "http").append("\",\"node\":");
            string(b, n.name());
            b.append("}}");
        }
        return b.append("]\n").toString();
    }

    /**
     * The address scrapers should use for this exporter: the request's {@code Host} header when it is a
     * plain {@code host[:port]}, else the local address of the connection.
     */
    static String selfAddress(String host, SocketAddress local) {
        if (host != null && !host.isEmpty() && host.length() <= 255 && plainHost(host)) {
            return host;
        }
        if (local instanceof InetSocketAddress) {
            InetSocketAddress a = (InetSocketAddress) local;
            String h = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
        }
        return String.valueOf(local);
    }

    private static boolean plainHost(String h) {
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '-'
                    || c == ':'
                    || c == '['
                    || c == ']'
                    || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }
}
