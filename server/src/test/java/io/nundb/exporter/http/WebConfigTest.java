package io.nundb.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebConfigTest {
    static final String HASH = "$2y$04$abcdefghijklmnopqrstuuJ3K2C7bWl6ZzG2mGmn8Hq1i1y3gR5m.";

    @TempDir
    Path dir;

    Path write(String yaml) throws IOException {
        Path p = dir.resolve("web.yml");
        Files.writeString(p, yaml);
        return p;
    }

    void copy(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/tls/" + name)) {
            Files.copy(in, dir.resolve(name));
        }
    }

    @Test
    void anEmptyFileMeansPlainHttpWithoutAuth() throws Exception {
        WebConfig c = WebConfig.load(write(""));

        assertThat(c.tls()).isFalse();
        assertThat(c.basicAuth()).isFalse();
        assertThat(c.headers()).isEmpty();
    }

    @Test
    void readsUsersHeadersAndResolvesFilesAgainstTheConfigDirectory() throws Exception {
        copy("server.crt");
        copy("server.key");
        copy("ca.crt");
        WebConfig c = WebConfig.load(write("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                + "  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n  min_version: TLS12\n"
                + "  max_version: TLS13\n"
                + "http_server_config:\n  http2: true\n  headers:\n    Strict-Transport-Security: max-age=31536000\n"
                + "basic_auth_users:\n  prometheus: " + HASH + "\n"));

        assertThat(c.tls()).isTrue();
        assertThat(c.users()).containsEntry("prometheus", HASH);
        assertThat(c.headers()).containsEntry("Strict-Transport-Security", "max-age=31536000");
        assertThat(c.watchedFiles()).hasSize(4);
        assertThat(c.toString()).doesNotContain(HASH);
    }

    @Test
    void refusesWhatWouldSilentlyWeakenOrBreakTheConfig() throws Exception {
        copy("server.crt");
        copy("server.key");
        String tls = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";
        assertRefused("unknown_key: 1\n", "unknown or unsupported key unknown_key");
        assertRefused(tls + "  cipher_suites: [TLS_AES_128_GCM_SHA256]\n", "tls_server_config.cipher_suites");
        assertRefused(tls + "  client_allowed_sans: [x]\n", "client_allowed_sans");
        assertRefused(tls + "  min_version: TLS10\n", "not supported");
        assertRefused(tls + "  client_auth_type: RequireAndVerifyClientCert\n", "needs client_ca_file");
        assertRefused(tls + "  client_auth_type: RequireAnyClientCert\n", "not supported");
        assertRefused("tls_server_config:\n  cert_file: server.crt\n", "needs cert_file and key_file");
        assertRefused("tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n", "cannot read");
        assertRefused("tls_server_config:\n  cert_file: server.key\n  key_file: server.crt\n", "cannot load TLS");
        assertRefused("http_server_config:\n  headers:\n    Set-Cookie: a=b\n", "not allowed");
        assertRefused("basic_auth_users: [a, b]\n", "must be a mapping");
        assertRefused("basic_auth_users:\n  a: b\n  a: c\n", "not valid YAML");
        assertRefused("{{{", "not valid YAML");
    }

    @Test
    void aClearTextPasswordInPlaceOfAHashIsRefusedWithoutBeingEchoed() throws Exception {
        Path f = write("basic_auth_users:\n  alice: correct-horse-battery-staple\n");

        assertThatThrownBy(() -> WebConfig.load(f))
                .isInstanceOf(WebConfigException.class)
                .hasMessageContaining("not a bcrypt hash")
                .message()
                .doesNotContain("correct-horse");
    }

    private void assertRefused(String yaml, String message) throws IOException {
        Path f = write(yaml);
        assertThatThrownBy(() -> WebConfig.load(f))
                .as(yaml)
                .isInstanceOf(WebConfigException.class)
                .hasMessageContaining(message);
    }
}
