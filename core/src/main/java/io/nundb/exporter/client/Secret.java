package io.nundb.exporter.client;

import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A credential (the admin password, the canary token) read from its source off the event loops and
 * published as a volatile value, so that a connection authenticating on a node's event loop never
 * does file I/O or waits on a lock. The collector reads the source once when it is created (on the
 * caller's thread) and again at every publication tick on its own thread, so a rotated file takes
 * effect within one poll interval.
 *
 * <p>Thread-safety: {@link #refresh()} is called by one thread at a time (the collector's);
 * {@link #get()} is a volatile read, safe and non-blocking from any thread. {@link #toString()} never
 * shows the value.
 */
final class Secret implements Supplier<String> {
    private static final Logger LOG = Logger.getLogger(Secret.class.getName());

    private final String what;
    private final Supplier<String> source;
    private volatile String value;
    private boolean failing;

    /**
     * Reads {@code source} now; a failure here propagates (the exporter cannot start without it).
     *
     * @param what names the secret in log lines
     */
    Secret(String what, Supplier<String> source) {
        this.what = what;
        this.source = source;
        this.value = source.get();
    }

    /** Re-reads the source; on failure keeps the previous value and logs once per failing streak. */
    void refresh() {
        try {
            value = source.get();
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                // The exception names the file, never its content.
                LOG.warning(() -> "cannot re-read the " + what + ", keeping the previous value: "
                        + e.getClass().getSimpleName());
            }
        }
    }

    /** The value as of the last successful read. */
    @Override
    public String get() {
        return value;
    }

    @Override
    public String toString() {
        return "Secret(" + what + ")";
    }
}
