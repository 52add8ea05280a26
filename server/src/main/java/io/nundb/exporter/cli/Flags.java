package io.nundb.exporter.cli;

import io.nundb.exporter.client.CanaryConfig;
import io.nundb.exporter.client.ClientConfig;
import io.nundb.exporter.client.NodeAddress;
import io.nundb.exporter.http.ScrapeEndpointConfig;
import io.nundb.exporter.http.WebServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table of options: every flag of the exporter, once. Defaults that belong to a component (the
 * collector's timeouts, the HTTP limits, the canary database) are read from that component, so each
 * default exists in one place; every parser validates, so a bad value fails at start with the flag's
 * name (exit 2) and never later. Every duration is bounded by {@link #MAX_DURATION}, far below what
 * {@link Duration#toNanos()} and the schedulers can hold.
 *
 * <p>Thread-safety: immutable constants.
 */
final class Flags {
    /** The environment variable holding the admin password itself (never a flag). */
    static final String PASSWORD_ENV = Flag.ENV_PREFIX + "NUNDB_PASSWORD";
    /** The environment variable holding the canary database token itself (never a flag). */
    static final String CANARY_TOKEN_ENV = Flag.ENV_PREFIX + "CANARY_TOKEN";
    /** Longest accepted duration: a year, so that every deadline computed in nanoseconds fits a long. */
    static final Duration MAX_DURATION = Duration.ofDays(365);

    /** Only read for its defaults: the collector's configuration as the builder makes it. */
    private static final ClientConfig CLIENT_DEFAULTS =
            ClientConfig.builder().seeds(List.of("localhost:3014")).build();

    private static final Duration MIN_TIMEOUT = Duration.ofMillis(ClientConfig.MIN_REQUEST_TIMEOUT_MILLIS);

    static final Flag<List<String>> ADDRESS = new Flag<>(
            "--nundb.address",
            "HOST:PORT",
            Flag.Kind.LIST,
            null,
            Flags::seeds,
            "Seed node to poll (TCP, usually port 3014; IPv6 as [::1]:3014); repeatable, the other members are"
                    + " discovered from cluster-state.",
            "else NUN_URL (the original exporter's http://host:3013, mapped to host:3014 with a log line)",
            false);
    static final Flag<Map<String, String>> ADDRESS_MAP = new Flag<>(
            "--nundb.address-map",
            "NAME=HOST:PORT",
            Flag.Kind.LIST,
            null,
            Flags::addressMap,
            "Where to dial the node that calls itself NAME in cluster-state; repeatable.",
            null,
            false);
    static final Flag<String> USER = new Flag<>(
            "--nundb.user",
            "USER",
            Flag.Kind.VALUE,
            null,
            Flags::nonEmpty,
            "Nun-db admin user.",
            "else NUN_USER",
            false);
    static final Flag<Path> PASSWORD_FILE = new Flag<>(
            "--nundb.password-file",
            "FILE",
            Flag.Kind.VALUE,
            null,
            Path::of,
            "File holding the admin password, re-read when it changes and on SIGHUP. The password is never a"
                    + " flag value.",
            "else the password itself in " + PASSWORD_ENV + " or NUN_PWD",
            false);
    static final Flag<Duration> POLL_INTERVAL = duration(
            "--nundb.poll-interval",
            CLIENT_DEFAULTS.pollInterval(),
            Duration.ofMillis(100),
            "Every node is polled this often.");
    static final Flag<Duration> REQUEST_TIMEOUT = duration(
            "--nundb.request-timeout",
            CLIENT_DEFAULTS.requestTimeout(),
            MIN_TIMEOUT,
            "Deadline of one request; at least 100ms (a healthy Nun-db can take ~45 ms).");
    static final Flag<Duration> HARD_TIMEOUT = duration(
            "--nundb.hard-timeout",
            CLIENT_DEFAULTS.hardTimeout(),
            MIN_TIMEOUT,
            "A connection with requests outstanding and no status line for this long is reset (bytes and"
                    + " payload lines do not postpone it); not shorter than --nundb.request-timeout.");
    static final Flag<Duration> CONNECT_TIMEOUT = duration(
            "--nundb.connect-timeout",
            CLIENT_DEFAULTS.connectTimeout(),
            MIN_TIMEOUT,
            "TCP connect plus greeting plus auth (a stopped process accepts TCP and never greets).");
    static final Flag<String> MAX_IN_FLIGHT = new Flag<>(
            "--nundb.max-in-flight",
            "N",
            Flag.Kind.VALUE,
            null,
            text -> text,
            "Deprecated: accepted and ignored with a warning at start (requests are no longer pipelined).",
            null,
            true);
    static final Flag<Duration> MEMBER_RETENTION = duration(
            "--nundb.member-retention",
            CLIENT_DEFAULTS.memberRetention(),
            Duration.ofSeconds(1),
            "A node that vanished from every view is dialled and reported down this long, then forgotten"
                    + " (logged, counted). Seeds are never forgotten.");
    static final Flag<Integer> EXPECTED_MEMBERS = new Flag<>(
            "--nundb.expected-members",
            "N",
            Flag.Kind.VALUE,
            null,
            text -> integer(text, 0, 10_000),
            "The size the cluster should have (nundb_cluster_expected_members).",
            null,
            false);
    static final Flag<Integer> MAX_MEMBERS = new Flag<>(
            "--nundb.max-members",
            "N",
            Flag.Kind.VALUE,
            Integer.toString(ClientConfig.DEFAULT_MAX_MEMBERS),
            text -> integer(text, 1, 10_000),
            "The most nodes polled, seeds included: members a view lists beyond it are refused (logged once,"
                    + " counted in nundb_exporter_members_refused_total). A view is cleartext on the wire.",
            null,
            false);
    static final Flag<Duration> PENDING_INTERVAL = duration(
            "--pending.interval",
            CLIENT_DEFAULTS.pendingInterval(),
            Duration.ofMillis(100),
            "Shortest time between two reads of debug pending-ops on the primary (read only while pending_ops"
                    + " > 0 and entries wait or something changed; doubles while the reply exceeds 1 MiB).");
    static final Flag<Duration> PENDING_MAX_AGE = duration(
            "--pending.max-age",
            CLIENT_DEFAULTS.pendingMaxAge(),
            Duration.ofSeconds(1),
            "While the primary's pending_ops, its view and the members' starts stay the same, debug pending-ops"
                    + " is read again only this often (Nun-db logs each reply, user keys and values included).");
    static final Flag<Path> CANARY_TOKEN_FILE = new Flag<>(
            "--canary.token-file",
            "FILE",
            Flag.Kind.VALUE,
            null,
            Flags::readableFile,
            "File holding the canary database token, re-read when it changes and on SIGHUP; enables the"
                    + " replication canary.",
            "else the token itself in " + CANARY_TOKEN_ENV,
            false);
    static final Flag<Duration> CANARY_INTERVAL =
            duration("--canary.interval", Duration.ofSeconds(5), Duration.ofMillis(100), "Time between canary writes.");
    static final Flag<Duration> CANARY_TIMEOUT = duration(
            "--canary.timeout",
            Duration.ofSeconds(30),
            Duration.ofMillis(100),
            "A canary not seen on a member within this is counted lost.");
    static final Flag<String> CANARY_DATABASE = new Flag<>(
            "--canary.database",
            "NAME",
            Flag.Kind.VALUE,
            CanaryConfig.DEFAULT_DATABASE,
            Flags::canaryDatabase,
            "The canary's database, created on the primary when missing.",
            null,
            false);
    static final Flag<Duration> CANARY_SENTINEL_INTERVAL = duration(
            "--canary.sentinel-interval",
            CanaryConfig.DEFAULT_SENTINEL_INTERVAL,
            Duration.ofMillis(100),
            "How often the sentinel key (written once in the canary database) is read on every member; a member"
                    + " that lacks it rejoined without its data.");
    static final Flag<Listen> LISTEN_ADDRESS = new Flag<>(
            "--web.listen-address",
            "[HOST]:PORT",
            Flag.Kind.VALUE,
            ":9898",
            Flags::listen,
            "HTTP listen address (the original exporter's port).",
            null,
            false);
    static final Flag<String> TELEMETRY_PATH = new Flag<>(
            "--web.telemetry-path",
            "PATH",
            Flag.Kind.VALUE,
            "/metrics",
            Flags::telemetryPath,
            "Path of the metrics.",
            null,
            false);
    static final Flag<Path> WEB_CONFIG_FILE = new Flag<>(
            "--web.config.file",
            "FILE",
            Flag.Kind.VALUE,
            null,
            Flags::readableFile,
            "TLS, mTLS, basic auth and response headers in the Prometheus exporter-toolkit format; re-read"
                    + " when it changes and on SIGHUP.",
            null,
            false);
    static final Flag<Duration> HEADER_TIMEOUT = duration(
            "--web.header-timeout",
            WebServerOptions.DEFAULTS.headerTimeout(),
            Duration.ofMillis(100),
            "A request must be read completely within this of its first byte (slowloris cut-off).");
    static final Flag<Duration> IDLE_TIMEOUT = duration(
            "--web.idle-timeout",
            ScrapeEndpointConfig.DEFAULT_IDLE_TIMEOUT,
            Duration.ofMillis(100),
            "Keep-alive idle timeout, long enough for scrapes to reuse connections; not shorter than"
                    + " --web.header-timeout.");
    static final Flag<Integer> MAX_CONNECTIONS = new Flag<>(
            "--web.max-connections",
            "N",
            Flag.Kind.VALUE,
            Integer.toString(WebServerOptions.DEFAULTS.maxConnections()),
            text -> integer(text, 1, 1_000_000),
            "Connections over the cap are reset at once; existing scrapes keep being served.",
            null,
            false);
    static final Flag<Duration> RENDER_MIN_INTERVAL = duration(
            "--render.min-interval",
            Duration.ofSeconds(1),
            Duration.ZERO,
            "/metrics is rendered at most this often. Above about 300 nodes set it to at least the scrape"
                    + " interval (benchmarks/RESULTS.md).");
    static final Flag<Boolean> COMPAT_LEGACY_METRICS = bool(
            "--compat.legacy-metrics",
            "Also expose the original exporter's five nun_db_* gauges for NUN_URL's node or the first seed.");
    static final Flag<String> LOG_LEVEL = new Flag<>(
            "--log.level",
            "LEVEL",
            Flag.Kind.VALUE,
            "info",
            Flags::logLevel,
            "error, warn (or warning), info, debug or trace, in any case.",
            null,
            false);
    static final Flag<String> LOG_FORMAT = new Flag<>(
            "--log.format",
            "FORMAT",
            Flag.Kind.VALUE,
            "logfmt",
            text -> choice(text, "logfmt", "json"),
            "logfmt or json.",
            null,
            false);
    static final Flag<Boolean> DEMO =
            bool("--demo", "Watch an embedded simulated 3-node cluster on loopback instead of a real Nun-db.");

    /** Every flag, in help and README order. */
    static final List<Flag<?>> ALL = List.of(
            ADDRESS,
            ADDRESS_MAP,
            USER,
            PASSWORD_FILE,
            POLL_INTERVAL,
            REQUEST_TIMEOUT,
            HARD_TIMEOUT,
            CONNECT_TIMEOUT,
            MEMBER_RETENTION,
            EXPECTED_MEMBERS,
            MAX_MEMBERS,
            PENDING_INTERVAL,
            PENDING_MAX_AGE,
            CANARY_TOKEN_FILE,
            CANARY_INTERVAL,
            CANARY_TIMEOUT,
            CANARY_DATABASE,
            CANARY_SENTINEL_INTERVAL,
            LISTEN_ADDRESS,
            TELEMETRY_PATH,
            WEB_CONFIG_FILE,
            HEADER_TIMEOUT,
            IDLE_TIMEOUT,
            MAX_CONNECTIONS,
            RENDER_MIN_INTERVAL,
            COMPAT_LEGACY_METRICS,
            LOG_LEVEL,
            LOG_FORMAT,
            DEMO,
            MAX_IN_FLIGHT);

    /** An HTTP listen address; an empty host binds every interface. */
    record Listen(String host, int port) {}

    private Flags() {}

    private static Flag<Duration> duration(String name, Duration dflt, Duration min, String help) {
        return new Flag<>(
                name,
                "DURATION",
                Flag.Kind.VALUE,
                PrometheusDuration.format(dflt),
                text -> boundedDuration(text, min),
                help,
                null,
                false);
    }

    private static Flag<Boolean> bool(String name, String help) {
        return new Flag<>(name, "BOOL", Flag.Kind.BOOLEAN, "false", Flags::bool, help, null, false);
    }

    static Duration boundedDuration(String text, Duration min) {
        Duration d = PrometheusDuration.parse(text.trim());
        if (d.compareTo(min) < 0) {
            throw new IllegalArgumentException(
                    "must be at least " + PrometheusDuration.format(min) + ", got " + text.trim());
        }
        if (d.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(
                    "must be at most " + PrometheusDuration.format(MAX_DURATION) + ", got " + text.trim());
        }
        return d;
    }

    static boolean bool(String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException("wants true or false, got: " + text);
        }
    }

    static int integer(String text, int min, int max) {
        int v;
        try {
            v = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("wants an integer, got: " + text);
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException("must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    private static String choice(String text, String... allowed) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) {
                return a;
            }
        }
        throw new IllegalArgumentException("must be " + String.join(" or ", allowed) + ", got: " + text);
    }

    static String logLevel(String text) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        if (v.equals("warning")) {
            return "warn";
        }
        try {
            return choice(v, "error", "warn", "info", "debug", "trace");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be error, warn, info, debug or trace, got: " + text);
        }
    }

    private static String nonEmpty(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return text;
    }

    /** A dialable {@code host:port}, as the collector will dial it ({@link NodeAddress#parse}). */
    static String seed(String text) {
        String v = text.trim();
        if (NodeAddress.parse(v) == null) {
            throw new IllegalArgumentException("wants a dialable HOST:PORT (TCP, e.g. db:3014; IPv6 as [::1]:3014;"
                    + " not a wildcard such as 0.0.0.0), got: " + text);
        }
        return v;
    }

    private static List<String> seeds(String text) {
        List<String> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                out.add(seed(part));
            }
        }
        return out;
    }

    private static Map<String, String> addressMap(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String m = part.trim();
            int eq = m.indexOf('=');
            if (eq <= 0 || eq == m.length() - 1) {
                throw new IllegalArgumentException("wants NAME=HOST:PORT, got: " + m);
            }
            out.put(m.substring(0, eq), seed(m.substring(eq + 1)));
        }
        return out;
    }

    private static Path readableFile(String text) {
        Path p = Path.of(text);
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException("cannot read " + text);
        }
        return p;
    }

    private static String canaryDatabase(String text) {
        // CanaryConfig owns the rule; build a throw-away one to apply it here, at start.
        CanaryConfig.of(text, () -> "", Duration.ofSeconds(1), Duration.ofSeconds(1));
        return text;
    }

    static Listen listen(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("wants [HOST]:PORT, got: " + text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("wants [HOST]:PORT (IPv6 in brackets, e.g. [::]:9898), got: " + text);
        }
        return new Listen(host, integer(text.substring(colon + 1), 0, 65535));
    }

    private static String telemetryPath(String text) {
        if (!text.startsWith("/") || text.equals("/") || text.startsWith("/-/") || text.contains("?")) {
            throw new IllegalArgumentException("must start with / and not be / or under /-/, got: " + text);
        }
        return text;
    }
}
