package io.nundb.exporter.client;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The collector's record of a throwable that escaped one of its scheduled tasks (a node's poll tick, a
 * connection's deadline or reconnect, the collector's publication). Such a task does not run again (an
 * executor drops a periodic task that throws, and Netty fails the task's future without logging), so a
 * node would silently freeze at its last snapshot. Instead the first such failure is logged and kept,
 * and {@link ClusterCollector#failure()} reports it so that {@code /-/healthy} answers 503 and the
 * orchestrator restarts the process. Nothing is swallowed: the throwable is rethrown after it is
 * recorded.
 *
 * <p>Thread-safety: {@link #record} and {@link #first()} are safe from any thread.
 */
final class TaskFailures {
    private static final Logger LOG = Logger.getLogger(TaskFailures.class.getName());

    private volatile Throwable first;

    /** {@code task} wrapped so that a throwable escaping it is recorded, then rethrown. */
    Runnable guard(String name, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                record(name, e);
                throw e;
            }
        };
    }

    /** Logs {@code cause} and keeps it if it is the first. */
    void record(String task, Throwable cause) {
        LOG.log(Level.SEVERE, "collector task '" + task + "' failed and will not run again", cause);
        synchronized (this) {
            if (first == null) {
                first = cause;
            }
        }
    }

    /** The first recorded failure, or {@code null}. */
    Throwable first() {
        return first;
    }
}
