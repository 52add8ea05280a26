package io.nundb.exporter.http;

import static org.awaitility.Awaitility.await;

import io.nundb.exporter.protocol.Role;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The exporter's HTTP server over a fake one-node cluster, started with a web config file and polling it
 * every 50 ms, plus the client side of the checks: HTTPS clients trusting a given certificate, basic
 * auth headers, and the records the web config watcher logs.
 */
final class SecuredExporter implements AutoCloseable {
    static final Duration POLL = Duration.ofMillis(50);

    private final FakeSnapshotSource source = new FakeSnapshotSource();
    private final MetricsPublisher publisher;
    final ExporterHttpServer server;
    private final Logger watcherLog = Logger.getLogger(WebConfigWatcher.class.getName());
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private SecuredExporter(Path webConfig) throws Exception {
        watcherLog.addHandler(capture);
        source.snapshot = FakeSnapshotSource.cluster(FakeSnapshotSource.up("n1:3017", Role.PRIMARY));
        publisher = new MetricsPublisher(
                ScrapeEndpointConfig.of(
                        "127.0.0.1", 0, "/metrics", Duration.ofHours(1), Duration.ZERO, "9.9.9", "rev", false, null),
                source,
                new PrometheusRegistry(),
                System::nanoTime);
        publisher.start();
        try {
            server = ExporterHttpServer.start(
                    publisher, 1, new WebServerOptions(Duration.ofSeconds(10), 64, webConfig, POLL));
        } catch (Exception e) {
            close();
            throw e;
        }
        await().until(publisher::healthy);
    }

    /** Starts the server with {@code webConfig}; a file that does not load throws {@link WebConfigException}. */
    static SecuredExporter start(Path webConfig) throws Exception {
        return new SecuredExporter(webConfig);
    }

    /** The messages the web config watcher logged at SEVERE since start. */
    List<String> errors() {
        List<String> out = new ArrayList<>();
        for (LogRecord r : records) {
            if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
                out.add(r.getMessage());
            }
        }
        return out;
    }

    /** Every record the web config watcher logged since start. */
    List<LogRecord> records() {
        return records;
    }

    HttpResponse<String> get(HttpClient client, String scheme, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An HTTPS client trusting only the certificates in {@code trusted} (PEM), presenting {@code clientP12} if given. */
    static HttpClient https(Path trusted, Path clientP12) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(trusted)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("trusted" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientP12 != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(clientP12)) {
                keys.load(in, "changeit".toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "changeit".toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).build();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        if (server != null) {
            server.close(500);
        }
        publisher.close(500);
        watcherLog.removeHandler(capture);
    }
}
