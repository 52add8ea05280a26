package io.nundb.exporter.cli;

/**
 * A configuration error, reported as one line on stderr with exit code 2. The message never contains a
 * secret.
 *
 * <p>Thread-safety: immutable.
 */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message, null, false, false);
    }

    /** What went wrong in {@code e}, never {@code "null"}: its message, else its type's name. */
    static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
