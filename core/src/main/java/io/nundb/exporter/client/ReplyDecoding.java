package io.nundb.exporter.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.ClusterStateParser;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.MetricsState;
import io.nundb.exporter.protocol.MetricsStateParser;
import io.nundb.exporter.protocol.NunDbDecoderConfig;
import io.nundb.exporter.protocol.NunDbReplyDecoder;
import io.nundb.exporter.protocol.NunDbRequestEncoder;
import io.nundb.exporter.protocol.ReplyParseException;
import io.nundb.exporter.transport.Transport;

/**
 * The node client's bridge to the protocol package: pipeline handlers built from the client
 * configuration, and the checks that decide whether a payload line can belong to the request at the
 * head of the queue. The poll connection watches nothing, so its decoder does not look for pushes:
 * a database named {@code changed} in {@code debug list-dbs} stays a payload line.
 *
 * <p>Thread-safety: stateless.
 */
final class ReplyDecoding {
    /**
     * First words of every payload a monitoring command can get. A first payload line that starts with
     * one of these but not with the expected one is a reply to another request: the connection has lost
     * track and is reset.
     */
    private static final String[] KNOWN_PREFIXES = {
        "metrics-state ", "cluster-state ", "pending-ops ", "process-info ", "dbs-list ", "valid auth",
        "invalid auth", "value ", "value-version ", "keys ", "create-db success", "commands-list ",
        "conflitcts-list "
    };

    private ReplyDecoding() {}

    /** A reply decoder with the configured line limits; {@code pushes} only on a connection that watches. */
    static ChannelHandler newDecoder(ClientConfig config, boolean pushes) {
        return new NunDbReplyDecoder(
                new NunDbDecoderConfig(config.maxLineBytes(), config.maxClusterStateLineBytes(), pushes));
    }

    /**
     * Dials TCP from the node's loop: TCP_NODELAY (each request is one whole line), SO_KEEPALIVE (Nun-db
     * sets no keep-alive of its own, spec §6) and the configured connect timeout.
     */
    static NodeConnection.Dialer tcp(EventLoop loop, Transport transport, ClientConfig config) {
        return (address, initializer) -> new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, Boolean.TRUE)
                .option(ChannelOption.SO_KEEPALIVE, Boolean.TRUE)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .handler(initializer)
                .connect(address.host(), address.port());
    }

    static ChannelHandler newEncoder() {
        return NunDbRequestEncoder.INSTANCE;
    }

    /** The poll error a rejected reply counts as: {@code unsupported} without its prefix, else {@code protocol}. */
    static PollErrorReason reason(ReplyParseException e) {
        return switch (e.kind()) {
            case UNSUPPORTED -> PollErrorReason.UNSUPPORTED;
            case MALFORMED -> PollErrorReason.PROTOCOL;
        };
    }

    /** Whether {@code line} is the first line of a reply to some command other than {@code expected}. */
    static boolean belongsElsewhere(ByteBuf line, String expected) {
        if (startsWith(line, expected)) {
            return false;
        }
        for (String prefix : KNOWN_PREFIXES) {
            if (startsWith(line, prefix)) {
                return true;
            }
        }
        return false;
    }

    static boolean startsWith(ByteBuf line, String prefix) {
        int n = prefix.length();
        if (line.readableBytes() < n) {
            return false;
        }
        int base = line.readerIndex();
        for (int i = 0; i < n; i++) {
            if (line.getByte(base + i) != (byte) prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static MetricsState metricsState(ByteBuf line) throws ReplyParseException {
        return MetricsStateParser.parse(line);
    }

    static ClusterView clusterState(ByteBuf line) throws ReplyParseException {
        return ClusterStateParser.parse(line);
    }
}
