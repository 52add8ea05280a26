package io.nundb.exporter.model;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One subject field of a log record, such as {@code node=nundb-0:3014}: carried as a
 * {@link java.util.logging.LogRecord#getParameters() record parameter}, so that the server's formatter
 * writes it as its own logfmt key or JSON member and JSON logs can be filtered by node, while the message
 * stays the same for every node. Keys come from the fixed {@link Key} set, so a key never needs escaping
 * and never collides with the formatter's own ({@code ts}, {@code level}, {@code logger}, {@code msg},
 * {@code err}).
 *
 * <p>Values are node names, fixed reason labels, database names and exception class names; never
 * passwords, tokens or reply payloads.
 *
 * <p>Thread-safety: immutable; the {@code log} methods are safe from any thread. They allocate the
 * fields and the record only when the level is enabled.
 */
public record LogField(LogField.Key key, String value) {
    /** The keys a log record may carry, named as the metrics' labels where one exists. */
    public enum Key {
        /** The Nun-db node the line is about (the {@code node} label). */
        NODE("node"),
        /** A node as listed in another node's view (the {@code member} label). */
        MEMBER("member"),
        /** A fixed reason label ({@link PollErrorReason}, {@link CanarySkipReason}). */
        REASON("reason"),
        /** A Nun-db database name. */
        DATABASE("database"),
        /** The simple class name of an exception whose message is not logged. */
        CAUSE("cause"),
        /** The name a renamed node had before. */
        PREVIOUS("previous");

        private final String label;

        Key(String label) {
            this.label = label;
        }

        /** The key as written in the log line. */
        public String label() {
            return label;
        }
    }

    /** Logs {@code msg} with one field if {@code level} is enabled. */
    public static void log(Logger log, Level level, String msg, Key k1, String v1) {
        if (log.isLoggable(level)) {
            log.log(level, msg, new Object[] {new LogField(k1, v1)});
        }
    }

    /** Logs {@code msg} with two fields if {@code level} is enabled. */
    public static void log(Logger log, Level level, String msg, Key k1, String v1, Key k2, String v2) {
        if (log.isLoggable(level)) {
            log.log(level, msg, new Object[] {new LogField(k1, v1), new LogField(k2, v2)});
        }
    }

    /** Logs {@code msg} with three fields if {@code level} is enabled. */
    public static void log(
            Logger log, Level level, String msg, Key k1, String v1, Key k2, String v2, Key k3, String v3) {
        if (log.isLoggable(level)) {
            log.log(level, msg, new Object[] {new LogField(k1, v1), new LogField(k2, v2), new LogField(k3, v3)});
        }
    }
}
