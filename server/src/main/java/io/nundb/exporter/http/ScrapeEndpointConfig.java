package io.nundb.exporter.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Validated settings of the HTTP endpoint and its publisher.
 *
 * <p>Thread-safety: immutable.
 *
 * @param host address to bind, {@code null} or empty for all interfaces
 * @param port TCP port, 0 for an ephemeral one
 * @param telemetryPath path serving the metrics, starting with {@code /}
 * @param pollInterval the collector's poll interval: the publisher renders at least this often
 * @param renderMinInterval the publisher renders at most this often
 * @param version exporter version shown in {@code nundb_exporter_build_info} and on the landing page
 * @param revision source revision, or {@code "unknown"}
 * @param demo whether the exporter watches the embedded demo cluster
 * @param compatNode node feeding the legacy {@code nun_db_*} gauges, {@code null} when off
 * @param maxInitialLineLength longest accepted request line in bytes (longer: 414)
 * @param maxHeaderSize largest accepted header block in bytes (larger: 431)
 * @param maxRequestBody largest request body accepted and discarded (larger: 413)
 * @param idleTimeout keep-alive connections idle for this long are closed (half-sent requests are cut
 *     earlier by {@link WebServerOptions#headerTimeout()})
 */
public record ScrapeEndpointConfig(
        String host,
        int port,
        String telemetryPath,
        Duration pollInterval,
        Duration renderMinInterval,
        String version,
        String revision,
        boolean demo,
        String compatNode,
        int maxInitialLineLength,
        int maxHeaderSize,
        int maxRequestBody,
        Duration idleTimeout) {
    public ScrapeEndpointConfig {
        Objects.requireNonNull(telemetryPath, "telemetryPath");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(renderMinInterval, "renderMinInterval");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (!telemetryPath.startsWith("/") || telemetryPath.equals("/") || telemetryPath.startsWith("/-/")) {
            throw new IllegalArgumentException(
                    "telemetry path must start with / and not be / or under /-/: " + telemetryPath);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive");
        }
        if (renderMinInterval.isNegative()) {
            throw new IllegalArgumentException("render min interval must not be negative");
        }
    }

    /** Defaults for everything but the listen address, intervals and identity. */
    public static ScrapeEndpointConfig of(
            String host,
            int port,
            String telemetryPath,
            Duration pollInterval,
            Duration renderMinInterval,
            String version,
            String revision,
            boolean demo,
            String compatNode) {
        return new ScrapeEndpointConfig(
                host,
                port,
                telemetryPath,
                pollInterval,
                renderMinInterval,
                version,
                revision,
                demo,
                compatNode,
                4096,
                8192,
                8192,
                DEFAULT_IDLE_TIMEOUT);
    }

    /** Keep-alive idle timeout: long enough that scrapes every 15 s to 2 min reuse their connection. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

    /** This configuration with another keep-alive idle timeout. */
    public ScrapeEndpointConfig withIdleTimeout(Duration idle) {
        if (idle.toMillis() < 1) {
            throw new IllegalArgumentException("idle timeout must be at least 1ms");
        }
        return new ScrapeEndpointConfig(
                host,
                port,
                telemetryPath,
                pollInterval,
                renderMinInterval,
                version,
                revision,
                demo,
                compatNode,
                maxInitialLineLength,
                maxHeaderSize,
                maxRequestBody,
                idle);
    }

    /** The interval of scheduled renders: the poll interval, but never more often than the minimum. */
    public Duration renderInterval() {
        return pollInterval.compareTo(renderMinInterval) >= 0 ? pollInterval : renderMinInterval;
    }
}
