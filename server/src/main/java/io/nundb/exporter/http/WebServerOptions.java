package io.nundb.exporter.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Validated connection-level settings of the HTTP endpoint that are not about scraping: the request
 * read timeout, the cap on concurrent connections and the optional web configuration file (TLS, basic
 * auth, extra headers) with its reload poll interval.
 *
 * <p>Thread-safety: immutable.
 *
 * @param headerTimeout a request must be read completely (request line, headers and any body) within
 *     this time of its first byte, or of the connection being accepted; else the connection is closed
 *     (slowloris). Separate from {@link ScrapeEndpointConfig#idleTimeout()}, which bounds the keep-alive
 *     wait between requests
 * @param maxConnections connections over this cap are closed as soon as they are accepted
 * @param webConfigFile exporter-toolkit web configuration file, {@code null} for plain HTTP without auth
 * @param webConfigPollInterval how often the web configuration file (and the files it names) are
 *     checked for changes
 */
public record WebServerOptions(
        Duration headerTimeout, int maxConnections, Path webConfigFile, Duration webConfigPollInterval) {
    /** 10 s header timeout, 256 connections, no web configuration file. */
    public static final WebServerOptions DEFAULTS =
            new WebServerOptions(Duration.ofSeconds(10), 256, null, Duration.ofSeconds(5));

    public WebServerOptions {
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(webConfigPollInterval, "webConfigPollInterval");
        if (headerTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("header timeout must be at least 1ms");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be positive, got " + maxConnections);
        }
        if (webConfigPollInterval.toMillis() < 1) {
            throw new IllegalArgumentException("web config poll interval must be at least 1ms");
        }
    }

    public WebServerOptions withWebConfigFile(Path file, Duration pollInterval) {
        return new WebServerOptions(headerTimeout, maxConnections, file, pollInterval);
    }
}
