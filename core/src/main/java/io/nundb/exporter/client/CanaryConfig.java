package io.nundb.exporter.client;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Immutable configuration of the replication canary: the exporter-owned database and key it writes,
 * the database token, how often it writes and when a canary is counted lost, and the id of this
 * exporter process written into every value ({@code <instance>.<seq>.<nanos>}) so that values of other
 * exporter instances are recognised and ignored, and how often the replication sentinel
 * ({@value #SENTINEL_KEY}, see {@link SentinelCoordinator}) is read on every member.
 *
 * <p>Thread-safety: immutable. The token supplier is called off the event loops (by the collector at
 * start and at every publication, see {@link Secret}), so a rotated token file takes effect within one
 * poll interval; it may block briefly on file I/O. {@link #toString()} never shows the token.
 *
 * @param database the canary database, created on the primary if missing
 * @param key the key written on the primary and watched on every node
 * @param token supplies the database token; never logged
 * @param interval time between canary writes
 * @param timeout a canary not seen on a member within this is lost
 * @param instance this exporter process's id (letters and digits)
 * @param sentinelInterval time between reads of the replication sentinel on every member
 */
public record CanaryConfig(
        String database,
        String key,
        Supplier<String> token,
        Duration interval,
        Duration timeout,
        String instance,
        Duration sentinelInterval) {
    /** The database used when none is configured. */
    public static final String DEFAULT_DATABASE = "nundb_exporter_canary";
    /** The key written and watched. */
    public static final String DEFAULT_KEY = "canary";
    /** The key of the replication sentinel in the canary database, written once and never watched. */
    public static final String SENTINEL_KEY = "nundb_exporter_sentinel";
    /** The sentinel interval used when none is configured. */
    public static final Duration DEFAULT_SENTINEL_INTERVAL = Duration.ofMinutes(1);

    public CanaryConfig {
        token(database, "database");
        token(key, "key");
        Objects.requireNonNull(token, "token");
        if (instance == null || !instance.matches("[A-Za-z0-9]{1,32}")) {
            throw new IllegalArgumentException("canary instance id must be 1-32 letters or digits");
        }
        positive(interval, "canary interval");
        positive(timeout, "canary timeout");
        positive(sentinelInterval, "sentinel interval");
        if (key.equals(SENTINEL_KEY)) {
            throw new IllegalArgumentException("canary key must not be the sentinel key " + SENTINEL_KEY);
        }
    }

    /** A configuration with the {@linkplain #DEFAULT_SENTINEL_INTERVAL default sentinel interval}. */
    public CanaryConfig(
            String database, String key, Supplier<String> token, Duration interval, Duration timeout, String instance) {
        this(database, key, token, interval, timeout, instance, DEFAULT_SENTINEL_INTERVAL);
    }

    /** A configuration with the default key and a new random instance id. */
    public static CanaryConfig of(String database, Supplier<String> token, Duration interval, Duration timeout) {
        return new CanaryConfig(database, DEFAULT_KEY, token, interval, timeout, newInstanceId());
    }

    /** This configuration with another instance id (tests: two exporters). */
    public CanaryConfig withInstance(String id) {
        return new CanaryConfig(database, key, token, interval, timeout, id, sentinelInterval);
    }

    /** This configuration with another sentinel interval. */
    public CanaryConfig withSentinelInterval(Duration every) {
        return new CanaryConfig(database, key, token, interval, timeout, instance, every);
    }

    /** A random id of 12 hex digits, one per exporter process. */
    public static String newInstanceId() {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void token(String v, String what) {
        if (v == null || !v.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("canary " + what + " must be 1-64 letters, digits, _ or -");
        }
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "CanaryConfig(database=" + database + ", key=" + key + ", interval=" + interval + ", timeout=" + timeout
                + ", instance=" + instance + ", sentinelInterval=" + sentinelInterval + ")";
    }
}
