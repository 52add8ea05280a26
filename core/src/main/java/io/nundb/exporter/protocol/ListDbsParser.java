package io.nundb.exporter.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Accumulates a {@code debug list-dbs} reply (spec §3.4): {@code "dbs-list "} then one {@code "<db> :
 * <strategy>"} line per database, {@code $admin} included, in hash-map order. Counts the databases.
 *
 * <p>Use per reply: {@link #begin()}, {@link #accept(ByteBuf)} for each {@code PAYLOAD} line, {@link
 * #finish()} at the {@code OK} status. Does not allocate unless the reply is rejected.
 *
 * <p>Thread-safety: not thread-safe; one instance per node, used on the node's event loop.
 */
public final class ListDbsParser extends LineAccumulator {
    private static final byte[] PREFIX = NunDbReplyDecoder.ascii("dbs-list");
    private static final byte[] SEPARATOR = NunDbReplyDecoder.ascii(" : ");

    private int databases;

    public ListDbsParser() {
        super(PREFIX, "debug list-dbs");
    }

    @Override
    void reset() {
        databases = 0;
    }

    @Override
    void field(ByteBuf line, int from, int to) {
        int separator = WireText.lastIndexOf(line, from, to, SEPARATOR);
        if (separator <= from || separator + SEPARATOR.length >= to) {
            malformed("debug list-dbs: line is not '<db> : <strategy>'");
        } else {
            databases++;
        }
    }

    /**
     * Ends the reply.
     *
     * @return the number of databases listed
     * @throws ReplyParseException unsupported without the {@code dbs-list} prefix; malformed if a line
     *     is not {@code <db> : <strategy>}
     */
    public int finish() throws ReplyParseException {
        end();
        return databases;
    }
}
