package io.nundb.exporter.cli;

import io.nundb.exporter.http.WebServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The validated configuration of one exporter run, resolved from flags, then environment twins, then
 * defaults. Immutable; a reload would swap one reference. {@link #toString()} never shows the password
 * (only its origin).
 *
 * <p>Thread-safety: immutable (the password source re-reads its file under its own lock).
 *
 * @param addresses Nun-db seeds to dial, {@code host:port} (TCP, usually port 3014); empty in demo mode
 * @param addressMap node name (as in cluster-state views) to the {@code host:port} to dial for it
 * @param user Nun-db admin user, {@code null} in demo mode
 * @param password Nun-db admin password source ({@link PasswordSource#none()} in demo mode)
 * @param pollInterval time between polls of each node
 * @param requestTimeout deadline of one request (at least 100 ms)
 * @param hardTimeout deadline after which a connection with outstanding requests is closed
 * @param connectTimeout TCP connect and greeting deadline
 * @param maxInFlight maximum pipelined requests per connection (1..20)
 * @param memberRetention how long a node absent from every view is kept before being forgotten
 * @param expectedMembers configured cluster size, 0 when not configured
 * @param listenHost HTTP bind host, empty for all interfaces
 * @param listenPort HTTP port
 * @param telemetryPath HTTP path of the metrics
 * @param renderMinInterval the publisher renders at most this often
 * @param logLevel one of error, warn, info, debug, trace
 * @param logFormat logfmt or json
 * @param compatLegacyMetrics whether the original exporter's {@code nun_db_*} gauges are exposed
 * @param compatNode node (name or dial address) feeding those gauges: NUN_URL's, else the first seed
 * @param canaryTokenFile file holding the canary database token, {@code null} when not given
 * @param canaryToken the canary database token (from {@code canaryTokenFile}, else env
 *     {@code NUNDB_CANARY_TOKEN}), {@code null} when the canary is off; never shown
 * @param canaryInterval time between canary writes
 * @param canaryTimeout a canary not seen on a secondary within this is counted lost
 * @param canaryDatabase name of the canary database
 * @param pendingInterval time between {@code debug pending-ops} polls of the primary
 * @param demo whether to watch the embedded simulated demo cluster
 * @param notices lines to log once logging is configured (e.g. the NUN_URL port mapping)
 * @param webIdleTimeout keep-alive idle timeout of HTTP connections
 * @param web HTTP connection limits and the web configuration file (TLS, basic auth, headers)
 */
public record ExporterConfig(
        List<String> addresses,
        Map<String, String> addressMap,
        String user,
        PasswordSource password,
        Duration pollInterval,
        Duration requestTimeout,
        Duration hardTimeout,
        Duration connectTimeout,
        int maxInFlight,
        Duration memberRetention,
        int expectedMembers,
        String listenHost,
        int listenPort,
        String telemetryPath,
        Duration renderMinInterval,
        String logLevel,
        String logFormat,
        boolean compatLegacyMetrics,
        String compatNode,
        Path canaryTokenFile,
        PasswordSource canaryToken,
        Duration canaryInterval,
        Duration canaryTimeout,
        String canaryDatabase,
        Duration pendingInterval,
        boolean demo,
        List<String> notices,
        Duration webIdleTimeout,
        WebServerOptions web) {
    public ExporterConfig {
        Objects.requireNonNull(webIdleTimeout, "webIdleTimeout");
        Objects.requireNonNull(web, "web");
        addresses = List.copyOf(addresses);
        addressMap = Map.copyOf(addressMap);
        notices = List.copyOf(notices);
        Objects.requireNonNull(password, "password");
    }
}
