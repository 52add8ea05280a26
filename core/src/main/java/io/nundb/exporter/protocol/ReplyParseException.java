package io.nundb.exporter.protocol;

/**
 * A reply that a parser cannot turn into values. {@link #kind()} is {@link Kind#UNSUPPORTED} when the
 * reply lacks its expected prefix (an older or newer server, or a reply to some other command) and
 * {@link Kind#MALFORMED} when the prefix is there but the fields are malformed or missing; the node
 * client maps the kind to its poll error reason. The message names the field or rule, never reply
 * bytes (they may hold user data). Stack traces are not filled in: this is an expected outcome, not a
 * bug.
 *
 * <p>Thread-safety: immutable.
 */
public final class ReplyParseException extends Exception {
    /** Why a reply was rejected. */
    public enum Kind {
        /** The reply does not start with the prefix of the command it answers. */
        UNSUPPORTED,
        /** The reply has its prefix but its fields are malformed or missing. */
        MALFORMED
    }

    private final Kind kind;

    private ReplyParseException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    /** The reply does not start with the prefix of the command it answers. */
    public static ReplyParseException unsupported(String message) {
        return new ReplyParseException(Kind.UNSUPPORTED, message);
    }

    /** The reply has its prefix but its fields are malformed or missing. */
    public static ReplyParseException malformed(String message) {
        return new ReplyParseException(Kind.MALFORMED, message);
    }

    public Kind kind() {
        return kind;
    }
}
