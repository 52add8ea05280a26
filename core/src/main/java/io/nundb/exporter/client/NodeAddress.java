package io.nundb.exporter.client;

/**
 * A dialable {@code host:port}. Nun-db node names are whatever their operators configured (spec §1.1):
 * the default {@code 0.0.0.0:3014} names a wildcard, not a host, and is not dialable.
 *
 * <p>Thread-safety: immutable.
 */
public record NodeAddress(String host, int port) {

    /**
     * Parses {@code host:port} (IPv6 as {@code [::1]:3014}); returns {@code null} when the text is not a
     * dialable address: no port, a port out of range, an empty host, or a wildcard host.
     */
    public static NodeAddress parse(String text) {
        if (text == null) {
            return null;
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            return null;
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            return null;
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (port < 1 || port > 65535 || host.isEmpty() || host.isBlank()) {
            return null;
        }
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("*")) {
            return null;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c == '/' || c == '(' || c == ')' || c == ',') {
                return null;
            }
        }
        return new NodeAddress(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
