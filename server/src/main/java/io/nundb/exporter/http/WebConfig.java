package io.nundb.exporter.http;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * One loaded web configuration file in the Prometheus exporter-toolkit format: TLS (server certificate
 * and key, minimum and maximum protocol version, client CA for mTLS), {@code basic_auth_users} with
 * bcrypt hashes, and {@code http_server_config.headers}. Relative file names are resolved against the
 * configuration file's directory, as exporter-toolkit does.
 *
 * <pre>{@code
 * tls_server_config:
 *   cert_file: server.crt          # PEM certificate chain, leaf first
 *   key_file: server.key           # PEM private key: PKCS#8, PKCS#1 RSA or SEC1 EC, not encrypted
 *   min_version: TLS12             # TLS12 (default) or TLS13
 *   client_auth_type: RequireAndVerifyClientCert   # or VerifyClientCertIfGiven, NoClientCert
 *   client_ca_file: ca.crt
 * basic_auth_users:
 *   prometheus: $2y$10$...         # bcrypt ($2a$, $2b$ or $2y$)
 * http_server_config:
 *   headers:
 *     Strict-Transport-Security: max-age=31536000
 * intentionally_disabled: []       # nundb-exporter only, see below
 * }</pre>
 *
 * <p>The key must match the certificate (see {@link TlsKeyPair}, which also says why PKCS#1 and SEC1
 * keys are re-wrapped in plain Java rather than read with BouncyCastle).
 *
 * <p>A reload must not weaken the endpoint by accident: an emptied or truncated file, or a template that
 * rendered nothing, would otherwise turn TLS and authentication off in a running exporter. So a reload
 * that drops one of the {@link Protection protections} the running configuration has (TLS, basic auth, a
 * required client certificate) is refused (see {@link #droppedProtections}) unless the new file names it
 * in {@code intentionally_disabled}, a list of {@code tls}, {@code basic_auth} and {@code client_auth}.
 * That key is an extension of nundb-exporter (exporter-toolkit would reject it) and matters only on
 * reload: at start there is nothing to drop, and an empty file means plain HTTP without authentication.
 *
 * <p>Unknown keys are an error (exporter-toolkit parses strictly). Keys that would restrict clients but
 * are not implemented ({@code cipher_suites}, {@code curve_preferences}, {@code client_allowed_sans},
 * {@code RequestClientCert}, {@code RequireAnyClientCert}) are refused rather than silently ignored;
 * {@code http2} and {@code prefer_server_cipher_suites} are accepted and ignored (HTTP/1.1 only, JDK
 * cipher order).
 *
 * <p>Thread-safety: immutable; {@link #load} does blocking file I/O (call it off the event loops).
 *
 * @param sslContext server TLS context, {@code null} for plain HTTP
 * @param users user name to bcrypt hash; empty when basic auth is off
 * @param headers extra response headers
 * @param watchedFiles the configuration file and every file it names, for change detection
 * @param clientCertRequired whether TLS clients must present a certificate signed by the client CA
 * @param intentionallyDisabled the protections the file says it turns off on purpose
 */
public record WebConfig(
        SslContext sslContext,
        Map<String, String> users,
        Map<String, String> headers,
        List<Path> watchedFiles,
        boolean clientCertRequired,
        Set<Protection> intentionallyDisabled) {
    /** Plain HTTP, no authentication, no extra headers. */
    public static final WebConfig NONE = new WebConfig(null, Map.of(), Map.of(), List.of());

    /** What a reload may not drop unless the file says so in {@code intentionally_disabled}. */
    public enum Protection {
        /** {@code tls_server_config}: HTTPS. */
        TLS("tls"),
        /** {@code basic_auth_users}: HTTP basic authentication. */
        BASIC_AUTH("basic_auth"),
        /** {@code client_auth_type: RequireAndVerifyClientCert}: mutual TLS. */
        CLIENT_AUTH("client_auth");

        /** The name used in {@code intentionally_disabled}. */
        public final String key;

        Protection(String key) {
            this.key = key;
        }

        @Override
        public String toString() {
            return key;
        }
    }

    /** Headers exporter-toolkit allows in {@code http_server_config.headers}. */
    static final Set<String> ALLOWED_HEADERS = Set.of(
            "Strict-Transport-Security",
            "X-Content-Type-Options",
            "X-Frame-Options",
            "X-XSS-Protection",
            "Content-Security-Policy");

    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    private static final Set<String> TOP_KEYS =
            Set.of("tls_server_config", "http_server_config", "basic_auth_users", "intentionally_disabled");
    private static final Set<String> TLS_KEYS = Set.of(
            "cert_file",
            "key_file",
            "client_auth_type",
            "client_ca_file",
            "min_version",
            "max_version",
            "prefer_server_cipher_suites");
    private static final Set<String> HTTP_KEYS = Set.of("headers", "http2");

    public WebConfig {
        users = Collections.unmodifiableMap(new LinkedHashMap<>(users));
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        watchedFiles = List.copyOf(watchedFiles);
        intentionallyDisabled = intentionallyDisabled.isEmpty()
                ? Set.of()
                : Collections.unmodifiableSet(EnumSet.copyOf(intentionallyDisabled));
    }

    /** A configuration without a client certificate requirement nor {@code intentionally_disabled}. */
    public WebConfig(
            SslContext sslContext, Map<String, String> users, Map<String, String> headers, List<Path> watchedFiles) {
        this(sslContext, users, headers, watchedFiles, false, Set.of());
    }

    /** Whether requests must carry basic auth credentials. */
    public boolean basicAuth() {
        return !users.isEmpty();
    }

    /** Whether connections are TLS. */
    public boolean tls() {
        return sslContext != null;
    }

    /** The protections this configuration enforces. */
    public Set<Protection> protections() {
        Set<Protection> out = EnumSet.noneOf(Protection.class);
        if (tls()) {
            out.add(Protection.TLS);
        }
        if (basicAuth()) {
            out.add(Protection.BASIC_AUTH);
        }
        if (clientCertRequired) {
            out.add(Protection.CLIENT_AUTH);
        }
        return out;
    }

    /**
     * The protections {@code previous} enforces that this configuration would drop without naming them in
     * {@code intentionally_disabled}; a reload to this configuration must be refused unless it is empty.
     */
    public Set<Protection> droppedProtections(WebConfig previous) {
        Set<Protection> dropped = previous.protections();
        dropped.removeAll(protections());
        dropped.removeAll(intentionallyDisabled);
        return dropped;
    }

    /** The protections named in {@code intentionally_disabled} that this configuration enforces anyway. */
    public Set<Protection> contradictions() {
        Set<Protection> out = protections();
        out.retainAll(intentionallyDisabled);
        return out;
    }

    /**
     * Reads and validates a web configuration file, building the TLS context if configured.
     *
     * @throws WebConfigException with a message naming the file and the problem (never a secret)
     */
    public static WebConfig load(Path file) throws WebConfigException {
        Object root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            options.setCodePointLimit(1024 * 1024);
            root = new Yaml(new SafeConstructor(options)).load(r);
        } catch (IOException e) {
            throw new WebConfigException("cannot read web config " + file + ": " + e.getMessage(), e);
        } catch (YAMLException e) {
            throw new WebConfigException("web config " + file + " is not valid YAML: " + firstLine(e), e);
        }
        List<Path> watched = new ArrayList<>();
        watched.add(file);
        if (root == null) {
            return new WebConfig(null, Map.of(), Map.of(), watched);
        }
        Map<String, Object> top = map(root, "top level", file);
        unknownKeys(top, TOP_KEYS, "", file);
        Path dir = file.toAbsolutePath().getParent();

        SslContext ssl = null;
        boolean clientCertRequired = false;
        if (top.get("tls_server_config") != null) {
            Map<String, Object> tls = map(top.get("tls_server_config"), "tls_server_config", file);
            ssl = tls(tls, dir, watched, file);
            clientCertRequired = "RequireAndVerifyClientCert".equals(str(tls.get("client_auth_type")));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (top.get("http_server_config") != null) {
            Map<String, Object> http = map(top.get("http_server_config"), "http_server_config", file);
            unknownKeys(http, HTTP_KEYS, "http_server_config.", file);
            if (http.get("headers") != null) {
                for (Map.Entry<String, Object> h : map(http.get("headers"), "http_server_config.headers", file)
                        .entrySet()) {
                    String name = canonicalHeader(h.getKey());
                    if (name == null) {
                        throw new WebConfigException("web config " + file + ": header " + h.getKey()
                                + " is not allowed (allowed: " + String.join(", ", ALLOWED_HEADERS) + ")");
                    }
                    String value = String.valueOf(h.getValue());
                    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                        throw new WebConfigException("web config " + file + ": header " + name + " has a line break");
                    }
                    headers.put(name, value);
                }
            }
        }
        Map<String, String> users = new LinkedHashMap<>();
        if (top.get("basic_auth_users") != null) {
            for (Map.Entry<String, Object> u :
                    map(top.get("basic_auth_users"), "basic_auth_users", file).entrySet()) {
                String hash = u.getValue() == null ? "" : String.valueOf(u.getValue());
                if (u.getKey().isEmpty() || u.getKey().indexOf(':') >= 0) {
                    throw new WebConfigException("web config " + file + ": basic_auth_users has an empty user name"
                            + " or one containing ':'");
                }
                if (!BCRYPT.matcher(hash).matches()) {
                    // The value is not echoed: it might be a clear-text password pasted by mistake.
                    throw new WebConfigException("web config " + file + ": basic_auth_users." + u.getKey()
                            + " is not a bcrypt hash ($2a$, $2b$ or $2y$)");
                }
                users.put(u.getKey(), hash);
            }
        }
        return new WebConfig(
                ssl,
                users,
                headers,
                watched,
                clientCertRequired,
                intentionallyDisabled(top.get("intentionally_disabled"), file));
    }

    private static Set<Protection> intentionallyDisabled(Object v, Path file) throws WebConfigException {
        Set<Protection> out = EnumSet.noneOf(Protection.class);
        if (v == null) {
            return out;
        }
        if (!(v instanceof List)) {
            throw new WebConfigException("web config " + file + ": intentionally_disabled must be a list of tls,"
                    + " basic_auth, client_auth");
        }
        for (Object o : (List<?>) v) {
            Protection found = null;
            for (Protection p : Protection.values()) {
                if (p.key.equals(str(o))) {
                    found = p;
                }
            }
            if (found == null) {
                throw new WebConfigException("web config " + file + ": intentionally_disabled lists " + o
                        + " (known: tls, basic_auth, client_auth)");
            }
            out.add(found);
        }
        return out;
    }

    private static SslContext tls(Map<String, Object> tls, Path dir, List<Path> watched, Path file)
            throws WebConfigException {
        unknownKeys(tls, TLS_KEYS, "tls_server_config.", file);
        Path cert = path(tls, "cert_file", dir, file);
        Path key = path(tls, "key_file", dir, file);
        if (cert == null || key == null) {
            throw new WebConfigException("web config " + file + ": tls_server_config needs cert_file and key_file");
        }
        watched.add(cert);
        watched.add(key);
        int min = version(tls.get("min_version"), 12, "min_version", file);
        int max = version(tls.get("max_version"), 13, "max_version", file);
        if (min > max) {
            throw new WebConfigException("web config " + file + ": min_version is above max_version");
        }
        List<String> protocols = new ArrayList<>(2);
        if (max >= 13) {
            protocols.add("TLSv1.3");
        }
        if (min <= 12) {
            protocols.add("TLSv1.2");
        }
        String authType = tls.get("client_auth_type") == null ? "NoClientCert" : str(tls.get("client_auth_type"));
        Path ca = path(tls, "client_ca_file", dir, file);
        ClientAuth clientAuth;
        switch (authType) {
            case "NoClientCert":
                clientAuth = ClientAuth.NONE;
                break;
            case "VerifyClientCertIfGiven":
                clientAuth = ClientAuth.OPTIONAL;
                break;
            case "RequireAndVerifyClientCert":
                clientAuth = ClientAuth.REQUIRE;
                break;
            case "RequestClientCert":
            case "RequireAnyClientCert":
                throw new WebConfigException("web config " + file + ": client_auth_type " + authType
                        + " (a certificate that is not verified) is not supported; use VerifyClientCertIfGiven or"
                        + " RequireAndVerifyClientCert with client_ca_file");
            default:
                throw new WebConfigException("web config " + file + ": unknown client_auth_type " + authType);
        }
        if (clientAuth != ClientAuth.NONE && ca == null) {
            throw new WebConfigException(
                    "web config " + file + ": client_auth_type " + authType + " needs client_ca_file");
        }
        if (ca != null) {
            watched.add(ca);
        }
        try {
            TlsKeyPair pair = TlsKeyPair.load(cert, key);
            SslContextBuilder b = SslContextBuilder.forServer(
                            pair.key(), pair.chain().toArray(new X509Certificate[0]))
                    .sslProvider(SslProvider.JDK)
                    .protocols(protocols);
            if (ca != null) {
                b.trustManager(TlsKeyPair.certificates(ca).toArray(new X509Certificate[0]));
            }
            return b.clientAuth(clientAuth).build();
        } catch (WebConfigException e) {
            throw new WebConfigException(
                    "web config " + file + ": cannot load TLS certificate or key: " + e.getMessage());
        } catch (Exception e) { // SSLException, IllegalArgumentException from the JDK provider
            throw new WebConfigException(
                    "web config " + file + ": cannot load TLS certificate or key (" + cert + ", " + key
                            + (ca != null ? ", " + ca : "") + "): " + firstLine(e),
                    e);
        }
    }

    private static int version(Object v, int dflt, String key, Path file) throws WebConfigException {
        if (v == null) {
            return dflt;
        }
        switch (str(v).toUpperCase(Locale.ROOT)) {
            case "TLS12":
                return 12;
            case "TLS13":
                return 13;
            case "TLS10":
            case "TLS11":
                throw new WebConfigException(
                        "web config " + file + ": " + key + " " + v + " is not supported (TLS12 or TLS13)");
            default:
                throw new WebConfigException("web config " + file + ": unknown " + key + " " + v);
        }
    }

    private static Path path(Map<String, Object> m, String key, Path dir, Path file) throws WebConfigException {
        Object v = m.get(key);
        if (v == null || str(v).isEmpty()) {
            return null;
        }
        Path p = Path.of(str(v));
        Path resolved = p.isAbsolute() || dir == null ? p : dir.resolve(p);
        if (!Files.isReadable(resolved)) {
            throw new WebConfigException("web config " + file + ": cannot read " + key + " " + resolved);
        }
        return resolved;
    }

    private static String canonicalHeader(String name) {
        for (String allowed : ALLOWED_HEADERS) {
            if (allowed.equalsIgnoreCase(name)) {
                return allowed;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String where, Path file) throws WebConfigException {
        if (!(o instanceof Map)) {
            throw new WebConfigException("web config " + file + ": " + where + " must be a mapping");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : ((Map<Object, Object>) o).entrySet()) {
            out.put(String.valueOf(e.getKey()), e.getValue());
        }
        return out;
    }

    private static void unknownKeys(Map<String, Object> m, Set<String> known, String prefix, Path file)
            throws WebConfigException {
        for (String k : m.keySet()) {
            if (!known.contains(k)) {
                throw new WebConfigException("web config " + file + ": unknown or unsupported key " + prefix + k);
            }
        }
    }

    private static String str(Object o) {
        return String.valueOf(o).trim();
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public String toString() {
        return "WebConfig[tls=" + tls() + ", clientCertRequired=" + clientCertRequired + ", basicAuthUsers="
                + users.keySet() + ", headers=" + headers.keySet() + ", intentionallyDisabled=" + intentionallyDisabled
                + "]";
    }
}
