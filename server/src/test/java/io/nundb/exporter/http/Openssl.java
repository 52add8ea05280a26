package io.nundb.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Creates TLS material with the {@code openssl} command line in a test's directory, the way an operator
 * (or cert-manager) would, so the exporter is tested on real files of each format rather than on
 * checked-in fixtures of one.
 */
public final class Openssl {
    /** The private key formats an operator may hand the exporter, each with the openssl commands that make it. */
    public enum KeyFormat {
        /** {@code BEGIN RSA PRIVATE KEY}: what cert-manager issues by default. */
        RSA_PKCS1("BEGIN RSA PRIVATE KEY"),
        /** {@code BEGIN PRIVATE KEY} holding an RSA key. */
        RSA_PKCS8("BEGIN PRIVATE KEY"),
        /** {@code BEGIN EC PRIVATE KEY} (SEC1) on P-256, preceded by an {@code EC PARAMETERS} block. */
        EC_P256_SEC1("BEGIN EC PRIVATE KEY"),
        /** SEC1 on P-384, without the parameters block. */
        EC_P384_SEC1("BEGIN EC PRIVATE KEY"),
        /** {@code BEGIN PRIVATE KEY} holding an EC P-256 key. */
        EC_P256_PKCS8("BEGIN PRIVATE KEY"),
        /** {@code BEGIN PRIVATE KEY} holding an Ed25519 key. */
        ED25519_PKCS8("BEGIN PRIVATE KEY");

        /** The PEM header the generated file must carry, checked so that the test really covers the format. */
        public final String pemHeader;

        KeyFormat(String pemHeader) {
            this.pemHeader = pemHeader;
        }
    }

    private Openssl() {}

    /** Runs {@code openssl args...} in {@code dir} and fails the test if it does not exit 0. */
    public static void run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("openssl finished").isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    }

    /** Writes a new private key of {@code format} to {@code dir/name} (unencrypted). */
    public static Path key(Path dir, String name, KeyFormat format) throws IOException, InterruptedException {
        switch (format) {
            case RSA_PKCS1 -> run(dir, "genrsa", "-traditional", "-out", name, "2048");
            case RSA_PKCS8 ->
                run(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name);
            case EC_P256_SEC1 -> run(dir, "ecparam", "-genkey", "-name", "prime256v1", "-out", name);
            case EC_P384_SEC1 -> run(dir, "ecparam", "-genkey", "-noout", "-name", "secp384r1", "-out", name);
            case EC_P256_PKCS8 -> {
                run(dir, "ecparam", "-genkey", "-name", "prime256v1", "-out", name + ".sec1");
                run(dir, "pkcs8", "-topk8", "-nocrypt", "-in", name + ".sec1", "-out", name);
            }
            case ED25519_PKCS8 -> run(dir, "genpkey", "-algorithm", "ed25519", "-out", name);
        }
        Path key = dir.resolve(name);
        assertThat(Files.readString(key)).as(format.name()).contains(format.pemHeader);
        return key;
    }

    /** A self-signed certificate for {@code localhost} and {@code 127.0.0.1} over {@code key}, written to {@code dir/name}. */
    public static Path selfSigned(Path dir, String name, Path key) throws IOException, InterruptedException {
        run(
                dir,
                "req",
                "-x509",
                "-new",
                "-key",
                key.toString(),
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-out",
                name);
        return dir.resolve(name);
    }

    /**
     * A certificate for {@code /CN=cn} (also its DNS name, plus {@code 127.0.0.1}) over {@code key}, signed by
     * {@code caCert}/{@code caKey}.
     */
    public static Path signed(Path dir, String name, Path key, String cn, Path caCert, Path caKey)
            throws IOException, InterruptedException {
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=DNS:" + cn + ",IP:127.0.0.1\n");
        run(dir, "req", "-new", "-key", key.toString(), "-subj", "/CN=" + cn, "-out", name + ".csr");
        run(
                dir,
                "x509",
                "-req",
                "-in",
                name + ".csr",
                "-CA",
                caCert.toString(),
                "-CAkey",
                caKey.toString(),
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                name + ".ext",
                "-out",
                name);
        return dir.resolve(name);
    }
}
