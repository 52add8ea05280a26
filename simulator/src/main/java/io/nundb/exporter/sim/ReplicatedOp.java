package io.nundb.exporter.sim;

/**
 * A replicated operation as it travels between simulated nodes (spec §5.3, §5.4): its kind, the
 * wire text shown by {@code debug pending-ops}, and the arguments a receiving node applies.
 *
 * <p>Thread-safety: immutable.
 */
record ReplicatedOp(Kind kind, long oppId, String message, String db, String key, String arg, String value) {
    enum Kind {
        CREATE_DB,
        SET,
        INCREMENT,
        REMOVE,
        ELECTION
    }

    static ReplicatedOp createDb(long oppId, String db, String token, String strategy) {
        return new ReplicatedOp(
                Kind.CREATE_DB, oppId, "create-db " + db + " " + token + " " + strategy, db, null, token, strategy);
    }

    static ReplicatedOp set(long oppId, String db, String key, int version, String value) {
        return new ReplicatedOp(
                Kind.SET,
                oppId,
                "replicate " + db + " " + key + " " + version + " " + value,
                db,
                key,
                Integer.toString(version),
                value);
    }

    static ReplicatedOp increment(long oppId, String db, String key, int step) {
        return new ReplicatedOp(
                Kind.INCREMENT,
                oppId,
                "replicate-increment " + db + " " + key + " " + step,
                db,
                key,
                Integer.toString(step),
                null);
    }

    static ReplicatedOp remove(long oppId, String db, String key) {
        return new ReplicatedOp(Kind.REMOVE, oppId, "replicate-remove " + db + " " + key, db, key, null, null);
    }

    static ReplicatedOp election(long oppId, long processId, String name) {
        return new ReplicatedOp(
                Kind.ELECTION, oppId, "election candidate " + processId + " " + name, null, null, null, null);
    }

    ReplicatedOp withOppId(long id) {
        return new ReplicatedOp(kind, id, message, db, key, arg, value);
    }
}
