package io.nundb.exporter.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server certificate chain and its private key read from PEM files, checked to belong together, ready
 * for Netty's {@code SslContextBuilder.forServer(key, chain)}; also reads the PEM certificates of a client
 * CA file.
 *
 * <p>Key formats: PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519, Ed448), PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}, what cert-manager issues by default) and SEC1 ({@code BEGIN EC PRIVATE
 * KEY}, what {@code openssl ecparam -genkey} writes, with or without its {@code EC PARAMETERS} block). The
 * JDK's {@code KeyFactory} reads only PKCS#8, and Netty falls back to BouncyCastle for the other two; the
 * BouncyCastle PKIX and provider jars would add about 9 MB to a runnable jar whose budget is 10 MB. So a
 * PKCS#1 or SEC1 key is re-wrapped here, in plain Java, into the PKCS#8 {@code PrivateKeyInfo} the JDK
 * reads (RFC 5208 §5; RFC 8017 Appendix A.1.2 for RSA; RFC 5915 §3 and RFC 5480 §2.1.1 for EC):
 *
 * <pre>{@code
 * SEQUENCE {
 *   INTEGER 0
 *   SEQUENCE { OID rsaEncryption, NULL }                   -- PKCS#1
 *          | { OID id-ecPublicKey, OID namedCurve }        -- SEC1: the curve from the key's [0] parameters
 *   OCTET STRING { the PKCS#1 or SEC1 structure, unchanged }
 * }
 * }</pre>
 *
 * <p>Encrypted keys ({@code BEGIN ENCRYPTED PRIVATE KEY}, or a {@code Proc-Type: 4,ENCRYPTED} header) are
 * refused: the exporter-toolkit format has no field for a passphrase. A SEC1 key with explicit curve
 * parameters instead of a named curve is refused (no TLS stack negotiates those). The key must match the
 * first certificate of the chain: a random challenge signed with the key must verify with that
 * certificate's public key, so a rotated certificate paired with a stale key is refused when loaded
 * rather than failing every handshake afterwards.
 *
 * <p>Thread-safety: immutable; {@link #load} and {@link #certificates} do blocking file I/O (call them off
 * the event loops). Files over 1 MiB are refused.
 *
 * @param key the private key
 * @param chain the certificate chain, leaf first
 */
record TlsKeyPair(PrivateKey key, List<X509Certificate> chain) {
    private static final int MAX_FILE_BYTES = 1 << 20;
    private static final Pattern PEM =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);

    // DER content octets of the object identifiers used here.
    private static final byte[] RSA_ENCRYPTION = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 1, 1, 1};
    private static final byte[] EC_PUBLIC_KEY = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 2, 1};
    private static final byte[] ED25519 = {0x2b, 0x65, 0x70};
    private static final byte[] ED448 = {0x2b, 0x65, 0x71};

    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;
    private static final int OCTET_STRING = 0x04;
    private static final int NULL = 0x05;
    private static final int OID = 0x06;
    private static final int CONTEXT_0 = 0xa0;

    TlsKeyPair {
        chain = List.copyOf(chain);
    }

    /**
     * Reads the certificate chain in {@code certFile} and the private key in {@code keyFile} (the same file
     * may hold both) and checks that they match.
     *
     * @throws WebConfigException with one line naming the file and the problem
     */
    static TlsKeyPair load(Path certFile, Path keyFile) throws WebConfigException {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        if (!matches(key, chain.get(0))) {
            throw new WebConfigException("the private key in " + keyFile + " does not match the certificate in "
                    + certFile + " (" + chain.get(0).getSubjectX500Principal().getName() + ")");
        }
        return new TlsKeyPair(key, chain);
    }

    /**
     * Reads every {@code BEGIN CERTIFICATE} block of {@code file}, in order.
     *
     * @throws WebConfigException if there is none or one does not parse
     */
    static List<X509Certificate> certificates(Path file) throws WebConfigException {
        List<X509Certificate> out = new ArrayList<>();
        for (Block b : blocks(file)) {
            if (!b.label().equals("CERTIFICATE")) {
                continue;
            }
            try {
                out.add((X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(b.der(file))));
            } catch (CertificateException e) {
                throw new WebConfigException(
                        "certificate " + (out.size() + 1) + " in " + file + " does not parse: " + oneLine(e));
            }
        }
        if (out.isEmpty()) {
            throw new WebConfigException(file + " holds no PEM certificate (BEGIN CERTIFICATE)");
        }
        return out;
    }

    private static PrivateKey privateKey(Path file) throws WebConfigException {
        Block found = null;
        for (Block b : blocks(file)) {
            if (b.label().endsWith("PRIVATE KEY")) {
                if (found != null) {
                    throw new WebConfigException(file + " holds more than one private key");
                }
                found = b;
            }
        }
        if (found == null) {
            throw new WebConfigException(file + " holds no private key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY"
                    + " or BEGIN EC PRIVATE KEY)");
        }
        // PKCS#8 encryption has its own label; the legacy OpenSSL form adds "Proc-Type: 4,ENCRYPTED" (RFC 1421).
        if (found.label().equals("ENCRYPTED PRIVATE KEY")
                || (found.body().contains("Proc-Type:") && found.body().contains("ENCRYPTED"))) {
            throw new WebConfigException("the private key in " + file + " is encrypted, which the web config cannot"
                    + " unlock: decrypt it (openssl pkey -in KEY -out KEY.plain) and protect the file instead");
        }
        byte[] der = found.der(file);
        try {
            switch (found.label()) {
                case "PRIVATE KEY":
                    return pkcs8(der, file);
                case "RSA PRIVATE KEY":
                    return KeyFactory.getInstance("RSA")
                            .generatePrivate(new PKCS8EncodedKeySpec(
                                    privateKeyInfo(concat(tlv(OID, RSA_ENCRYPTION), tlv(NULL, new byte[0])), der)));
                case "EC PRIVATE KEY":
                    return KeyFactory.getInstance("EC")
                            .generatePrivate(new PKCS8EncodedKeySpec(
                                    privateKeyInfo(concat(tlv(OID, EC_PUBLIC_KEY), namedCurve(der, file)), der)));
                default:
                    throw new WebConfigException("the private key in " + file + " is a " + found.label()
                            + ", which is not supported (PKCS#8, PKCS#1 RSA or SEC1 EC)");
            }
        } catch (GeneralSecurityException | DerException e) {
            throw new WebConfigException(
                    "the private key in " + file + " (" + found.label() + ") does not decode: " + oneLine(e));
        }
    }

    /** Decodes a PKCS#8 {@code PrivateKeyInfo}, choosing the {@code KeyFactory} from its algorithm. */
    private static PrivateKey pkcs8(byte[] der, Path file)
            throws GeneralSecurityException, WebConfigException, DerException {
        Der info = new Der(der).enter(SEQUENCE);
        info.read(INTEGER);
        byte[] oid = info.enter(SEQUENCE).read(OID);
        String algorithm;
        if (Arrays.equals(oid, RSA_ENCRYPTION)) {
            algorithm = "RSA";
        } else if (Arrays.equals(oid, EC_PUBLIC_KEY)) {
            algorithm = "EC";
        } else if (Arrays.equals(oid, ED25519)) {
            algorithm = "Ed25519";
        } else if (Arrays.equals(oid, ED448)) {
            algorithm = "Ed448";
        } else {
            throw new WebConfigException("the private key in " + file + " uses algorithm " + dotted(oid)
                    + ", which is not supported (RSA, EC, Ed25519, Ed448)");
        }
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /**
     * The curve OID (tag included) from a SEC1 {@code ECPrivateKey ::= SEQUENCE { version INTEGER,
     * privateKey OCTET STRING, parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL }}.
     */
    private static byte[] namedCurve(byte[] sec1, Path file) throws WebConfigException, DerException {
        Der key = new Der(sec1).enter(SEQUENCE);
        key.read(INTEGER);
        key.read(OCTET_STRING);
        if (!key.hasMore() || key.peekTag() != CONTEXT_0) {
            throw new WebConfigException("the EC private key in " + file + " does not name its curve; convert it"
                    + " with openssl pkcs8 -topk8 -nocrypt");
        }
        Der parameters = key.enter(CONTEXT_0);
        if (parameters.peekTag() != OID) {
            throw new WebConfigException("the EC private key in " + file + " has explicit curve parameters; use a"
                    + " named curve (openssl ecparam -name prime256v1)");
        }
        return tlv(OID, parameters.read(OID));
    }

    private static byte[] privateKeyInfo(byte[] algorithmIdentifierContent, byte[] key) {
        return tlv(
                SEQUENCE,
                concat(
                        tlv(INTEGER, new byte[] {0}),
                        tlv(SEQUENCE, algorithmIdentifierContent),
                        tlv(OCTET_STRING, key)));
    }

    private static boolean matches(PrivateKey key, X509Certificate cert) throws WebConfigException {
        String algorithm;
        switch (key.getAlgorithm()) {
            case "RSA":
                algorithm = "SHA256withRSA";
                break;
            case "EC":
                algorithm = "SHA256withECDSA";
                break;
            default: // Ed25519, Ed448 (the JDK reports "EdDSA" for both)
                algorithm = "EdDSA";
        }
        try {
            byte[] challenge = new byte[32];
            SecureRandom random = new SecureRandom();
            random.nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key, random);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (InvalidKeyException | SignatureException e) {
            return false; // a key of another type than the certificate's
        } catch (GeneralSecurityException e) {
            throw new WebConfigException("cannot check the private key against the certificate: " + oneLine(e));
        }
    }

    private static List<Block> blocks(Path file) throws WebConfigException {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new WebConfigException(file + " is larger than 1 MiB, not a PEM certificate or key");
            }
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new WebConfigException("cannot read " + file + ": " + oneLine(e));
        }
        List<Block> out = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            out.add(new Block(m.group(1), m.group(2)));
        }
        return out;
    }

    /** One PEM block: its label and the text between the BEGIN and END lines. */
    private record Block(String label, String body) {
        byte[] der(Path file) throws WebConfigException {
            if (body.indexOf(':') >= 0) { // RFC 1421 headers (Proc-Type, DEK-Info): an encrypted legacy key
                throw new WebConfigException("the " + label + " in " + file + " has PEM headers, which are not"
                        + " supported (an encrypted key?)");
            }
            try {
                return Base64.getDecoder().decode(body.replaceAll("\\s+", ""));
            } catch (IllegalArgumentException e) {
                throw new WebConfigException("the " + label + " in " + file + " is not valid base64");
            }
        }
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static String dotted(byte[] oid) {
        StringBuilder sb = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (byte b : oid) {
            value = (value << 7) | (b & 0x7f);
            if ((b & 0x80) == 0) {
                if (first) {
                    long top = Math.min(value / 40, 2);
                    sb.append(top).append('.').append(value - 40 * top);
                    first = false;
                } else {
                    sb.append('.').append(value);
                }
                value = 0;
            }
        }
        return sb.toString();
    }

    private static String oneLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).strip();
    }

    /** A malformed DER structure. */
    private static final class DerException extends Exception {
        DerException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * A bounds-checked reader over the definite-length DER encoding of one constructed value's content:
     * just enough to walk a {@code PrivateKeyInfo} and an {@code ECPrivateKey}.
     */
    private static final class Der {
        private final byte[] buf;
        private int pos;
        private final int end;

        Der(byte[] buf) {
            this(buf, 0, buf.length);
        }

        private Der(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        boolean hasMore() {
            return pos < end;
        }

        int peekTag() throws DerException {
            if (pos >= end) {
                throw new DerException("truncated DER");
            }
            return buf[pos] & 0xff;
        }

        /** Reads one value with {@code tag} and returns its content. */
        byte[] read(int tag) throws DerException {
            int[] span = header(tag);
            return Arrays.copyOfRange(buf, span[0], span[1]);
        }

        /** Steps into one constructed value with {@code tag}, returning a reader over its content. */
        Der enter(int tag) throws DerException {
            int[] span = header(tag);
            return new Der(buf, span[0], span[1]);
        }

        private int[] header(int tag) throws DerException {
            int actual = peekTag();
            if (actual != tag) {
                throw new DerException(
                        "expected DER tag 0x" + Integer.toHexString(tag) + ", found 0x" + Integer.toHexString(actual));
            }
            pos++;
            if (pos >= end) {
                throw new DerException("truncated DER");
            }
            int first = buf[pos++] & 0xff;
            long length;
            if (first < 0x80) {
                length = first;
            } else {
                int bytes = first & 0x7f;
                if (bytes == 0 || bytes > 4 || pos + bytes > end) {
                    throw new DerException("unsupported DER length");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (buf[pos++] & 0xff);
                }
            }
            if (length > end - pos) {
                throw new DerException("truncated DER");
            }
            int start = pos;
            pos += (int) length;
            return new int[] {start, pos};
        }
    }
}
