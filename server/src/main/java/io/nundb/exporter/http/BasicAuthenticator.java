package io.nundb.exporter.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks HTTP basic auth credentials against the bcrypt hashes of the current {@link WebConfig} without
 * letting bcrypt become a denial of service: a bcrypt verification costs tens of milliseconds, so
 * verifications run on one dedicated thread (never an event loop), at most {@code ratePerSecond} of
 * them start per second across all clients (a token bucket, burst = rate), and successful ones are
 * cached (at most {@value #CACHE_SIZE} entries, least recently used evicted) under an HMAC of
 * user, password and hash with a per-process random key, so a cached scrape costs one HMAC and a
 * config change invalidates its entries. A request over the rate is answered 429 without hashing.
 *
 * <p>Thread-safety: safe for use from any thread; the cache and the bucket are guarded by this
 * object's monitor (held for microseconds, never during bcrypt).
 */
public final class BasicAuthenticator implements AutoCloseable {
    static final int CACHE_SIZE = 256;

    /** Outcome of a check. */
    public enum Verdict {
        ALLOWED,
        DENIED,
        RATE_LIMITED
    }

    private final SecretKeySpec cacheKey;
    private final LongSupplier nanoClock;
    private final double ratePerSecond;
    private final ThreadPoolExecutor bcrypt;
    private final LinkedHashMap<String, Boolean> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CACHE_SIZE;
        }
    };
    // Guarded by this.
    private double tokens;
    private long lastRefillNanos;
    private long hashed;

    /**
     * @param ratePerSecond bcrypt verifications allowed to start per second, at least 1
     * @param nanoClock monotonic clock, {@link System#nanoTime()} outside tests
     */
    public BasicAuthenticator(double ratePerSecond, LongSupplier nanoClock) {
        if (!(ratePerSecond >= 1)) {
            throw new IllegalArgumentException("rate must be at least 1/s");
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.cacheKey = new SecretKeySpec(key, "HmacSHA256");
        this.nanoClock = nanoClock;
        this.ratePerSecond = ratePerSecond;
        this.tokens = ratePerSecond;
        this.lastRefillNanos = nanoClock.getAsLong();
        this.bcrypt = new ThreadPoolExecutor(
                1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>((int) Math.ceil(ratePerSecond)), r -> {
                    Thread t = new Thread(r, "nundb-bcrypt");
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Checks an {@code Authorization} header against {@code config}; {@code done} is called exactly once,
     * on the calling thread when the answer needs no bcrypt, else on {@code callbackExecutor}, and never
     * while this object's monitor is held.
     */
    public void check(WebConfig config, String authorization, Executor callbackExecutor, Consumer<Verdict> done) {
        if (!config.basicAuth()) {
            done.accept(Verdict.ALLOWED);
            return;
        }
        byte[] decoded = decode(authorization);
        if (decoded == null) {
            done.accept(Verdict.DENIED);
            return;
        }
        int colon = indexOf(decoded, (byte) ':');
        if (colon <= 0) {
            Arrays.fill(decoded, (byte) 0);
            done.accept(Verdict.DENIED);
            return;
        }
        String user = new String(decoded, 0, colon, StandardCharsets.UTF_8);
        String hash = config.users().get(user);
        if (hash == null) {
            Arrays.fill(decoded, (byte) 0);
            done.accept(Verdict.DENIED);
            return;
        }
        byte[] password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        Arrays.fill(decoded, (byte) 0);
        String key = cacheKey(user, password, hash);
        Verdict known = null;
        synchronized (this) {
            if (cache.get(key) != null) {
                known = Verdict.ALLOWED;
            } else if (!takeToken()) {
                known = Verdict.RATE_LIMITED;
            } else {
                hashed++;
            }
        }
        if (known != null) { // answered outside the monitor: the callback writes a response
            Arrays.fill(password, (byte) 0);
            done.accept(known);
            return;
        }
        try {
            bcrypt.execute(() -> {
                boolean ok;
                try {
                    ok = BCrypt.verifyer().verify(password, hash.getBytes(StandardCharsets.US_ASCII)).verified;
                } catch (RuntimeException e) { // e.g. a password over bcrypt's 72 bytes
                    ok = false;
                } finally {
                    Arrays.fill(password, (byte) 0);
                }
                if (ok) {
                    synchronized (this) {
                        cache.put(key, Boolean.TRUE);
                    }
                }
                Verdict v = ok ? Verdict.ALLOWED : Verdict.DENIED;
                try {
                    callbackExecutor.execute(() -> done.accept(v));
                } catch (RejectedExecutionException e) {
                    // The connection's event loop is shutting down: nobody is waiting any more.
                }
            });
        } catch (RejectedExecutionException e) {
            Arrays.fill(password, (byte) 0);
            done.accept(Verdict.RATE_LIMITED);
        }
    }

    /** Number of bcrypt verifications started since creation. */
    public synchronized long bcryptVerifications() {
        return hashed;
    }

    private boolean takeToken() {
        long now = nanoClock.getAsLong();
        long elapsed = now - lastRefillNanos;
        if (elapsed > 0) {
            tokens = Math.min(ratePerSecond, tokens + elapsed * ratePerSecond / 1e9);
            lastRefillNanos = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    private String cacheKey(String user, byte[] password, String hash) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(cacheKey);
            mac.update(user.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(password);
            mac.update((byte) 0);
            return Base64.getEncoder().encodeToString(mac.doFinal(hash.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The decoded {@code user:password} of a {@code Basic} header, or {@code null}. */
    private static byte[] decode(String header) {
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String b64 = header.substring(6).trim();
        if (b64.length() > 4096) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        bcrypt.shutdownNow();
    }
}
