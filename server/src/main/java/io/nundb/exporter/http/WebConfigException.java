package io.nundb.exporter.http;

/**
 * A web configuration file that cannot be used; the message names the file and the problem, never a
 * secret.
 *
 * <p>Thread-safety: immutable after construction.
 */
public final class WebConfigException extends Exception {
    public WebConfigException(String message) {
        super(message);
    }

    public WebConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
