package io.nundb.exporter.protocol;

/**
 * The closed set of commands this exporter can send to a Nun-db node. There is deliberately no way to
 * send a free string: commands that change cluster state ({@code join}, {@code leave},
 * {@code set-primary}, {@code set-secoundary}, {@code election}, {@code replicate*}, {@code rp},
 * {@code ack}, {@code debug force-election}, {@code snapshot}) cannot be produced, because a
 * {@code join} naming an existing member kills the real server (spec §5.2) and {@code snapshot} with a
 * list and no database panics a connection thread (spec §6).
 *
 * <p>Thread-safety: immutable.
 */
public enum NunDbCommand {
    /** {@code auth <user> <password>}; the password is everything after the user (spec §2.1). */
    AUTH("auth", "auth", 2),
    METRICS_STATE("metrics-state", "metrics-state", 0),
    CLUSTER_STATE("cluster-state", "cluster-state", 0),
    DEBUG_PENDING_OPS("debug pending-ops", "debug-pending-ops", 0),
    DEBUG_PROCESS_INFO("debug process-info", "debug-process-info", 0),
    DEBUG_LIST_DBS("debug list-dbs", "debug-list-dbs", 0),
    /** Canary only: {@code create-db <name> <token>}, sent to the node that claims primary. */
    CREATE_DB("create-db", "create-db", 2),
    /** Canary only: {@code use-db <name> <token>}. */
    USE_DB("use-db", "use-db", 2),
    /** Canary only: {@code set <key> <value>} on the canary database. */
    SET("set", "set", 2),
    /** Canary only: {@code watch <key>} on a secondary's watch connection. */
    WATCH("watch", "watch", 1),
    UNWATCH_ALL("unwatch-all", "unwatch-all", 0),
    /** Canary only: {@code get <key>} of the replication sentinel, on the canary database (read-only). */
    GET("get", "get", 1);

    private final String wire;
    private final String label;
    private final int arity;

    NunDbCommand(String wire, String label, int arity) {
        this.wire = wire;
        this.label = label;
        this.arity = arity;
    }

    /** The words written on the wire, for example {@code debug pending-ops}. */
    public String wire() {
        return wire;
    }

    /** The value of the {@code command} label, for example {@code debug-pending-ops}. */
    public String label() {
        return label;
    }

    /** Number of arguments the command takes. */
    public int arity() {
        return arity;
    }

    /** Whether the arguments carry a secret (the admin password or a database token). */
    public boolean carriesSecret() {
        return this == AUTH || this == CREATE_DB || this == USE_DB;
    }
}
