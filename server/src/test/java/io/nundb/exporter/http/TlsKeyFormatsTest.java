package io.nundb.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nundb.exporter.http.Openssl.KeyFormat;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every private key format an operator is likely to hold (PKCS#1 from cert-manager, PKCS#8, SEC1 EC)
 * serves HTTPS, made with openssl on the fly; keys that cannot be used are refused at load with one line.
 */
class TlsKeyFormatsTest {
    @TempDir
    Path dir;

    Path writeConfig(String yaml) throws IOException {
        return Files.writeString(dir.resolve("web.yml"), yaml);
    }

    static String tls(String cert, String key) {
        return "tls_server_config:\n  cert_file: " + cert + "\n  key_file: " + key + "\n";
    }

    @ParameterizedTest
    @EnumSource(KeyFormat.class)
    void servesMetricsOverHttpsWithEachKeyFormat(KeyFormat format) throws Exception {
        Path key = Openssl.key(dir, "server.key", format);
        Path cert = Openssl.selfSigned(dir, "server.crt", key);

        try (SecuredExporter exporter = SecuredExporter.start(writeConfig(tls("server.crt", "server.key")))) {
            HttpResponse<String> r = exporter.get(SecuredExporter.https(cert, null), "https", "/metrics");

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("nundb_up{node=\"n1:3017\"} 1.0");
        }
    }

    @Test
    void oneFileMayHoldBothTheCertificateAndTheKey() throws Exception {
        Path key = Openssl.key(dir, "server.key", KeyFormat.RSA_PKCS1);
        Path cert = Openssl.selfSigned(dir, "server.crt", key);
        Files.writeString(dir.resolve("server.pem"), Files.readString(cert) + Files.readString(key));

        try (SecuredExporter exporter = SecuredExporter.start(writeConfig(tls("server.pem", "server.pem")))) {
            assertThat(exporter.get(SecuredExporter.https(cert, null), "https", "/metrics")
                            .statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void mutualTlsWorksWithAGeneratedCaAndPkcs1AndSec1Keys() throws Exception {
        Path caKey = Openssl.key(dir, "ca.key", KeyFormat.RSA_PKCS1);
        Path caCert = Openssl.selfSigned(dir, "ca.crt", caKey);
        Path serverKey = Openssl.key(dir, "server.key", KeyFormat.RSA_PKCS1);
        Openssl.signed(dir, "server.crt", serverKey, "localhost", caCert, caKey);
        Path clientKey = Openssl.key(dir, "client.key", KeyFormat.EC_P256_SEC1);
        Openssl.signed(dir, "client.crt", clientKey, "prometheus", caCert, caKey);
        Openssl.run(
                dir,
                "pkcs12",
                "-export",
                "-in",
                "client.crt",
                "-inkey",
                "client.key",
                "-passout",
                "pass:changeit",
                "-out",
                "client.p12");
        Path config = writeConfig(tls("server.crt", "server.key")
                + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n");

        try (SecuredExporter exporter = SecuredExporter.start(config)) {
            HttpClient withCert = SecuredExporter.https(caCert, dir.resolve("client.p12"));
            assertThat(exporter.get(withCert, "https", "/metrics").statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> exporter.get(SecuredExporter.https(caCert, null), "https", "/metrics"))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void anEncryptedKeyIsRefusedWithOneLineSayingSo() throws Exception {
        Openssl.run(dir, "genrsa", "-traditional", "-aes256", "-passout", "pass:x", "-out", "pkcs1.key", "2048");
        Openssl.run(dir, "genpkey", "-algorithm", "RSA", "-aes256", "-pass", "pass:x", "-out", "pkcs8.key");
        Openssl.run(dir, "ecparam", "-genkey", "-noout", "-name", "prime256v1", "-out", "plain-ec.key");
        Openssl.run(dir, "ec", "-in", "plain-ec.key", "-aes256", "-passout", "pass:x", "-out", "sec1.key");
        Path cert = Openssl.selfSigned(dir, "server.crt", dir.resolve("plain-ec.key"));

        for (String key : new String[] {"pkcs1.key", "pkcs8.key", "sec1.key"}) {
            Path config = writeConfig(tls(cert.getFileName().toString(), key));
            assertThatThrownBy(() -> WebConfig.load(config))
                    .as(key)
                    .isInstanceOf(WebConfigException.class)
                    .hasMessageContaining("encrypted")
                    .hasMessageContaining(dir.resolve(key).toString())
                    .message()
                    .doesNotContain("\n");
        }
    }

    @Test
    void aKeyFileWithoutAPrivateKeyIsRefusedWithOneLine() throws Exception {
        Path key = Openssl.key(dir, "server.key", KeyFormat.EC_P256_SEC1);
        Openssl.selfSigned(dir, "server.crt", key);
        Files.writeString(
                dir.resolve("garbage.key"),
                "-----BEGIN RSA PRIVATE KEY-----\nnot base64!\n" + "-----END RSA PRIVATE KEY-----\n");

        assertThatThrownBy(() -> WebConfig.load(writeConfig(tls("server.crt", "server.crt"))))
                .isInstanceOf(WebConfigException.class)
                .hasMessageContaining("no private key")
                .message()
                .doesNotContain("\n");
        assertThatThrownBy(() -> WebConfig.load(writeConfig(tls("server.crt", "garbage.key"))))
                .isInstanceOf(WebConfigException.class)
                .hasMessageContaining("garbage.key")
                .message()
                .doesNotContain("\n");
    }

    @Test
    void aCertificateThatDoesNotMatchItsKeyIsRefusedAtLoad() throws Exception {
        for (KeyFormat format : new KeyFormat[] {
            KeyFormat.RSA_PKCS8, KeyFormat.EC_P256_PKCS8, KeyFormat.RSA_PKCS1, KeyFormat.EC_P256_SEC1
        }) {
            Path key = Openssl.key(dir, "cert-" + format + ".key", format);
            Openssl.selfSigned(dir, "server.crt", key);
            Openssl.key(dir, "other.key", format);

            assertThatThrownBy(() -> WebConfig.load(writeConfig(tls("server.crt", "other.key"))))
                    .as(format.name())
                    .isInstanceOf(WebConfigException.class)
                    .hasMessageContaining("does not match")
                    .message()
                    .doesNotContain("\n");
            Files.delete(dir.resolve("other.key"));
        }
    }
}
