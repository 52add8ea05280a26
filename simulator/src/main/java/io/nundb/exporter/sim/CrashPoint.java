package io.nundb.exporter.sim;

/**
 * Where a crash-looping node's short life ends for a client (spec Appendix C: each life lasted about a
 * second, long enough to accept a TCP connection, too short to be polled).
 *
 * <p>Thread-safety: immutable.
 */
public enum CrashPoint {
    /** Each accepted connection is closed before the greeting. */
    BEFORE_GREETING,
    /** The node greets, then closes the connection on the {@code auth} line, before its reply. */
    BEFORE_AUTH
}
