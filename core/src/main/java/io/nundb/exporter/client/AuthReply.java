package io.nundb.exporter.client;

import io.netty.buffer.ByteBuf;
import io.nundb.exporter.model.PollErrorReason;

/**
 * The reply to {@code auth}, the last step of a {@link NodeConnection}'s handshake: {@code valid auth}
 * then {@code ok} makes the connection ready; {@code invalid auth}, an {@code error} or any other end
 * resets it as {@code AUTH}, except a missed deadline ({@code TIMEOUT}). Only the connection sends it,
 * while authenticating, so a reset always ends a live connection.
 *
 * <p>Thread-safety: confined to the connection's event loop; one instance per handshake.
 */
final class AuthReply implements NodeConnection.Reply {
    private final NodeConnection connection;
    private boolean valid;

    AuthReply(NodeConnection connection) {
        this.connection = connection;
    }

    @Override
    public boolean onPayload(ByteBuf line) {
        if (ReplyDecoding.startsWith(line, "valid auth")) {
            valid = true;
            return true;
        }
        return ReplyDecoding.startsWith(line, "invalid auth");
    }

    @Override
    public void onOk() {
        if (valid) {
            connection.authenticated();
        } else {
            connection.reset(PollErrorReason.AUTH);
        }
    }

    @Override
    public void onError(String message) {
        connection.reset(PollErrorReason.AUTH);
    }

    @Override
    public void onFailed(PollErrorReason reason) {
        connection.reset(reason == PollErrorReason.TIMEOUT ? PollErrorReason.TIMEOUT : PollErrorReason.AUTH);
    }
}
