package io.nundb.exporter.client;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * When a {@link NodeConnection} redials after losing its connection. A node that refused the connect or
 * closed it is redialled at least once per poll interval, so that a restarted node is polled within one
 * poll interval of listening again (the real server listened 0.1-0.2 s after a restart, spec Appendix C,
 * while a plain exponential backoff had grown to several seconds). Such a redial costs the node a refused
 * SYN or an accept and close; it follows its own {@link Backoff} from {@code min(backoff initial, poll
 * interval)} doubling up to the poll interval, so it is never sooner than 80 % of that first delay (the
 * jitter). A node that accepted the connection and then failed it (no greeting in time, invalid auth, a
 * protocol error, a hang) costs more and will likely fail again: those follow the configured backoff
 * ({@link ClientConfig#backoffInitial()} doubling up to {@link ClientConfig#backoffMax()}). Both carry
 * jitter and are reset by each successful handshake.
 *
 * <p>Thread-safety: not thread-safe; confined to the connection's event loop. Does not allocate.
 */
final class ReconnectSchedule {
    /** Jitter of the reconnect backoff: nodes that failed together do not redial together. */
    static final double BACKOFF_JITTER = 0.2;

    /** After a failure once the node accepted the connection: greeting timeout, auth, protocol, hang. */
    private final Backoff backoff;
    /** After a refused or timed-out connect or a close by the node: capped at the poll interval. */
    private final Backoff redial;

    /** @param random uniform values in {@code [0, 1)} for the jitter */
    ReconnectSchedule(ClientConfig config, DoubleSupplier random) {
        this.backoff = new Backoff(config.backoffInitial(), config.backoffMax(), BACKOFF_JITTER, random);
        Duration poll = config.pollInterval();
        Duration redialInitial = config.backoffInitial().compareTo(poll) < 0 ? config.backoffInitial() : poll;
        this.redial = new Backoff(redialInitial, poll, BACKOFF_JITTER, random);
    }

    /**
     * The delay before the next dial, in nanoseconds, counting one more failure: on the redial schedule
     * when {@code cheap} (the connect failed or the node closed the connection), else on the backoff.
     */
    long nextDelayNanos(boolean cheap) {
        return cheap ? redial.nextDelayNanos() : backoff.nextDelayNanos();
    }

    /** A handshake succeeded: both schedules start over. */
    void reset() {
        backoff.reset();
        redial.reset();
    }
}
