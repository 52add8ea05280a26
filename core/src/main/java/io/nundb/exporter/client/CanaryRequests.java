package io.nundb.exporter.client;

import io.netty.buffer.ByteBuf;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.NunDbRequest;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * The canary requests of one {@link CanaryNode} (handshake steps, canary writes, the sentinel's write) and
 * their replies, whose payload lines are ignored. A write or read that misses its deadline fails but keeps
 * the connection (its late reply is read and discarded): each reconnect's {@code use-db} makes Nun-db log
 * the canary token (spec Appendix C), and a connection that is really hung is reset by the connection's
 * hard timeout or its outstanding limit. Only a handshake step ({@code use-db}, {@code create-db},
 * {@code watch}) that misses its deadline resets the connection: its outcome is unknown and the handshake
 * starts again. A canary write ({@code writeSeq >= 0}) that cannot complete is reported through
 * {@code writeFailed}: unknown whether it was applied, it is discarded, not lost.
 *
 * <p>Allocation: one reply object per request (one per canary interval, off the poll path).
 *
 * <p>Thread-safety: owned by its {@link CanaryNode} and used only on the node's event loop, like the
 * connection it sends on; {@code handshaking} and {@code writeFailed} are called there.
 */
final class CanaryRequests {
    private final NodeConnection connection;
    private final BooleanSupplier handshaking;
    private final LongConsumer writeFailed;

    /**
     * @param handshaking whether the node is in a handshake step, read when a request misses its deadline
     * @param writeFailed called with the sequence number of a canary write that failed
     */
    CanaryRequests(NodeConnection connection, BooleanSupplier handshaking, LongConsumer writeFailed) {
        this.connection = connection;
        this.handshaking = handshaking;
        this.writeFailed = writeFailed;
    }

    /** Sends one request; a write ({@code writeSeq >= 0}) that cannot complete is reported failed. */
    void send(NunDbRequest request, long writeSeq, Callback callback) {
        connection.send(request, new CanaryReply(writeSeq, callback));
    }

    /** The end of one request: ok, or the error message (never logged: it may quote input). */
    interface Callback {
        void done(boolean ok, String error);
    }

    /** A canary request's reply; see the class javadoc for what a missed deadline does. */
    private final class CanaryReply implements NodeConnection.Reply {
        private final long writeSeq;
        private final Callback callback;

        CanaryReply(long writeSeq, Callback callback) {
            this.writeSeq = writeSeq;
            this.callback = callback;
        }

        @Override
        public boolean onPayload(ByteBuf line) {
            return true;
        }

        @Override
        public void onOk() {
            callback.done(true, null);
        }

        @Override
        public void onError(String message) {
            callback.done(false, message);
        }

        @Override
        public void onFailed(PollErrorReason reason) {
            onAbort();
            if (reason == PollErrorReason.TIMEOUT && handshaking.getAsBoolean()) {
                connection.reset(reason);
            }
        }

        @Override
        public void onAbort() {
            if (writeSeq >= 0) {
                writeFailed.accept(writeSeq); // Unknown whether it was applied: discarded, not lost.
            }
        }
    }
}
