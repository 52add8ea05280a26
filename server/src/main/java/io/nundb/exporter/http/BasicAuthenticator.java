package io.nundb.exporter.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks HTTP basic auth credentials against the bcrypt hashes of the current {@link WebConfig} without
 * letting bcrypt become a denial of service, and without letting a flood of wrong guesses lock out valid
 * users.
 *
 * <ul>
 *   <li>Cost: a bcrypt verification costs tens of milliseconds, so verifications run on one dedicated
 *       thread (never an event loop), at most {@code ratePerSecond} of them start per second across all
 *       clients (a token bucket, burst = rate), and successful ones are cached (at most
 *       {@value #CACHE_SIZE} entries, least recently used evicted) under an HMAC of user, password and
 *       hash with a per-process random key, so a cached scrape costs one HMAC and a config change
 *       invalidates its entries.
 *   <li>Fairness: a check over the rate waits its turn in a queue instead of being refused; the HTTP
 *       side has at most one check per connection in flight ({@link HttpPipeliningHandler}), so a valid
 *       login waits behind at most one check per other open connection. Checks from a connection that
 *       already failed one ({@code suspect}) wait behind every other: a client guessing over keep-alive
 *       connections delays only itself. A check whose client left ({@code wanted} false) is dropped
 *       without hashing (answered denied). Only when {@code queueCapacity} checks wait is a check
 *       refused (429).
 *   <li>Timing: an unknown user is verified against a dummy hash of the configured cost, so a failed
 *       login costs the same bcrypt work (and the same rate budget) whether the user exists or not.
 * </ul>
 *
 * <p>Thread-safety: safe for use from any thread; the cache, the queues and the bucket are guarded by
 * this object's monitor (held for microseconds, never during bcrypt). The dummy hashes are confined to
 * the bcrypt thread.
 */
public final class BasicAuthenticator implements AutoCloseable {
    static final int CACHE_SIZE = 256;
    /** The longest the bcrypt thread sleeps before it looks at the clock again (a test's manual clock). */
    private static final long MAX_TOKEN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Outcome of a check. */
    public enum Verdict {
        ALLOWED,
        DENIED,
        RATE_LIMITED
    }

    private final SecretKeySpec cacheKey;
    private final LongSupplier nanoClock;
    private final double ratePerSecond;
    private final int queueCapacity;
    private final Thread bcrypt;
    private final LinkedHashMap<String, Boolean> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CACHE_SIZE;
        }
    };
    // Guarded by this.
    private final ArrayDeque<Verification> fresh = new ArrayDeque<>();
    private final ArrayDeque<Verification> suspect = new ArrayDeque<>();
    private double tokens;
    private long lastRefillNanos;
    private long hashed;
    private boolean closed;
    // bcrypt thread only.
    private final Map<Integer, byte[]> dummyHashes = new HashMap<>();

    /**
     * @param ratePerSecond bcrypt verifications allowed to start per second, at least 1
     * @param queueCapacity checks that may wait for a verification, at least 1; more are refused
     * @param nanoClock monotonic clock, {@link System#nanoTime()} outside tests
     */
    public BasicAuthenticator(double ratePerSecond, int queueCapacity, LongSupplier nanoClock) {
        if (!(ratePerSecond >= 1)) {
            throw new IllegalArgumentException("rate must be at least 1/s");
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue capacity must be positive, got " + queueCapacity);
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.cacheKey = new SecretKeySpec(key, "HmacSHA256");
        this.nanoClock = nanoClock;
        this.ratePerSecond = ratePerSecond;
        this.queueCapacity = queueCapacity;
        this.tokens = ratePerSecond;
        this.lastRefillNanos = nanoClock.getAsLong();
        this.bcrypt = new Thread(this::verifyLoop, "nundb-bcrypt");
        bcrypt.setDaemon(true);
        bcrypt.start();
    }

    /** As {@link #check(WebConfig, String, boolean, BooleanSupplier, Executor, Consumer)}, fresh and always wanted. */
    public void check(WebConfig config, String authorization, Executor callbackExecutor, Consumer<Verdict> done) {
        check(config, authorization, false, () -> true, callbackExecutor, done);
    }

    /**
     * Checks an {@code Authorization} header against {@code config}; {@code done} is called exactly once,
     * on the calling thread when the answer needs no bcrypt, else on {@code callbackExecutor} (or, if it
     * refuses the task, the bcrypt or closing thread), and never while this object's monitor is held. A
     * check dropped because {@code wanted} turned false is answered {@link Verdict#DENIED} without bcrypt,
     * one still waiting at {@link #close()} {@link Verdict#RATE_LIMITED}, so the caller can release what
     * it holds.
     *
     * @param suspect the client already failed a check: wait behind the checks of every other client
     * @param wanted whether the client still waits for the answer (read on the bcrypt thread)
     */
    public void check(
            WebConfig config,
            String authorization,
            boolean suspect,
            BooleanSupplier wanted,
            Executor callbackExecutor,
            Consumer<Verdict> done) {
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
        byte[] password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        Arrays.fill(decoded, (byte) 0);
        // An unknown user costs the same as a known one: an HMAC (never found in the cache) here, and a
        // verification against a dummy hash of the configured cost on the bcrypt thread.
        String key = cacheKey(user, password, hash == null ? "" : hash);
        Verification v = new Verification(
                hash, hash == null ? maxCost(config) : 0, key, password, wanted, callbackExecutor, done);
        boolean allowed;
        boolean queued;
        List<Verification> dropped = new ArrayList<>(0);
        synchronized (this) {
            allowed = cache.get(key) != null && hash != null;
            queued = !allowed && enqueue(v, suspect, dropped);
            if (queued) {
                notifyAll();
            }
        }
        // Answered outside the monitor: the callbacks write responses.
        for (Verification d : dropped) {
            answer(d, Verdict.DENIED);
        }
        if (!queued) {
            Arrays.fill(password, (byte) 0);
            done.accept(allowed ? Verdict.ALLOWED : Verdict.RATE_LIMITED);
        }
    }

    /** Number of bcrypt verifications started since creation (known and unknown users alike). */
    public synchronized long bcryptVerifications() {
        return hashed;
    }

    private boolean enqueue(Verification v, boolean isSuspect, List<Verification> dropped) {
        if (closed) {
            return false;
        }
        if (fresh.size() + suspect.size() >= queueCapacity) {
            dropUnwanted(fresh, dropped);
            dropUnwanted(suspect, dropped);
            if (fresh.size() + suspect.size() >= queueCapacity) {
                return false;
            }
        }
        (isSuspect ? suspect : fresh).add(v);
        return true;
    }

    /** Removes the checks whose client left; returns them to be answered outside the monitor. */
    private static void dropUnwanted(ArrayDeque<Verification> q, List<Verification> dropped) {
        q.removeIf(v -> {
            if (v.wanted.getAsBoolean()) {
                return false;
            }
            dropped.add(v);
            return true;
        });
    }

    /** The bcrypt thread: waits for a check, then for a token, then verifies the first wanted check. */
    private void verifyLoop() {
        try {
            for (; ; ) {
                synchronized (this) {
                    while (!closed && fresh.isEmpty() && suspect.isEmpty()) {
                        wait();
                    }
                    if (closed) {
                        return;
                    }
                }
                awaitToken();
                Verification v;
                List<Verification> dropped = new ArrayList<>(0);
                synchronized (this) {
                    v = nextWanted(dropped);
                    if (v == null) { // every waiting client left meanwhile: give the token back
                        tokens = Math.min(ratePerSecond, tokens + 1);
                    } else {
                        hashed++;
                    }
                }
                for (Verification d : dropped) {
                    answer(d, Verdict.DENIED);
                }
                if (v != null) {
                    verify(v);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            List<Verification> left;
            synchronized (this) {
                closed = true;
                left = new ArrayList<>(fresh);
                left.addAll(suspect);
                fresh.clear();
                suspect.clear();
            }
            for (Verification v : left) {
                answer(v, Verdict.RATE_LIMITED);
            }
        }
    }

    private Verification nextWanted(List<Verification> dropped) {
        Verification v;
        while ((v = fresh.isEmpty() ? suspect.poll() : fresh.poll()) != null) {
            if (v.wanted.getAsBoolean()) {
                return v;
            }
            dropped.add(v);
        }
        return null;
    }

    /** Wipes the password and calls back on the caller's executor, or here if it refuses the task. */
    private static void answer(Verification v, Verdict verdict) {
        v.wipe();
        Consumer<Verdict> done = v.done;
        try {
            v.callbackExecutor.execute(() -> done.accept(verdict));
        } catch (RejectedExecutionException e) { // the connection's event loop is shutting down
            done.accept(verdict);
        }
    }

    private void awaitToken() throws InterruptedException {
        for (; ; ) {
            long waitNanos;
            synchronized (this) {
                if (takeToken()) {
                    return;
                }
                waitNanos = (long) ((1 - tokens) * 1e9 / ratePerSecond) + 1;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(waitNanos, MAX_TOKEN_WAIT_NANOS));
        }
    }

    private void verify(Verification v) {
        boolean ok;
        try {
            byte[] hash = v.hash != null
                    ? v.hash.getBytes(StandardCharsets.US_ASCII)
                    : dummyHashes.computeIfAbsent(v.dummyCost, BasicAuthenticator::dummyHash);
            ok = BCrypt.verifyer().verify(v.password, hash).verified && v.hash != null;
        } catch (RuntimeException e) { // e.g. a password over bcrypt's 72 bytes
            ok = false;
        } finally {
            v.wipe();
        }
        if (ok) {
            synchronized (this) {
                cache.put(v.cacheKey, Boolean.TRUE);
            }
        }
        answer(v, ok ? Verdict.ALLOWED : Verdict.DENIED);
    }

    /** The highest cost among the configured hashes ({@code $2y$10$...}). */
    private static int maxCost(WebConfig config) {
        int cost = 4;
        for (String h : config.users().values()) {
            cost = Math.max(cost, (h.charAt(4) - '0') * 10 + (h.charAt(5) - '0'));
        }
        return cost;
    }

    /** A hash of a random password that nobody can match, at {@code cost}. */
    private static byte[] dummyHash(int cost) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return BCrypt.with(BCrypt.Version.VERSION_2Y).hash(cost, secret);
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
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        bcrypt.interrupt();
    }

    /**
     * One check waiting for bcrypt: the hash (or the cost of the dummy one for an unknown user), a copy of
     * the password (wiped once verified or dropped) and where to answer.
     */
    private static final class Verification {
        final String hash;
        final int dummyCost;
        final byte[] password;
        final BooleanSupplier wanted;
        final Executor callbackExecutor;
        final Consumer<Verdict> done;
        final String cacheKey;

        Verification(
                String hash,
                int dummyCost,
                String cacheKey,
                byte[] password,
                BooleanSupplier wanted,
                Executor callbackExecutor,
                Consumer<Verdict> done) {
            this.hash = hash;
            this.dummyCost = dummyCost;
            this.cacheKey = cacheKey;
            this.password = password;
            this.wanted = wanted;
            this.callbackExecutor = callbackExecutor;
            this.done = done;
        }

        void wipe() {
            Arrays.fill(password, (byte) 0);
        }
    }
}
