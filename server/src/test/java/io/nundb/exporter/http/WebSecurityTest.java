package io.nundb.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.nundb.exporter.protocol.Role;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS, mTLS, basic auth and extra headers from an exporter-toolkit web config file, and its reload. */
class WebSecurityTest {
    static final String HASH_ALICE = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "s3cret!".toCharArray());
    static final String HASH_BOB = BCrypt.with(BCrypt.Version.VERSION_2B).hashToString(4, "hunter2".toCharArray());

    @TempDir
    Path dir;

    final FakeSnapshotSource source = new FakeSnapshotSource();
    MetricsPublisher publisher;
    ExporterHttpServer server;

    Path tlsFile(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/tls/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    Path writeConfig(String yaml) throws IOException {
        Path p = dir.resolve("web.yml");
        Files.writeString(p, yaml);
        return p;
    }

    void start(Path webConfig) throws Exception {
        source.snapshot = FakeSnapshotSource.cluster(FakeSnapshotSource.up("n1:3017", Role.PRIMARY));
        publisher = new MetricsPublisher(
                ScrapeEndpointConfig.of(
                        "127.0.0.1", 0, "/metrics", Duration.ofHours(1), Duration.ZERO, "9.9.9", "rev", false, null),
                source,
                new PrometheusRegistry(),
                System::nanoTime);
        publisher.start();
        server = ExporterHttpServer.start(
                publisher, 1, new WebServerOptions(Duration.ofSeconds(10), 64, webConfig, Duration.ofMillis(50)));
        await().until(publisher::healthy);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close(500);
        }
        if (publisher != null) {
            publisher.close(500);
        }
    }

    static SSLContext clientContext(boolean withClientCert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream ca = WebSecurityTest.class.getResourceAsStream("/tls/ca.crt")) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withClientCert) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream p12 = WebSecurityTest.class.getResourceAsStream("/tls/client.p12")) {
                keys.load(p12, "changeit".toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "changeit".toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    HttpResponse<String> get(HttpClient client, String scheme, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpClient https(SSLContext ctx, String... protocols) {
        HttpClient.Builder b = HttpClient.newBuilder().sslContext(ctx);
        if (protocols.length > 0) {
            SSLParameters p = new SSLParameters();
            p.setProtocols(protocols);
            b.sslParameters(p);
        }
        return b.build();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void servesHttpsWithTheConfiguredCertificate() throws Exception {
        tlsFile("server.crt");
        tlsFile("server.key");
        start(writeConfig("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"));

        HttpResponse<String> r = get(https(clientContext(false)), "https", "/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("nundb_up{node=\"n1:3017\"} 1.0");
        assertThat(server.webConfigWatcher().get().tls()).isTrue();
        assertThatThrownBy(() -> get(HttpClient.newHttpClient(), "http", "/metrics"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void minVersionTls13RefusesTls12Clients() throws Exception {
        tlsFile("server.crt");
        tlsFile("server.key");
        start(writeConfig(
                "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n" + "  min_version: TLS13\n"));

        assertThat(get(https(clientContext(false), "TLSv1.3"), "https", "/-/healthy")
                        .statusCode())
                .isEqualTo(200);
        assertThatThrownBy(() -> get(https(clientContext(false), "TLSv1.2"), "https", "/-/healthy"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void mutualTlsRejectsAClientWithoutCertificate() throws Exception {
        tlsFile("server.crt");
        tlsFile("server.key");
        tlsFile("ca.crt");
        start(writeConfig("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n"));

        assertThat(get(https(clientContext(true)), "https", "/metrics").statusCode())
                .isEqualTo(200);
        assertThatThrownBy(() -> get(https(clientContext(false)), "https", "/metrics"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void basicAuthAnswers401WithChallengeAnd200WithTheRightPassword() throws Exception {
        start(writeConfig("basic_auth_users:\n  alice: '" + HASH_ALICE + "'\n  bob: " + HASH_BOB + "\n"));
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> none = get(http, "http", "/metrics");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("www-authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Basic realm="));
        assertThat(get(http, "http", "/metrics", "Authorization", basic("alice", "wrong"))
                        .statusCode())
                .isEqualTo(401);
        assertThat(get(http, "http", "/metrics", "Authorization", basic("mallory", "s3cret!"))
                        .statusCode())
                .isEqualTo(401);
        assertThat(get(http, "http", "/metrics", "Authorization", "Basic !!!notbase64")
                        .statusCode())
                .isEqualTo(401);
        HttpResponse<String> ok = get(http, "http", "/metrics", "Authorization", basic("alice", "s3cret!"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("nundb_up{node=\"n1:3017\"} 1.0");
        assertThat(get(http, "http", "/probe?target=n1:3017", "Authorization", basic("bob", "hunter2"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(get(http, "http", "/discovery").statusCode()).isEqualTo(401);
        assertThat(get(http, "http", "/").statusCode()).isEqualTo(401);
        // Health endpoints stay open for kubelet probes.
        assertThat(get(http, "http", "/-/healthy").statusCode()).isEqualTo(200);
        assertThat(get(http, "http", "/-/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void successfulVerificationsAreCachedSoRepeatedScrapesDoNotRunBcrypt() throws Exception {
        start(writeConfig("basic_auth_users:\n  alice: " + HASH_ALICE + "\n"));
        HttpClient http = HttpClient.newHttpClient();
        assertThat(get(http, "http", "/metrics", "Authorization", basic("alice", "s3cret!"))
                        .statusCode())
                .isEqualTo(200);
        long before = server.bcryptVerifications();

        for (int i = 0; i < 20; i++) {
            assertThat(get(http, "http", "/metrics", "Authorization", basic("alice", "s3cret!"))
                            .statusCode())
                    .isEqualTo(200);
        }

        assertThat(server.bcryptVerifications()).isEqualTo(before);
    }

    @Test
    void bcryptVerificationsAreRateLimitedGlobally() {
        AtomicLong now = new AtomicLong();
        WebConfig config =
                new WebConfig(null, java.util.Map.of("alice", HASH_ALICE), java.util.Map.of(), java.util.List.of());
        try (BasicAuthenticator auth = new BasicAuthenticator(3, 64, now::get)) {
            java.util.List<BasicAuthenticator.Verdict> verdicts = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int i = 0; i < 10; i++) {
                auth.check(config, basic("alice", "guess" + i), Runnable::run, verdicts::add);
            }
            await().until(() -> verdicts.size() == 3); // the burst; the others wait for tokens
            assertThat(auth.bcryptVerifications()).isEqualTo(3);

            now.addAndGet(1_000_000_000L); // a second later the bucket is full again
            await().until(() -> verdicts.size() == 6);
            assertThat(auth.bcryptVerifications()).isEqualTo(6);
            now.addAndGet(2_000_000_000L); // never more than the burst at once
            await().until(() -> verdicts.size() == 9);
            assertThat(auth.bcryptVerifications()).isEqualTo(9);

            CompletableFuture<BasicAuthenticator.Verdict> valid = new CompletableFuture<>();
            auth.check(config, basic("alice", "s3cret!"), Runnable::run, valid::complete);
            now.addAndGet(1_000_000_000L);
            await().until(valid::isDone);
            assertThat(valid.join()).isEqualTo(BasicAuthenticator.Verdict.ALLOWED);
            assertThat(verdicts).hasSize(10).containsOnly(BasicAuthenticator.Verdict.DENIED);
        }
    }

    @Test
    void overTheRateChecksWaitTheirTurnAndBcryptStaysWithinTheRate() throws Exception {
        start(writeConfig("basic_auth_users:\n  alice: " + HASH_ALICE + "\n"));
        HttpClient http = HttpClient.newHttpClient();
        long start = System.nanoTime();
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = get(http, "http", "/metrics", "Authorization", basic("alice", "guess" + i));
            assertThat(r.statusCode()).isEqualTo(401);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(server.bcryptVerifications())
                    .as("verifications after %.2f s", seconds)
                    .isLessThanOrEqualTo((long) (ExporterHttpServer.BCRYPT_PER_SECOND * (1 + seconds)) + 1);
        }
        assertThat(server.bcryptVerifications()).isEqualTo(30);
    }

    @Test
    void extraHeadersAreAddedToEveryResponse() throws Exception {
        start(writeConfig("http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
                + "    x-content-type-options: nosniff\n"));
        HttpClient http = HttpClient.newHttpClient();

        for (String path : new String[] {"/metrics", "/nope", "/-/healthy"}) {
            HttpResponse<String> r = get(http, "http", path);
            assertThat(r.headers().firstValue("x-frame-options")).as(path).hasValue("deny");
            assertThat(r.headers().firstValue("x-content-type-options"))
                    .as(path)
                    .hasValue("nosniff");
        }
    }

    @Test
    void aChangedFileIsReloadedAndABrokenOneKeepsThePreviousConfig() throws Exception {
        Path file = writeConfig("basic_auth_users:\n  alice: " + HASH_ALICE + "\n");
        start(file);
        HttpClient http = HttpClient.newHttpClient();
        assertThat(get(http, "http", "/metrics", "Authorization", basic("alice", "s3cret!"))
                        .statusCode())
                .isEqualTo(200);

        Files.writeString(file, "basic_auth_users:\n  bob: " + HASH_BOB + "\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 2000));
        await().until(() -> server.webConfigWatcher().get().users().containsKey("bob"));
        assertThat(get(http, "http", "/metrics", "Authorization", basic("bob", "hunter2"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(get(http, "http", "/metrics", "Authorization", basic("alice", "s3cret!"))
                        .statusCode())
                .isEqualTo(401);
        WebConfig good = server.webConfigWatcher().get();

        Files.writeString(file, "basic_auth_users:\n  bob: not-a-hash\n  [broken\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 4000));
        Thread.sleep(300); // several poll intervals: nothing may change, so there is no event to await
        assertThat(server.webConfigWatcher().get()).isSameAs(good);
        assertThat(get(http, "http", "/metrics", "Authorization", basic("bob", "hunter2"))
                        .statusCode())
                .isEqualTo(200);

        Files.writeString(file, "intentionally_disabled: [basic_auth]\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 6000));
        await().until(() -> !server.webConfigWatcher().get().basicAuth());
        assertThat(get(http, "http", "/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void aCertificateRotationIsPickedUpByNewConnections() throws Exception {
        tlsFile("server.crt");
        tlsFile("server.key");
        Path file = writeConfig("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n");
        start(file);
        WebConfig first = server.webConfigWatcher().get();

        Files.setLastModifiedTime(dir.resolve("server.crt"), FileTime.fromMillis(System.currentTimeMillis() + 2000));

        await().until(() -> server.webConfigWatcher().get() != first);
        assertThat(get(https(clientContext(false)), "https", "/-/healthy").statusCode())
                .isEqualTo(200);
    }
}
