package io.nundb.exporter.client;

import io.netty.buffer.ByteBuf;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.model.SentinelResult;
import io.nundb.exporter.model.SentinelSnapshot;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.protocol.NunDbRequest;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The replication sentinel ({@link SentinelCoordinator}) on one node's canary connection: {@link #read}
 * reads (and, missing, writes) the sentinel on the primary, {@link #check} reads this node's copy and
 * judges it into a {@link SentinelTally}. Its {@link CanaryNode} calls these only once the canary
 * database is selected on the connection, and records the outcome itself ({@link #record}) when it is not.
 *
 * <p>Allocation: a read decodes the value into a {@code String} (once per sentinel round, off the poll
 * path).
 *
 * <p>Thread-safety: owned by its {@link CanaryNode} and confined to the node's event loop (the node hands
 * every call off to it), like the connection it reads on.
 */
final class SentinelReader {
    /** The canary node's logger: the sentinel's lines are the canary's, as before the split. */
    private static final Logger LOG = Logger.getLogger(CanaryNode.class.getName());

    private final String label;
    private final NodeConnection connection;
    private final CanaryRequests requests;
    private final TimeSource time;
    private final SentinelTally tally;

    /** @param label the node's name at creation, for the write's log line */
    SentinelReader(String label, NodeConnection connection, CanaryRequests requests, TimeSource time) {
        this.label = label;
        this.connection = connection;
        this.requests = requests;
        this.time = time;
        this.tally = new SentinelTally(label);
    }

    /**
     * Reads the sentinel on this node (it claims primary) and hands its identity to {@code reference}
     * (called on this loop); writes it instead when it is missing (the round ends there). Nothing is
     * handed over without an answer.
     */
    void read(Consumer<String> reference) {
        get(value -> {
            if (value == null) {
                return;
            }
            String token = Sentinel.token(value);
            if (token != null) {
                reference.accept(token);
                return;
            }
            NunDbRequest set = NunDbRequest.of(
                    NunDbCommand.SET, CanaryConfig.SENTINEL_KEY, Sentinel.value(time.currentTimeMillis()));
            requests.send(set, -1, (ok, error) -> {
                if (ok) {
                    LOG.info(() -> "wrote the replication sentinel " + CanaryConfig.SENTINEL_KEY + " on " + label);
                }
            });
        });
    }

    /** Reads this node's copy of the sentinel and records it against the primary's {@code token}. */
    void check(String token) {
        get(value -> tally.record(value == null ? SentinelResult.ERROR : Sentinel.classify(value, token)));
    }

    /** Records a check that could not read (the canary database is missing or not selected). */
    void record(SentinelResult result) {
        tally.record(result);
    }

    /** The node's new name (a seed merged with the name it calls itself), for the tally's log lines. */
    void rename(String newLabel) {
        tally.rename(newLabel);
    }

    /** Forgets the last verdict: there is no primary to judge it against. */
    void withdraw() {
        tally.withdraw();
    }

    /** The checks so far, or {@code null} before the first. */
    SentinelSnapshot snapshot() {
        return tally.snapshot();
    }

    /** {@code get} of the sentinel; {@code done} gets the value, or {@code null} without an answer. */
    private void get(Consumer<String> done) {
        connection.send(NunDbRequest.of(NunDbCommand.GET, CanaryConfig.SENTINEL_KEY), new SentinelRead(done));
    }

    /**
     * The reply to a sentinel {@code get}: {@code value <value>} then {@code ok}. A missed deadline resets
     * the connection, as for every canary request.
     */
    private final class SentinelRead implements NodeConnection.Reply {
        private static final String VALUE = "value ";

        private final Consumer<String> done;
        private String value;

        SentinelRead(Consumer<String> done) {
            this.done = done;
        }

        @Override
        public boolean onPayload(ByteBuf line) {
            String text = line.toString(StandardCharsets.UTF_8);
            if (value != null || !text.startsWith(VALUE)) {
                return false;
            }
            value = text.substring(VALUE.length());
            return true;
        }

        @Override
        public void onOk() {
            done.accept(value);
        }

        @Override
        public void onError(String message) {
            done.accept(null);
        }

        @Override
        public void onFailed(PollErrorReason reason) {
            done.accept(null);
            if (reason == PollErrorReason.TIMEOUT) {
                connection.reset(reason);
            }
        }

        @Override
        public void onAbort() {
            done.accept(null);
        }
    }
}
