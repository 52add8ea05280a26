package io.nundb.exporter.client;

import io.netty.buffer.ByteBuf;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.ReplyParseException;
import java.util.function.Consumer;

/**
 * The reply to one request of a node's poll cycle: either exactly one payload line parsed at once
 * ({@code metrics-state}, {@code cluster-state}), or a multi-line reply streamed into one of the
 * protocol package's accumulating parsers ({@code debug process-info}, {@code debug list-dbs},
 * {@code debug pending-ops}, never buffered whole). A first payload line that is the reply to another
 * command cannot belong here: the connection is reset. Every failure (an error status line, a parse
 * failure, a missed deadline) fails the cycle through {@link Cycle}; the error message is never logged
 * (it may quote user input), only its fixed reason is exported.
 *
 * <p>Thread-safety: confined to the node's event loop, like the connection that feeds it.
 */
abstract class PollReply implements NodeConnection.Reply {
    /** Where a failed reply fails the poll cycle. */
    interface Cycle {
        void failed(PollErrorReason reason);
    }

    /** Parses the one payload line of a reply. */
    interface LineParser<T> {
        T parse(ByteBuf line) throws ReplyParseException;
    }

    /** Ends a multi-line reply: reads the parser's result and hands it on. */
    interface Finisher {
        void finish() throws ReplyParseException;
    }

    private final Cycle cycle;
    private final String expectedPrefix;

    private PollReply(Cycle cycle, String expectedPrefix) {
        this.cycle = cycle;
        this.expectedPrefix = expectedPrefix;
    }

    /** A reply of exactly one payload line starting with {@code prefix}, parsed and handed to {@code sink}. */
    static <T> PollReply singleLine(Cycle cycle, String prefix, LineParser<T> parser, Consumer<T> sink) {
        return new SingleLine<>(cycle, prefix, parser, sink);
    }

    /**
     * A reply whose lines (the first starting with {@code prefix}) go to {@code feed}, an accumulating
     * parser the caller has begun; {@code finisher} runs on the status line.
     */
    static PollReply lines(Cycle cycle, String prefix, Consumer<ByteBuf> feed, Finisher finisher) {
        return new Lines(cycle, prefix, feed, finisher);
    }

    @Override
    public void onError(String message) {
        cycle.failed(message.startsWith("Not auth") ? PollErrorReason.AUTH : PollErrorReason.ERROR_REPLY);
    }

    @Override
    public void onFailed(PollErrorReason reason) {
        cycle.failed(reason);
    }

    final boolean belongsElsewhere(ByteBuf line) {
        return ReplyDecoding.belongsElsewhere(line, expectedPrefix);
    }

    private static final class SingleLine<T> extends PollReply {
        private final LineParser<T> parser;
        private final Consumer<T> sink;
        private T value;
        private PollErrorReason failure;
        private boolean sawLine;

        SingleLine(Cycle cycle, String prefix, LineParser<T> parser, Consumer<T> sink) {
            super(cycle, prefix);
            this.parser = parser;
            this.sink = sink;
        }

        /** A second payload line cannot belong to this request. */
        @Override
        public boolean onPayload(ByteBuf line) {
            if (sawLine || belongsElsewhere(line)) {
                return false;
            }
            sawLine = true;
            try {
                value = parser.parse(line);
            } catch (ReplyParseException e) {
                failure = ReplyDecoding.reason(e);
            }
            return true;
        }

        @Override
        public void onOk() {
            if (failure != null) {
                onFailed(failure);
            } else if (value == null) {
                onFailed(PollErrorReason.UNSUPPORTED);
            } else {
                sink.accept(value);
            }
        }
    }

    private static final class Lines extends PollReply {
        private final Consumer<ByteBuf> feed;
        private final Finisher finisher;
        private boolean first = true;

        Lines(Cycle cycle, String prefix, Consumer<ByteBuf> feed, Finisher finisher) {
            super(cycle, prefix);
            this.feed = feed;
            this.finisher = finisher;
        }

        @Override
        public boolean onPayload(ByteBuf line) {
            if (first) {
                first = false;
                if (belongsElsewhere(line)) {
                    return false;
                }
            }
            feed.accept(line);
            return true;
        }

        @Override
        public void onOk() {
            try {
                finisher.finish();
            } catch (ReplyParseException e) {
                onFailed(ReplyDecoding.reason(e));
            }
        }
    }
}
