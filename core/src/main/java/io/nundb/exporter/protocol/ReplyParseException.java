package io.nundb.exporter.protocol;

import io.nundb.exporter.model.PollErrorReason;

/**
 * A reply that a parser cannot turn into values. {@link #reason()} is {@link
 * PollErrorReason#UNSUPPORTED} when the reply lacks its expected prefix (an older or newer server, or
 * a reply to some other command) and {@link PollErrorReason#PROTOCOL} when the prefix is there but
 * the fields are malformed or missing. The message names the field or rule, never reply bytes (they
 * may hold user data). Stack traces are not filled in: this is an expected outcome, not a bug.
 *
 * <p>Thread-safety: immutable.
 */
public final class ReplyParseException extends Exception {
    private final PollErrorReason reason;

    private ReplyParseException(PollErrorReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    /** The reply does not start with the prefix of the command it answers. */
    public static ReplyParseException unsupported(String message) {
        return new ReplyParseException(PollErrorReason.UNSUPPORTED, message);
    }

    /** The reply has its prefix but its fields are malformed or missing. */
    public static ReplyParseException malformed(String message) {
        return new ReplyParseException(PollErrorReason.PROTOCOL, message);
    }

    /** {@link PollErrorReason#UNSUPPORTED} or {@link PollErrorReason#PROTOCOL}. */
    public PollErrorReason reason() {
        return reason;
    }
}
