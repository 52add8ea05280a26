package io.nundb.exporter.client;

/**
 * The clocks the collector reads: a monotonic clock for durations and deadlines, and the wall clock
 * for the timestamps it exports. Injected so that tests can control time.
 *
 * <p>Thread-safety: implementations must be safe to call from any thread.
 */
public interface TimeSource {
    /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch, as {@link System#currentTimeMillis()}. */
    long currentTimeMillis();

    /** The system clocks. */
    TimeSource SYSTEM = new TimeSource() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }
    };
}
