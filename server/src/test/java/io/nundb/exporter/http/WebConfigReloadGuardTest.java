package io.nundb.exporter.http;

import static io.nundb.exporter.http.SecuredExporter.basic;
import static io.nundb.exporter.http.SecuredExporter.https;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A reload never silently weakens the endpoint: a file that lost TLS, basic auth or the client
 * certificate requirement (emptied, truncated, templated wrong) or whose certificate no longer matches its
 * key is refused and logged as an error, and the running server keeps enforcing the previous config.
 */
class WebConfigReloadGuardTest {
    static final String HASH = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "s3cret!".toCharArray());
    static final String TLS = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";
    static final String MTLS = TLS + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n";
    static final String AUTH = "basic_auth_users:\n  alice: " + HASH + "\n";

    @TempDir
    Path dir;

    Path file;
    long modified = System.currentTimeMillis();

    @BeforeEach
    void copyTestCertificates() throws IOException {
        for (String name : new String[] {"server.crt", "server.key", "ca.crt"}) {
            try (InputStream in = getClass().getResourceAsStream("/tls/" + name)) {
                Files.copy(in, dir.resolve(name));
            }
        }
        file = dir.resolve("web.yml");
    }

    /** Replaces {@code path}'s content, moving its modification time forward so the poll cannot miss it. */
    void rewrite(Path path, String content) throws IOException {
        Files.writeString(path, content);
        modified += 2000;
        Files.setLastModifiedTime(path, FileTime.fromMillis(modified));
    }

    HttpClient trustingCa() throws Exception {
        return https(dir.resolve("ca.crt"), null);
    }

    void assertTlsAndBasicAuthStillEnforced(SecuredExporter exporter) throws Exception {
        assertThat(exporter.get(trustingCa(), "https", "/metrics", "Authorization", basic("alice", "s3cret!"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(exporter.get(trustingCa(), "https", "/metrics").statusCode()).isEqualTo(401);
        assertThatThrownBy(() -> exporter.get(HttpClient.newHttpClient(), "http", "/metrics"))
                .isInstanceOf(IOException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n   \n\n", "# emptied by a template\n", "tls_server_config:\nbasic_auth_users:\n"})
    void aReloadThatWouldTurnTlsAndBasicAuthOffIsRefused(String content) throws Exception {
        Files.writeString(file, TLS + AUTH);
        try (SecuredExporter exporter = SecuredExporter.start(file)) {
            WebConfig before = exporter.server.webConfigWatcher().get();
            assertTlsAndBasicAuthStillEnforced(exporter);

            rewrite(file, content);

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !exporter.errors().isEmpty());
            assertThat(exporter.errors())
                    .singleElement()
                    .asString()
                    .contains("refused")
                    .contains("tls")
                    .contains("basic_auth")
                    .contains("intentionally_disabled");
            assertThat(exporter.server.webConfigWatcher().get()).isSameAs(before);
            assertTlsAndBasicAuthStillEnforced(exporter);
        }
    }

    @Test
    void aReloadThatDropsOnlyTheUsersIsRefused() throws Exception {
        Files.writeString(file, TLS + AUTH);
        try (SecuredExporter exporter = SecuredExporter.start(file)) {
            rewrite(file, TLS);

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !exporter.errors().isEmpty());
            assertThat(exporter.errors())
                    .singleElement()
                    .asString()
                    .contains("basic_auth")
                    .doesNotContain("tls,");
            assertTlsAndBasicAuthStillEnforced(exporter);
        }
    }

    @Test
    void aReloadThatStopsRequiringClientCertificatesIsRefused() throws Exception {
        Files.writeString(file, MTLS);
        try (SecuredExporter exporter = SecuredExporter.start(file)) {
            WebConfig before = exporter.server.webConfigWatcher().get();

            rewrite(file, TLS + "  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n");

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !exporter.errors().isEmpty());
            assertThat(exporter.errors()).singleElement().asString().contains("client_auth");
            assertThat(exporter.server.webConfigWatcher().get()).isSameAs(before);
            assertThatThrownBy(() -> exporter.get(trustingCa(), "https", "/metrics"))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void aReloadThatSaysSoTurnsTlsAndBasicAuthOff() throws Exception {
        Files.writeString(file, TLS + AUTH);
        try (SecuredExporter exporter = SecuredExporter.start(file)) {
            rewrite(file, "intentionally_disabled: [tls, basic_auth]\n");

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !exporter.server.webConfigWatcher().get().tls());
            assertThat(exporter.server.webConfigWatcher().get().basicAuth()).isFalse();
            assertThat(exporter.get(HttpClient.newHttpClient(), "http", "/metrics")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(exporter.errors()).isEmpty();
        }
    }

    @Test
    void aReloadThatSaysSoForOneProtectionIsStillRefusedForTheOther() throws Exception {
        Files.writeString(file, TLS + AUTH);
        try (SecuredExporter exporter = SecuredExporter.start(file)) {
            rewrite(file, "intentionally_disabled: [basic_auth]\n");

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !exporter.errors().isEmpty());
            assertThat(exporter.errors()).singleElement().asString().contains("tls");
            assertTlsAndBasicAuthStillEnforced(exporter);
        }
    }

    @Test
    void aCertificateThatNoLongerMatchesItsKeyOnReloadKeepsTheOldOne() throws Exception {
        Files.writeString(file, TLS + AUTH);
        try (SecuredExporter exporter = SecuredExporter.start(file)) {
            WebConfig before = exporter.server.webConfigWatcher().get();
            Openssl.key(dir, "other.key", Openssl.KeyFormat.EC_P256_PKCS8);

            rewrite(dir.resolve("server.key"), Files.readString(dir.resolve("other.key")));

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !exporter.errors().isEmpty());
            assertThat(exporter.errors()).singleElement().asString().contains("does not match");
            assertThat(exporter.server.webConfigWatcher().get()).isSameAs(before);
            assertTlsAndBasicAuthStillEnforced(exporter);
        }
    }
}
