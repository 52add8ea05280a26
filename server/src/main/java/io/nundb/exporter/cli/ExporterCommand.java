package io.nundb.exporter.cli;

import io.nundb.exporter.http.WebServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The picocli model of the command line: raw flag values, resolved with their environment twins and
 * defaults by {@link #resolve(Map)}. Precedence: flag, then environment twin, then default. Every twin
 * is the flag name upper-cased with {@code .} and {@code -} turned into {@code _} (for example
 * {@code --nundb.poll-interval} and {@code NUNDB_POLL_INTERVAL}); repeatable flags take a
 * comma-separated twin. The original exporter's {@code NUN_USER}, {@code NUN_PWD} and {@code NUN_URL}
 * come last. The password is never a flag: {@code --nundb.password-file}, {@code NUNDB_PASSWORD_FILE},
 * {@code NUNDB_PASSWORD}, {@code NUN_PWD}, in that order. Help texts never show environment values.
 *
 * <p>Thread-safety: filled and read by the main thread only.
 */
@Command(
        name = "nundb-exporter",
        mixinStandardHelpOptions = true,
        versionProvider = BuildInfo.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Prometheus exporter for Nun-db clusters: one scrape shows every node.",
        footer = {
            "",
            "Every flag has an environment twin (e.g. NUNDB_POLL_INTERVAL); a flag wins over its twin.",
            "Durations: 500ms, 1s, 5m, 1h. Exit code 2: bad configuration."
        },
        subcommands = HealthcheckCommand.class)
public final class ExporterCommand {
    @Option(
            names = "--nundb.address",
            paramLabel = "HOST:PORT",
            description = "Nun-db node to watch (TCP, usually port 3014); repeatable, more are discovered."
                    + " Env NUNDB_ADDRESS (comma-separated), else NUN_URL (http://host:3013 maps to host:3014).")
    List<String> addresses;

    @Option(
            names = "--nundb.address-map",
            paramLabel = "NAME=HOST:PORT",
            description = "Dial HOST:PORT for the node that calls itself NAME in cluster-state; repeatable."
                    + " Env NUNDB_ADDRESS_MAP.")
    List<String> addressMap;

    @Option(
            names = "--nundb.user",
            paramLabel = "USER",
            description = "Nun-db admin user. Env NUNDB_USER, else NUN_USER.")
    String user;

    @Option(
            names = "--nundb.password-file",
            paramLabel = "FILE",
            description = "File holding the admin password, re-read when it changes. Env NUNDB_PASSWORD_FILE;"
                    + " else the password itself from env NUNDB_PASSWORD or NUN_PWD (never a flag).")
    Path passwordFile;

    @Option(
            names = "--nundb.poll-interval",
            paramLabel = "DURATION",
            description = "Time between polls of each node. Env NUNDB_POLL_INTERVAL. Default 1s.")
    String pollInterval;

    @Option(
            names = "--nundb.request-timeout",
            paramLabel = "DURATION",
            description = "Deadline of one request, at least 100ms. Env NUNDB_REQUEST_TIMEOUT. Default 2s.")
    String requestTimeout;

    @Option(
            names = "--nundb.hard-timeout",
            paramLabel = "DURATION",
            description = "Close a connection whose oldest request is this old. Env NUNDB_HARD_TIMEOUT. Default 10s.")
    String hardTimeout;

    @Option(
            names = "--nundb.connect-timeout",
            paramLabel = "DURATION",
            description = "TCP connect and greeting deadline. Env NUNDB_CONNECT_TIMEOUT. Default 3s.")
    String connectTimeout;

    @Option(
            names = "--nundb.max-in-flight",
            paramLabel = "N",
            description = "Pipelined requests per connection, 1 to 20. Env NUNDB_MAX_IN_FLIGHT. Default 8.")
    String maxInFlight;

    @Option(
            names = "--nundb.member-retention",
            paramLabel = "DURATION",
            description =
                    "Forget a node absent from every view for this long. Env NUNDB_MEMBER_RETENTION." + " Default 1h.")
    String memberRetention;

    @Option(
            names = "--nundb.expected-members",
            paramLabel = "N",
            description = "Cluster size, exposed as nundb_cluster_expected_members. Env NUNDB_EXPECTED_MEMBERS.")
    String expectedMembers;

    @Option(
            names = "--web.listen-address",
            paramLabel = "[HOST]:PORT",
            description = "HTTP listen address. Env WEB_LISTEN_ADDRESS. Default :9898.")
    String listenAddress;

    @Option(
            names = "--web.telemetry-path",
            paramLabel = "PATH",
            description = "Path of the metrics. Env WEB_TELEMETRY_PATH. Default /metrics.")
    String telemetryPath;

    @Option(
            names = "--web.config.file",
            paramLabel = "FILE",
            description = "Exporter-toolkit web config (TLS, mTLS, basic auth with bcrypt hashes, extra headers),"
                    + " re-read when it changes. Env WEB_CONFIG_FILE.")
    Path webConfigFile;

    @Option(
            names = "--web.header-timeout",
            paramLabel = "DURATION",
            description = "Close a connection whose request is not fully read this long after its first byte."
                    + " Env WEB_HEADER_TIMEOUT. Default 10s.")
    String headerTimeout;

    @Option(
            names = "--web.idle-timeout",
            paramLabel = "DURATION",
            description = "Close a keep-alive connection idle this long. Env WEB_IDLE_TIMEOUT. Default 5m.")
    String idleTimeout;

    @Option(
            names = "--web.max-connections",
            paramLabel = "N",
            description = "Concurrent HTTP connections; more are closed at once. Env WEB_MAX_CONNECTIONS. Default 256.")
    String maxConnections;

    @Option(
            names = "--render.min-interval",
            paramLabel = "DURATION",
            description = "Render /metrics at most this often. Env RENDER_MIN_INTERVAL. Default 1s.")
    String renderMinInterval;

    @Option(
            names = "--log.level",
            paramLabel = "LEVEL",
            description = "error, warn, info, debug or trace. Env LOG_LEVEL. Default info.")
    String logLevel;

    @Option(
            names = "--log.format",
            paramLabel = "FORMAT",
            description = "logfmt or json. Env LOG_FORMAT. Default logfmt.")
    String logFormat;

    @Option(
            names = "--compat.legacy-metrics",
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "BOOL",
            description = "Also expose the original exporter's five nun_db_* gauges (ms, databases=\"all\") for"
                    + " NUN_URL's node or the first seed. Env COMPAT_LEGACY_METRICS.")
    String compatLegacyMetrics;

    @Option(
            names = "--canary.token-file",
            paramLabel = "FILE",
            description = "File holding the canary database token, re-read when it changes; enables the"
                    + " replication canary. Env CANARY_TOKEN_FILE; else the token itself from env"
                    + " NUNDB_CANARY_TOKEN (never a flag).")
    Path canaryTokenFile;

    @Option(
            names = "--canary.interval",
            paramLabel = "DURATION",
            description = "Time between canary writes. Env CANARY_INTERVAL. Default 5s.")
    String canaryInterval;

    @Option(
            names = "--canary.timeout",
            paramLabel = "DURATION",
            description = "Count a canary lost after this. Env CANARY_TIMEOUT. Default 30s.")
    String canaryTimeout;

    @Option(
            names = "--canary.database",
            paramLabel = "NAME",
            description = "Canary database name. Env CANARY_DATABASE. Default nundb_exporter_canary.")
    String canaryDatabase;

    @Option(
            names = "--pending.interval",
            paramLabel = "DURATION",
            description = "Time between debug pending-ops polls of the primary. Env PENDING_INTERVAL. Default 10s.")
    String pendingInterval;

    @Option(
            names = "--demo",
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "BOOL",
            description = "Watch an embedded simulated 3-node cluster on loopback instead of Nun-db. Env DEMO.")
    String demo;

    /** Resolves flags, environment twins and defaults into a validated configuration. */
    ExporterConfig resolve(Map<String, String> env) throws ConfigException {
        Env e = new Env(env);
        List<String> notices = new ArrayList<>();
        boolean demoMode = bool("--demo", e.pick(demo, "--demo"), false);

        List<String> seeds = new ArrayList<>();
        List<String> rawSeeds = addresses != null && !addresses.isEmpty() ? addresses : e.list("--nundb.address");
        String compat = null;
        for (String a : rawSeeds) {
            seeds.add(hostPort("--nundb.address", a));
        }
        if (seeds.isEmpty() && e.get("NUN_URL") != null) {
            String mapped = nunUrl(e.get("NUN_URL"));
            seeds.add(mapped);
            compat = mapped;
            notices.add("NUN_URL " + e.get("NUN_URL") + " is Nun-db's HTTP address; polling its TCP port " + mapped);
        } else if (e.get("NUN_URL") != null) {
            compat = nunUrl(e.get("NUN_URL"));
        }
        if (compat == null && !seeds.isEmpty()) {
            compat = seeds.get(0);
        }
        if (demoMode && !seeds.isEmpty()) {
            throw new ConfigException("--demo watches the embedded demo cluster; do not also give --nundb.address"
                    + " (or NUNDB_ADDRESS/NUN_URL)");
        }
        if (!demoMode && seeds.isEmpty()) {
            throw new ConfigException("nothing to watch: give --nundb.address HOST:PORT (env NUNDB_ADDRESS or"
                    + " NUN_URL) for a Nun-db cluster, or --demo for the embedded demo cluster");
        }

        Map<String, String> map = new LinkedHashMap<>();
        List<String> rawMap = addressMap != null && !addressMap.isEmpty() ? addressMap : e.list("--nundb.address-map");
        for (String m : rawMap) {
            int eq = m.indexOf('=');
            if (eq <= 0 || eq == m.length() - 1) {
                throw new ConfigException("--nundb.address-map wants NAME=HOST:PORT, got: " + m);
            }
            map.put(m.substring(0, eq), hostPort("--nundb.address-map", m.substring(eq + 1)));
        }

        String userValue = e.pick(user, "--nundb.user");
        if (userValue == null) {
            userValue = e.get("NUN_USER");
        }
        PasswordSource pwd;
        Path pwdFile = passwordFile != null ? passwordFile : e.path("--nundb.password-file");
        if (pwdFile != null) {
            pwd = PasswordSource.ofFile(pwdFile);
        } else if (e.get("NUNDB_PASSWORD") != null) {
            pwd = PasswordSource.ofEnvironment("NUNDB_PASSWORD", e.get("NUNDB_PASSWORD"));
        } else if (e.get("NUN_PWD") != null) {
            pwd = PasswordSource.ofEnvironment("NUN_PWD", e.get("NUN_PWD"));
        } else {
            pwd = PasswordSource.none();
        }
        if (!demoMode && (userValue == null || userValue.isEmpty())) {
            throw new ConfigException("no Nun-db user: give --nundb.user (env NUNDB_USER or NUN_USER)");
        }
        if (!demoMode && !pwd.isPresent()) {
            throw new ConfigException("no Nun-db password: give --nundb.password-file (env NUNDB_PASSWORD_FILE)"
                    + " or set NUNDB_PASSWORD or NUN_PWD");
        }

        Duration poll = duration(e, pollInterval, "--nundb.poll-interval", "1s");
        Duration request = duration(e, requestTimeout, "--nundb.request-timeout", "2s");
        Duration hard = duration(e, hardTimeout, "--nundb.hard-timeout", "10s");
        Duration connect = duration(e, connectTimeout, "--nundb.connect-timeout", "3s");
        atLeast("--nundb.poll-interval", poll, Duration.ofMillis(100));
        atLeast("--nundb.request-timeout", request, Duration.ofMillis(100));
        atLeast("--nundb.connect-timeout", connect, Duration.ofMillis(100));
        if (hard.compareTo(request) < 0) {
            throw new ConfigException("--nundb.hard-timeout (" + PrometheusDuration.format(hard)
                    + ") must not be shorter than --nundb.request-timeout (" + PrometheusDuration.format(request)
                    + ")");
        }
        int inFlight = integer(e, maxInFlight, "--nundb.max-in-flight", 8);
        if (inFlight < 1 || inFlight > 20) {
            throw new ConfigException("--nundb.max-in-flight must be between 1 and 20, got " + inFlight);
        }
        Duration retention = duration(e, memberRetention, "--nundb.member-retention", "1h");
        atLeast("--nundb.member-retention", retention, Duration.ofSeconds(1));
        int expected = integer(e, expectedMembers, "--nundb.expected-members", 0);
        if (expected < 0) {
            throw new ConfigException("--nundb.expected-members must not be negative, got " + expected);
        }

        String listen = e.pickOr(listenAddress, "--web.listen-address", ":9898");
        int colon = listen.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException("--web.listen-address wants [HOST]:PORT, got: " + listen);
        }
        String listenHostValue = listen.substring(0, colon);
        if (listenHostValue.startsWith("[") && listenHostValue.endsWith("]")) {
            listenHostValue = listenHostValue.substring(1, listenHostValue.length() - 1);
        }
        int port = port("--web.listen-address", listen.substring(colon + 1), true);

        String path = e.pickOr(telemetryPath, "--web.telemetry-path", "/metrics");
        if (!path.startsWith("/") || path.equals("/") || path.startsWith("/-/") || path.contains("?")) {
            throw new ConfigException("--web.telemetry-path must start with / and not be / or under /-/, got: " + path);
        }
        Duration render = duration(e, renderMinInterval, "--render.min-interval", "1s");
        Path webFile = webConfigFile != null ? webConfigFile : e.path("--web.config.file");
        if (webFile != null && !Files.isReadable(webFile)) {
            throw new ConfigException("cannot read --web.config.file " + webFile);
        }
        Duration headerRead = duration(e, headerTimeout, "--web.header-timeout", "10s");
        Duration idle = duration(e, idleTimeout, "--web.idle-timeout", "5m");
        atLeast("--web.header-timeout", headerRead, Duration.ofMillis(100));
        if (idle.compareTo(headerRead) < 0) {
            throw new ConfigException("--web.idle-timeout (" + PrometheusDuration.format(idle)
                    + ") must not be shorter than --web.header-timeout (" + PrometheusDuration.format(headerRead)
                    + ")");
        }
        int maxConns = integer(e, maxConnections, "--web.max-connections", 256);
        if (maxConns < 1) {
            throw new ConfigException("--web.max-connections must be positive, got " + maxConns);
        }
        WebServerOptions web = new WebServerOptions(headerRead, maxConns, webFile, Duration.ofSeconds(5));

        String level = e.pickOr(logLevel, "--log.level", "info").toLowerCase(Locale.ROOT);
        if (!List.of("error", "warn", "info", "debug", "trace").contains(level)) {
            throw new ConfigException("--log.level must be error, warn, info, debug or trace, got: " + level);
        }
        String format = e.pickOr(logFormat, "--log.format", "logfmt").toLowerCase(Locale.ROOT);
        if (!format.equals("logfmt") && !format.equals("json")) {
            throw new ConfigException("--log.format must be logfmt or json, got: " + format);
        }
        boolean compatOn =
                bool("--compat.legacy-metrics", e.pick(compatLegacyMetrics, "--compat.legacy-metrics"), false);

        Path token = canaryTokenFile != null ? canaryTokenFile : e.path("--canary.token-file");
        if (token != null && !Files.isReadable(token)) {
            throw new ConfigException("cannot read --canary.token-file " + token);
        }
        PasswordSource canaryToken = null;
        if (token != null) {
            canaryToken = PasswordSource.ofFile(token, "--canary.token-file");
        } else if (e.get("NUNDB_CANARY_TOKEN") != null) {
            canaryToken = PasswordSource.ofEnvironment("NUNDB_CANARY_TOKEN", e.get("NUNDB_CANARY_TOKEN"));
        }
        Duration canaryEvery = duration(e, canaryInterval, "--canary.interval", "5s");
        Duration canaryLost = duration(e, canaryTimeout, "--canary.timeout", "30s");
        atLeast("--canary.interval", canaryEvery, Duration.ofMillis(100));
        atLeast("--canary.timeout", canaryLost, Duration.ofMillis(100));
        String canaryDb = e.pickOr(canaryDatabase, "--canary.database", "nundb_exporter_canary");
        if (!canaryDb.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new ConfigException("--canary.database must be 1-64 letters, digits, _ or -, got: " + canaryDb);
        }
        Duration pending = duration(e, pendingInterval, "--pending.interval", "10s");
        atLeast("--pending.interval", pending, Duration.ofMillis(100));

        return new ExporterConfig(
                seeds,
                map,
                demoMode ? null : userValue,
                demoMode ? PasswordSource.none() : pwd,
                poll,
                request,
                hard,
                connect,
                inFlight,
                retention,
                expected,
                listenHostValue,
                port,
                path,
                render,
                level,
                format,
                compatOn,
                compatOn ? (demoMode ? null : compat) : null,
                token,
                canaryToken,
                canaryEvery,
                canaryLost,
                canaryDb,
                pending,
                demoMode,
                notices,
                idle,
                web);
    }

    /** The environment twin of a flag: {@code --nundb.poll-interval} is {@code NUNDB_POLL_INTERVAL}. */
    static String envName(String flag) {
        return flag.substring(2).toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Maps the original exporter's NUN_URL (Nun-db's HTTP address) to the node's TCP address. */
    static String nunUrl(String url) throws ConfigException {
        String rest = url.trim();
        int scheme = rest.indexOf("://");
        if (scheme >= 0) {
            String s = rest.substring(0, scheme).toLowerCase(Locale.ROOT);
            if (!s.equals("http") && !s.equals("https")) {
                throw new ConfigException("NUN_URL must be http://HOST[:3013], got: " + url);
            }
            rest = rest.substring(scheme + 3);
        }
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            rest = rest.substring(0, slash);
        }
        String host = rest;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0 && !rest.endsWith("]")) {
            host = rest.substring(0, colon);
            String port = rest.substring(colon + 1);
            if (!port.equals("3013")) {
                throw new ConfigException("NUN_URL " + url + " has port " + port + "; only Nun-db's HTTP port 3013"
                        + " (mapped to TCP 3014) is understood, use --nundb.address HOST:PORT instead");
            }
        }
        if (host.isEmpty()) {
            throw new ConfigException("NUN_URL has no host: " + url);
        }
        return host + ":3014";
    }

    static String hostPort(String flag, String value) throws ConfigException {
        String v = value.trim();
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || v.indexOf('/') >= 0) {
            throw new ConfigException(flag + " wants HOST:PORT (TCP, e.g. db:3014), got: " + value);
        }
        port(flag, v.substring(colon + 1), false);
        return v;
    }

    private static int port(String flag, String text, boolean zeroAllowed) throws ConfigException {
        try {
            int p = Integer.parseInt(text);
            if (p < (zeroAllowed ? 0 : 1) || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException ex) {
            throw new ConfigException(flag + " has an invalid port: " + text);
        }
    }

    private static Duration duration(Env e, String flagValue, String flag, String dflt) throws ConfigException {
        String v = e.pickOr(flagValue, flag, dflt);
        try {
            return PrometheusDuration.parse(v);
        } catch (IllegalArgumentException | ArithmeticException ex) {
            throw new ConfigException(flag + " (env " + envName(flag) + "): " + ex.getMessage());
        }
    }

    private static void atLeast(String flag, Duration d, Duration min) throws ConfigException {
        if (d.compareTo(min) < 0) {
            throw new ConfigException(flag + " must be at least " + PrometheusDuration.format(min) + ", got "
                    + PrometheusDuration.format(d));
        }
    }

    private static int integer(Env e, String flagValue, String flag, int dflt) throws ConfigException {
        String v = e.pick(flagValue, flag);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException ex) {
            throw new ConfigException(flag + " (env " + envName(flag) + ") wants an integer, got: " + v);
        }
    }

    private static boolean bool(String flag, String v, boolean dflt) throws ConfigException {
        if (v == null) {
            return dflt;
        }
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true":
            case "1":
            case "yes":
                return true;
            case "false":
            case "0":
            case "no":
                return false;
            default:
                throw new ConfigException(flag + " (env " + envName(flag) + ") wants true or false, got: " + v);
        }
    }

    /** Environment lookups; empty values count as unset. */
    private static final class Env {
        private final Map<String, String> env;

        Env(Map<String, String> env) {
            this.env = env;
        }

        String get(String name) {
            String v = env.get(name);
            return v == null || v.isEmpty() ? null : v;
        }

        String pick(String flagValue, String flag) {
            return flagValue != null ? flagValue : get(envName(flag));
        }

        String pickOr(String flagValue, String flag, String dflt) {
            String v = pick(flagValue, flag);
            return v != null ? v : dflt;
        }

        List<String> list(String flag) {
            String v = get(envName(flag));
            List<String> out = new ArrayList<>();
            if (v != null) {
                for (String part : v.split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.trim());
                    }
                }
            }
            return out;
        }

        Path path(String flag) {
            String v = get(envName(flag));
            return v == null ? null : Path.of(v);
        }
    }
}
