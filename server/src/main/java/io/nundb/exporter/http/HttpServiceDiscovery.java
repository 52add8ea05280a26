package io.nundb.exporter.http;

import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.protocol.ViewMember;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The {@code /discovery} body: every known node as a Prometheus HTTP service-discovery target group that
 * points back at this exporter's {@code /probe} endpoint.
 *
 * <pre>{@code
 * [{"targets":["exporter:9898"],
 *   "labels":{"__meta_nundb_address":"10.0.0.7:3014","__meta_nundb_node":"nundb-0:3014",
 *             "__meta_nundb_role":"primary","__meta_nundb_up":"1",
 *             "__metrics_path__":"/probe","__param_target":"nundb-0:3014","__scheme__":"http"}}]
 * }</pre>
 *
 * <p>Only reserved labels: {@code __metrics_path__}, {@code __param_target} and {@code __scheme__} make the
 * scrape a {@code /probe?target=NODE}, and the {@code __meta_nundb_*} labels (node name, dial address, role
 * and up as last polled) are there for relabelling and dropped after it, as http_sd intends. No target
 * label is set: {@code node} comes from the probed series themselves, so it never collides with a target
 * label ({@code exported_node}), and the documented relabel config sets {@code instance} from
 * {@code __meta_nundb_node}, one instance per node rather than the exporter's address for all of them.
 * {@code __meta_nundb_role} and {@code __meta_nundb_address} are left out while unknown.
 *
 * <p>Thread-safety: stateless.
 */
final class HttpServiceDiscovery {
    private HttpServiceDiscovery() {}

    /** The JSON array of target groups, one per known node, sorted by node name. */
    static String render(ClusterSnapshot cluster, String selfAddress, boolean tls) {
        StringBuilder b = new StringBuilder(64 + 300 * cluster.nodes().size());
        b.append('[');
        boolean first = true;
        for (NodeSnapshot n : cluster.nodes()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append("{\"targets\":[");
            string(b, selfAddress);
            b.append("],\"labels\":{");
            if (n.dialAddress() != null) {
                b.append("\"__meta_nundb_address\":");
                string(b, n.dialAddress());
                b.append(',');
            }
            b.append("\"__meta_nundb_node\":");
            string(b, n.name());
            Role role = role(n);
            if (role != null) {
                b.append(",\"__meta_nundb_role\":\"").append(role.label()).append('"');
            }
            b.append(",\"__meta_nundb_up\":\"").append(n.up() ? '1' : '0').append('"');
            b.append(",\"__metrics_path__\":\"")
                    .append(RequestRouter.PROBE_PATH)
                    .append("\",\"__param_target\":");
            string(b, n.name());
            b.append(",\"__scheme__\":\"").append(tls ? "https" : "http").append("\"}}");
        }
        return b.append("]\n").toString();
    }

    /** The node's role in its own view as last polled, or {@code null} while down or not listed. */
    private static Role role(NodeSnapshot n) {
        ClusterView view = n.up() ? n.view() : null;
        ViewMember self = view == null ? null : view.self();
        return self == null ? null : self.role();
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
