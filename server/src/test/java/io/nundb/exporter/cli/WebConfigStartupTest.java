package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nundb.exporter.http.Openssl;
import io.nundb.exporter.http.Openssl.KeyFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A web config whose TLS material cannot be used stops the exporter at start with exit code 2 and one line
 * on stderr, run as a real process so the exit code and the absence of a stack trace are what an operator
 * sees.
 */
class WebConfigStartupTest {
    @TempDir
    Path dir;

    /** Runs the exporter's main with {@code --web.config.file=webConfig} and returns exit code and stderr. */
    Result runExporter(Path webConfig) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "--nundb.address=127.0.0.1:1",
                        "--web.listen-address=127.0.0.1:0",
                        "--web.config.file=" + webConfig)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("stderr.txt").toFile());
        pb.environment().put("NUN_USER", "u");
        pb.environment().put("NUN_PWD", "p");
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the exporter did not exit: " + Files.readString(dir.resolve("stderr.txt")));
        }
        return new Result(p.exitValue(), Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8));
    }

    record Result(int code, String err) {}

    @Test
    void aCertificateThatDoesNotMatchItsKeyExitsTwoWithOneLine() throws Exception {
        Path key = Openssl.key(dir, "cert.key", KeyFormat.RSA_PKCS8);
        Openssl.selfSigned(dir, "server.crt", key);
        Openssl.key(dir, "server.key", KeyFormat.RSA_PKCS8);
        Path web = Files.writeString(
                dir.resolve("web.yml"), "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n");

        Result r = runExporter(web);

        assertThat(r.code()).as(r.err()).isEqualTo(2);
        List<String> lines =
                r.err().lines().filter(l -> l.startsWith("nundb-exporter: ")).toList();
        assertThat(lines).singleElement().asString().contains("does not match").contains("server.key");
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
    }
}
