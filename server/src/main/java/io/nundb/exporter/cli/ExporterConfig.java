package io.nundb.exporter.cli;

import io.nundb.exporter.client.CanaryConfig;
import io.nundb.exporter.client.ClientConfig;
import io.nundb.exporter.http.ScrapeEndpointConfig;
import io.nundb.exporter.http.WebServerOptions;
import java.util.List;
import java.util.Objects;

/**
 * The validated configuration of one exporter run, composed of the components' own configurations,
 * resolved by {@link ExporterCommand#resolve} from flags, environment twins and defaults. Immutable; a
 * SIGHUP reload re-reads the secret files through their sources and the web config file in the HTTP
 * server. {@link #toString()} never shows a secret (only its origin).
 *
 * <p>Thread-safety: immutable (the secret sources re-read their files under their own locks).
 *
 * @param client the collector's configuration; in demo mode its target (seeds, address map, user,
 *     password) is {@link ExporterCommand#DEMO_PLACEHOLDER_SEED}, replaced by the embedded cluster's
 * @param password the Nun-db admin password's source ({@link PasswordSource#none()} in demo mode)
 * @param canary the replication canary, {@code null} when off (no token outside demo mode); in demo
 *     mode its token comes from the embedded cluster
 * @param canaryToken the canary token's source, {@code null} when off or in demo mode
 * @param endpoint the HTTP endpoint and its publisher
 * @param web HTTP connection limits and the web configuration file (TLS, basic auth, headers)
 * @param logLevel one of error, warn, info, debug, trace
 * @param logFormat logfmt or json
 * @param demo whether to watch the embedded simulated demo cluster
 * @param notices lines to log at info once logging is configured (e.g. the NUN_URL port mapping)
 * @param warnings lines to log at warning once logging is configured (deprecated flags)
 */
public record ExporterConfig(
        ClientConfig client,
        PasswordSource password,
        CanaryConfig canary,
        PasswordSource canaryToken,
        ScrapeEndpointConfig endpoint,
        WebServerOptions web,
        String logLevel,
        String logFormat,
        boolean demo,
        List<String> notices,
        List<String> warnings) {
    public ExporterConfig {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(web, "web");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(logFormat, "logFormat");
        notices = List.copyOf(notices);
        warnings = List.copyOf(warnings);
    }
}
