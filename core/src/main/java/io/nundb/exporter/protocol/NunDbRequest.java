package io.nundb.exporter.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One request line: a {@link NunDbCommand} and its arguments. Arguments are validated at
 * construction: no argument may contain {@code \n} or {@code \r} (the server would split or keep them,
 * spec §1.2), and every argument but a trailing value or password must be one token without spaces. The
 * encoded line (command, arguments, {@code \n}) must fit in {@link #MAX_LINE_BYTES} so that it is
 * written in one TCP segment: the real server loses the first part of a line split across segments
 * (spec §1.3).
 *
 * <p>{@link #toString()} never shows arguments of commands that carry a secret.
 *
 * <p>Thread-safety: immutable.
 */
public final class NunDbRequest {
    /** One TCP segment on a typical network, minus headers (spec §1.3). */
    public static final int MAX_LINE_BYTES = 1400;

    private final NunDbCommand command;
    private final byte[] line;

    private NunDbRequest(NunDbCommand command, byte[] line) {
        this.command = command;
        this.line = line;
    }

    /**
     * Builds a request. The last argument of {@code auth} and {@code set} may contain spaces (the
     * server takes the rest of the line); every other argument must be a single token.
     *
     * @throws IllegalArgumentException if the arity is wrong, an argument is invalid, or the line is
     *     longer than {@link #MAX_LINE_BYTES}
     */
    public static NunDbRequest of(NunDbCommand command, String... args) {
        Objects.requireNonNull(command, "command");
        if (args.length != command.arity()) {
            throw new IllegalArgumentException(
                    command.wire() + " takes " + command.arity() + " arguments, got " + args.length);
        }
        StringBuilder sb = new StringBuilder(command.wire());
        for (int i = 0; i < args.length; i++) {
            String arg = Objects.requireNonNull(args[i], "argument");
            boolean rest = i == args.length - 1 && (command == NunDbCommand.AUTH || command == NunDbCommand.SET);
            validate(command, arg, rest);
            sb.append(' ').append(arg);
        }
        sb.append('\n');
        byte[] line = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (line.length > MAX_LINE_BYTES) {
            throw new IllegalArgumentException(
                    command.wire() + " line is " + line.length + " bytes, limit " + MAX_LINE_BYTES);
        }
        return new NunDbRequest(command, line);
    }

    private static void validate(NunDbCommand command, String arg, boolean restOfLine) {
        if (arg.isEmpty()) {
            throw new IllegalArgumentException(command.wire() + ": empty argument");
        }
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '\n' || c == '\r') {
                throw new IllegalArgumentException(command.wire() + ": argument contains a line break");
            }
            if (c == ' ' && !restOfLine) {
                throw new IllegalArgumentException(command.wire() + ": argument contains a space");
            }
        }
        if (!restOfLine && arg.endsWith(";")) {
            // The server strips trailing ';' (spec §1.2), which would change the argument.
            throw new IllegalArgumentException(command.wire() + ": argument ends with ';'");
        }
        if (restOfLine && arg.endsWith(";")) {
            throw new IllegalArgumentException(command.wire() + ": value ends with ';'");
        }
    }

    /** A request without arguments. */
    public static NunDbRequest of(NunDbCommand command) {
        return of(command, new String[0]);
    }

    public NunDbCommand command() {
        return command;
    }

    /** The encoded line including its {@code \n}. Callers must not modify the array. */
    byte[] lineBytes() {
        return line;
    }

    /** Writes the encoded line, {@code \n} included, at the writer index of {@code out}. */
    public void writeTo(ByteBuf out) {
        out.writeBytes(line);
    }

    /** Encoded length in bytes, {@code \n} included. */
    public int length() {
        return line.length;
    }

    @Override
    public String toString() {
        if (command.carriesSecret() || command == NunDbCommand.SET) {
            return command.wire() + " <redacted>";
        }
        return new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
    }
}
