package io.nundb.exporter.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Immutable configuration of the Nun-db collector. A request timeout under
 * {@value #MIN_REQUEST_TIMEOUT_MILLIS} ms is rejected (a healthy real server takes about 45 ms to send a
 * status line to a client that does not re-arm TCP_QUICKACK). There is no pipelining depth to configure:
 * every connection sends lock-step and never has more than {@link NodeConnection#MAX_OUTSTANDING}
 * requests outstanding (the real server drops status lines past about 100 queued messages, spec §1.3).
 *
 * <p>Thread-safety: immutable. The password supplier is called off the event loops (by the collector
 * at start and at every publication, see {@link Secret}) so that a rotated password file takes effect;
 * it may block briefly on file I/O.
 *
 * @param seeds {@code host:port} addresses to start discovery from; never forgotten
 * @param addressMap node name to {@code host:port} to dial, for names that are not dialable addresses
 * @param user the Nun-db admin user
 * @param password supplies the admin password; never logged
 * @param pollInterval how often every node is polled
 * @param requestTimeout deadline of one request
 * @param hardTimeout a connection with requests outstanding and no status line for this long is reset
 * @param connectTimeout limit for TCP connect plus greeting plus auth
 * @param memberRetention how long a node that vanished from every view keeps being dialled
 * @param expectedMembers the size the cluster should have, 0 if not configured
 * @param backoffInitial first reconnect delay (a refused or closed node: at most the poll interval)
 * @param backoffMax largest reconnect delay after a node accepted and failed the connection (a refused or
 *     closed node is redialled at least once per poll interval)
 * @param maxLineBytes longest reply line kept whole (longer lines are truncated and counted)
 * @param maxClusterStateLineBytes the same for {@code cluster-state} lines
 * @param pendingInterval the shortest time between two reads of {@code debug pending-ops} on the primary
 * @param maxMembers the most nodes the collector keeps, seeds included; members a view lists beyond it
 *     are refused (logged once, counted): a view is cleartext on the wire and each node costs a client
 * @param pendingMaxAge the longest time a read of {@code debug pending-ops} is kept while nothing it depends on
 *     changed (the primary's {@code pending_ops}, its view, the members' process starts); never re-read
 *     sooner than {@code pendingInterval} even when shorter
 */
public record ClientConfig(
        List<String> seeds,
        Map<String, String> addressMap,
        String user,
        Supplier<String> password,
        Duration pollInterval,
        Duration requestTimeout,
        Duration hardTimeout,
        Duration connectTimeout,
        Duration memberRetention,
        int expectedMembers,
        Duration backoffInitial,
        Duration backoffMax,
        int maxLineBytes,
        int maxClusterStateLineBytes,
        Duration pendingInterval,
        int maxMembers,
        Duration pendingMaxAge) {

    public static final long MIN_REQUEST_TIMEOUT_MILLIS = 100;
    /** Non-primary nodes' {@code cluster-state}, process-info and list-dbs are polled this often. */
    public static final Duration SLOW_POLL = Duration.ofSeconds(5);
    /**
     * Default of {@link #maxMembers()}: a real Nun-db cluster has a handful of nodes, and the exporter's
     * memory budget (deploy/kubernetes/deployment.yaml) was measured up to 100 nodes.
     */
    public static final int DEFAULT_MAX_MEMBERS = 100;

    public ClientConfig {
        seeds = List.copyOf(seeds);
        addressMap = Map.copyOf(addressMap);
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("at least one Nun-db address is required");
        }
        for (String seed : seeds) {
            if (NodeAddress.parse(seed) == null) {
                throw new IllegalArgumentException("Nun-db address '" + seed + "' is not host:port");
            }
        }
        for (Map.Entry<String, String> e : addressMap.entrySet()) {
            if (NodeAddress.parse(e.getValue()) == null) {
                throw new IllegalArgumentException(
                        "address map entry for '" + e.getKey() + "' is not host:port: '" + e.getValue() + "'");
            }
        }
        positive(pollInterval, "poll interval");
        positive(requestTimeout, "request timeout");
        positive(hardTimeout, "hard timeout");
        positive(connectTimeout, "connect timeout");
        positive(memberRetention, "member retention");
        positive(backoffInitial, "backoff initial");
        positive(backoffMax, "backoff max");
        positive(pendingInterval, "pending interval");
        positive(pendingMaxAge, "pending max age");
        if (requestTimeout.toMillis() < MIN_REQUEST_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException("request timeout must be at least " + MIN_REQUEST_TIMEOUT_MILLIS
                    + "ms: a healthy Nun-db can take about 45ms to answer");
        }
        if (expectedMembers < 0) {
            throw new IllegalArgumentException("expected members must not be negative");
        }
        if (maxMembers < 1) {
            throw new IllegalArgumentException("max members must be at least 1");
        }
        if (seeds.size() > maxMembers) {
            throw new IllegalArgumentException(
                    seeds.size() + " Nun-db addresses are more than max members (" + maxMembers + ")");
        }
        if (maxLineBytes < 1024 || maxClusterStateLineBytes < maxLineBytes) {
            throw new IllegalArgumentException("line limits must be at least 1 KiB and cluster-state's the larger");
        }
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
    }

    /** A builder with the production defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder with production defaults; not thread-safe. */
    public static final class Builder {
        private List<String> seeds = List.of();
        private Map<String, String> addressMap = Map.of();
        private String user = "";
        private Supplier<String> password = () -> "";
        private Duration pollInterval = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(2);
        private Duration hardTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration memberRetention = Duration.ofHours(1);
        private int expectedMembers;
        private Duration backoffInitial = Duration.ofMillis(200);
        private Duration backoffMax = Duration.ofSeconds(15);
        private int maxLineBytes = 64 * 1024;
        private int maxClusterStateLineBytes = 1024 * 1024;
        private Duration pendingInterval = Duration.ofSeconds(10);
        private int maxMembers = DEFAULT_MAX_MEMBERS;
        private Duration pendingMaxAge = Duration.ofMinutes(10);

        public Builder seeds(List<String> v) {
            seeds = v;
            return this;
        }

        public Builder addressMap(Map<String, String> v) {
            addressMap = v;
            return this;
        }

        public Builder user(String v) {
            user = v;
            return this;
        }

        public Builder password(Supplier<String> v) {
            password = v;
            return this;
        }

        public Builder pollInterval(Duration v) {
            pollInterval = v;
            return this;
        }

        public Builder requestTimeout(Duration v) {
            requestTimeout = v;
            return this;
        }

        public Builder hardTimeout(Duration v) {
            hardTimeout = v;
            return this;
        }

        public Builder connectTimeout(Duration v) {
            connectTimeout = v;
            return this;
        }

        public Builder memberRetention(Duration v) {
            memberRetention = v;
            return this;
        }

        public Builder expectedMembers(int v) {
            expectedMembers = v;
            return this;
        }

        /**
         * The reconnect {@link Backoff}'s first and largest delay ({@code --nundb.backoff-initial},
         * {@code --nundb.backoff-max}); validated by {@link #build()}.
         */
        public Builder backoff(Duration initial, Duration max) {
            backoffInitial = initial;
            backoffMax = max;
            return this;
        }

        public Builder lineLimits(int maxLine, int maxClusterStateLine) {
            maxLineBytes = maxLine;
            maxClusterStateLineBytes = maxClusterStateLine;
            return this;
        }

        public Builder pendingInterval(Duration v) {
            pendingInterval = v;
            return this;
        }

        public Builder maxMembers(int v) {
            maxMembers = v;
            return this;
        }

        public Builder pendingMaxAge(Duration v) {
            pendingMaxAge = v;
            return this;
        }

        public ClientConfig build() {
            return new ClientConfig(
                    seeds,
                    addressMap,
                    user,
                    password,
                    pollInterval,
                    requestTimeout,
                    hardTimeout,
                    connectTimeout,
                    memberRetention,
                    expectedMembers,
                    backoffInitial,
                    backoffMax,
                    maxLineBytes,
                    maxClusterStateLineBytes,
                    pendingInterval,
                    maxMembers,
                    pendingMaxAge);
        }
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "ClientConfig(seeds=" + seeds + ", user=" + user + ", pollInterval=" + pollInterval + ")";
    }
}
