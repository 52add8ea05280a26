package io.nundb.exporter.cli;

import io.nundb.exporter.client.CanaryConfig;
import io.nundb.exporter.client.ClientConfig;
import io.nundb.exporter.http.ScrapeEndpointConfig;
import io.nundb.exporter.http.WebServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command line, built from the option table ({@link Flags}), and its resolution into a validated
 * {@link ExporterConfig}. Precedence: flag, then environment twin ({@code NUNDB_EXPORTER_<FLAG>}), then
 * the original exporter's variable where there is one ({@code NUN_URL}, {@code NUN_USER}), then the
 * default. The password is never a flag: {@code --nundb.password-file} (or its twin), else
 * {@code NUNDB_EXPORTER_NUNDB_PASSWORD}, else {@code NUN_PWD}. Help texts never show environment values.
 *
 * <p>Thread-safety: used by the main thread only.
 */
final class ExporterCommand {
    /**
     * The demo mode's collector target until the embedded cluster has started and is dialled instead
     * ({@code .invalid} never resolves, RFC 2606).
     */
    static final String DEMO_PLACEHOLDER_SEED = "demo.invalid:3014";

    private ExporterCommand() {}

    /** The picocli model: one option per row of {@link Flags#ALL}, plus help, version, healthcheck and status. */
    static CommandLine commandLine() {
        CommandSpec spec = CommandSpec.create().name("nundb-exporter").mixinStandardHelpOptions(true);
        spec.versionProvider(new BuildInfo());
        spec.usageMessage()
                .description("Prometheus exporter for Nun-db clusters: one scrape shows every node.")
                .footer(
                        "",
                        "Every flag has an environment twin " + Flag.ENV_PREFIX
                                + "<FLAG> (e.g. NUNDB_EXPORTER_NUNDB_POLL_INTERVAL); a flag wins over its twin.",
                        "Durations: 500ms, 1s, 5m, 1h (at most "
                                + PrometheusDuration.format(Flags.MAX_DURATION) + "). Exit code 2: bad"
                                + " configuration. SIGHUP reloads the web config and the secret files.")
                .width(100)
                .autoWidth(true)
                .sortOptions(false)
                .abbreviateSynopsis(true);
        addFlags(spec);
        CommandLine cl = new CommandLine(spec);
        cl.addSubcommand("healthcheck", new HealthcheckCommand());
        cl.addSubcommand(StatusCommand.NAME, new CommandLine(StatusCommand.spec()));
        return cl;
    }

    /** Adds one option per row of {@link Flags#ALL} to {@code spec} (the exporter's and the status command's). */
    static void addFlags(CommandSpec spec) {
        for (Flag<?> f : Flags.ALL) {
            OptionSpec.Builder o = OptionSpec.builder(f.name())
                    .paramLabel(f.label())
                    .description(f.description())
                    .hidden(f.deprecated());
            switch (f.kind()) {
                case LIST:
                    o.type(List.class).auxiliaryTypes(String.class);
                    break;
                case BOOLEAN:
                    // picocli consumes the next argument of an optional boolean only if it is true or false.
                    o.type(boolean.class).arity("0..1").fallbackValue("true");
                    break;
                default:
                    o.type(String.class);
            }
            spec.addOption(o.build());
        }
    }

    /** Resolves the parsed flags, their environment twins and the defaults into a validated configuration. */
    static ExporterConfig resolve(ParseResult parsed, Map<String, String> environment) throws ConfigException {
        Values v = new Values(parsed, environment);
        List<String> notices = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        boolean demo = v.get(Flags.DEMO);

        List<String> seeds = v.getOr(Flags.ADDRESS, List.of());
        String nunUrl = v.env("NUN_URL");
        String compat = null;
        if (nunUrl != null) {
            compat = nunUrl(nunUrl);
            if (seeds.isEmpty()) {
                seeds = List.of(compat);
                notices.add("NUN_URL " + nunUrl + " is Nun-db's HTTP address; polling its TCP port " + compat);
            }
        }
        if (compat == null && !seeds.isEmpty()) {
            compat = seeds.get(0);
        }
        if (demo && !seeds.isEmpty()) {
            throw new ConfigException("--demo watches the embedded demo cluster; do not also give --nundb.address"
                    + " (or " + Flags.ADDRESS.env() + "/NUN_URL)");
        }
        if (!demo && seeds.isEmpty()) {
            throw new ConfigException("nothing to watch: give --nundb.address HOST:PORT (env " + Flags.ADDRESS.env()
                    + " or NUN_URL) for a Nun-db cluster, or --demo for the embedded demo cluster");
        }

        String user = v.get(Flags.USER);
        if (user == null) {
            user = v.env("NUN_USER");
        }
        PasswordSource password = PasswordSource.none();
        if (!demo) {
            password = password(v);
            if (user == null || user.isBlank()) {
                throw new ConfigException(
                        "no Nun-db user: give --nundb.user (env " + Flags.USER.env() + " or NUN_USER)");
            }
            if (!password.isPresent()) {
                throw new ConfigException("no Nun-db password: give --nundb.password-file (env "
                        + Flags.PASSWORD_FILE.env() + ") or set " + Flags.PASSWORD_ENV + " or NUN_PWD");
            }
        }
        if (v.raw(Flags.MAX_IN_FLIGHT) != null) {
            warnings.add("--nundb.max-in-flight is deprecated and ignored: requests are no longer pipelined");
        }

        Duration request = v.get(Flags.REQUEST_TIMEOUT);
        Duration hard = v.get(Flags.HARD_TIMEOUT);
        notShorter(Flags.HARD_TIMEOUT, hard, Flags.REQUEST_TIMEOUT, request);
        ClientConfig client;
        try {
            client = ClientConfig.builder()
                    .seeds(demo ? List.of(DEMO_PLACEHOLDER_SEED) : seeds)
                    .addressMap(v.getOr(Flags.ADDRESS_MAP, Map.of()))
                    .user(demo ? "" : user)
                    .password(password::current)
                    .pollInterval(v.get(Flags.POLL_INTERVAL))
                    .requestTimeout(request)
                    .hardTimeout(hard)
                    .connectTimeout(v.get(Flags.CONNECT_TIMEOUT))
                    .memberRetention(v.get(Flags.MEMBER_RETENTION))
                    .expectedMembers(v.getOr(Flags.EXPECTED_MEMBERS, 0))
                    .maxMembers(v.get(Flags.MAX_MEMBERS))
                    .pendingInterval(v.get(Flags.PENDING_INTERVAL))
                    .pendingMaxAge(v.get(Flags.PENDING_MAX_AGE))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid Nun-db client settings: " + ConfigException.reason(e));
        }

        PasswordSource canaryToken = null;
        Path tokenFile = v.get(Flags.CANARY_TOKEN_FILE);
        if (tokenFile != null) {
            canaryToken = PasswordSource.ofFile(tokenFile, Flags.CANARY_TOKEN_FILE.name());
        } else if (v.env(Flags.CANARY_TOKEN_ENV) != null) {
            canaryToken = PasswordSource.ofEnvironment(Flags.CANARY_TOKEN_ENV, v.env(Flags.CANARY_TOKEN_ENV));
        }
        CanaryConfig canary = null;
        if (demo || canaryToken != null) {
            // In demo mode the token supplier is replaced by the embedded cluster's at start.
            canary = CanaryConfig.of(
                    v.get(Flags.CANARY_DATABASE),
                    canaryToken == null ? () -> "" : canaryToken::current,
                    v.get(Flags.CANARY_INTERVAL),
                    v.get(Flags.CANARY_TIMEOUT));
            canary = canary.withSentinelInterval(v.get(Flags.CANARY_SENTINEL_INTERVAL));
        }

        Duration header = v.get(Flags.HEADER_TIMEOUT);
        Duration idle = v.get(Flags.IDLE_TIMEOUT);
        notShorter(Flags.IDLE_TIMEOUT, idle, Flags.HEADER_TIMEOUT, header);
        Flags.Listen listen = v.get(Flags.LISTEN_ADDRESS);
        boolean compatOn = v.get(Flags.COMPAT_LEGACY_METRICS);
        ScrapeEndpointConfig endpoint = ScrapeEndpointConfig.of(
                        listen.host(),
                        listen.port(),
                        v.get(Flags.TELEMETRY_PATH),
                        client.pollInterval(),
                        v.get(Flags.RENDER_MIN_INTERVAL),
                        BuildInfo.version(),
                        BuildInfo.revision(),
                        demo,
                        compatOn && !demo ? compat : null)
                .withIdleTimeout(idle);
        WebServerOptions web = new WebServerOptions(
                header,
                v.get(Flags.MAX_CONNECTIONS),
                v.get(Flags.WEB_CONFIG_FILE),
                WebServerOptions.DEFAULTS.webConfigPollInterval());

        return new ExporterConfig(
                client,
                password,
                canary,
                canaryToken,
                endpoint,
                web,
                v.get(Flags.LOG_LEVEL),
                v.get(Flags.LOG_FORMAT),
                demo,
                notices,
                warnings);
    }

    private static PasswordSource password(Values v) throws ConfigException {
        Path file = v.get(Flags.PASSWORD_FILE);
        if (file != null) {
            return PasswordSource.ofFile(file, Flags.PASSWORD_FILE.name());
        }
        for (String name : List.of(Flags.PASSWORD_ENV, "NUN_PWD")) {
            if (v.env(name) != null) {
                return PasswordSource.ofEnvironment(name, v.env(name));
            }
        }
        return PasswordSource.none();
    }

    private static void notShorter(Flag<Duration> longer, Duration l, Flag<Duration> shorter, Duration s)
            throws ConfigException {
        if (l.compareTo(s) < 0) {
            throw new ConfigException(longer.name() + " (" + PrometheusDuration.format(l) + ") must not be shorter"
                    + " than " + shorter.name() + " (" + PrometheusDuration.format(s) + ")");
        }
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
        try {
            return Flags.seed(host + ":3014");
        } catch (IllegalArgumentException e) {
            throw new ConfigException("NUN_URL " + url + " " + ConfigException.reason(e));
        }
    }

    /** A flag's raw value (flag, else twin; empty twins count as unset), parsed by its row's parser. */
    private static final class Values {
        private final ParseResult parsed;
        private final Map<String, String> environment;

        Values(ParseResult parsed, Map<String, String> environment) {
            this.parsed = parsed;
            this.environment = environment;
        }

        String env(String name) {
            String value = environment.get(name);
            return value == null || value.isEmpty() ? null : value;
        }

        /** The flag's value as given (a list's values joined with commas), else its twin's, else null. */
        String raw(Flag<?> f) {
            if (parsed.hasMatchedOption(f.name())) {
                Object value = parsed.matchedOptionValue(f.name(), null);
                return value instanceof List<?> list ? joined(list) : String.valueOf(value);
            }
            return env(f.env());
        }

        /** The parsed value, the parsed default when neither flag nor twin is set, else null. */
        <T> T get(Flag<T> f) throws ConfigException {
            String raw = raw(f);
            boolean fromFlag = parsed.hasMatchedOption(f.name());
            if (raw == null) {
                raw = f.defaultText();
                if (raw == null) {
                    return null;
                }
            }
            try {
                return f.parser().parse(raw);
            } catch (IllegalArgumentException | ArithmeticException e) {
                String where = fromFlag ? f.name() : f.name() + " (env " + f.env() + ")";
                throw new ConfigException(where + ": " + ConfigException.reason(e));
            }
        }

        <T> T getOr(Flag<T> f, T otherwise) throws ConfigException {
            T value = get(f);
            return value == null ? otherwise : value;
        }

        private static String joined(List<?> values) {
            StringBuilder b = new StringBuilder();
            for (Object o : values) {
                if (b.length() > 0) {
                    b.append(',');
                }
                b.append(o);
            }
            return b.toString();
        }
    }
}
