package io.nundb.exporter.model;

/**
 * The fixed set of reasons a poll of a node fails, the values of the {@code reason} label of
 * {@code nundb_exporter_poll_errors_total}. Raw error text never becomes a label.
 *
 * <p>Thread-safety: immutable.
 */
public enum PollErrorReason {
    /** {@code invalid auth}, or {@code Not auth} after authenticating. */
    AUTH("auth"),
    /** A request missed its deadline, or no greeting arrived within the connect timeout. */
    TIMEOUT("timeout"),
    /** The TCP connection was refused or could not be established. */
    REFUSED("refused"),
    /** The node closed or reset the connection once authenticated (before that: {@link #SHORT_LIFE}). */
    CLOSED("closed"),
    /** A line that cannot belong to the request at the head of the queue, or an unparsable reply. */
    PROTOCOL("protocol"),
    /** The node's name is not an address we can dial, and no address map entry names it. */
    UNDIALABLE("undialable"),
    /** A reply without its expected prefix (an older or newer server). */
    UNSUPPORTED("unsupported"),
    /** The node answered {@code error ...} to a monitoring command. */
    ERROR_REPLY("error_reply"),
    /** No success for 3 poll intervals while the connection looks open (a silent hang). */
    STALE("stale"),
    /**
     * The node accepted the TCP connection and closed or reset it before its greeting or before {@code auth}
     * completed: a process that dies moments after each start (a crash loop, spec Appendix C), told apart
     * from a clean outage ({@code refused}) and a hung process ({@code timeout}).
     */
    SHORT_LIFE("short_life");

    private final String label;

    PollErrorReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
