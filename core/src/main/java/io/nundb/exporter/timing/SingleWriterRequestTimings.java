package io.nundb.exporter.timing;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.nundb.exporter.protocol.NunDbCommand;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The request timings of one Nun-db node: a {@link SingleWriterTiming} per timed command, owned by the
 * node (not the connection, so a reconnect keeps them) and written only on the node's event loop.
 *
 * <p>Series exist for {@link RequestTimingConfig#timedCommands()} only, allocated up front; samples of
 * other commands are dropped ({@link #record} returns {@code false}). With the defaults (five commands,
 * 11 bounds, 176 native buckets, 60 s window, 256-sample log) the node's accumulators take about 62.3 KB,
 * within the 64 KB budget ({@link #footprintBytes()}).
 *
 * <pre>{@code
 * // on the node's event loop, when a lock-step poll's status line arrives:
 * long now = clock.getAsLong();
 * timings.record(NunDbCommand.METRICS_STATE, now - writtenAtNanos, now);
 * // from the publisher, once per render:
 * timings.snapshotAsync().addListener(f -> ...);
 * }</pre>
 *
 * <p>Thread-safety: single writer. {@link #record} and {@link #snapshot} must run on {@code owner}
 * (checked with {@code assert owner.inEventLoop()}); other threads call {@link #snapshotAsync}, which hands
 * off to {@code owner}. Recording allocates nothing and takes no lock.
 */
public final class SingleWriterRequestTimings {
    private static final NunDbCommand[] COMMANDS = NunDbCommand.values();

    private final EventExecutor owner;
    private final SingleWriterTiming[] byCommand = new SingleWriterTiming[COMMANDS.length];

    /**
     * Accumulators for {@code config.timedCommands()}, owned by {@code owner} (the node's event loop), with
     * a monotonic {@code nanoClock} ({@code System::nanoTime} in production).
     */
    public SingleWriterRequestTimings(RequestTimingConfig config, EventExecutor owner, LongSupplier nanoClock) {
        Objects.requireNonNull(config, "config");
        this.owner = Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(nanoClock, "nanoClock");
        for (NunDbCommand c : config.timedCommands()) {
            byCommand[c.ordinal()] = new SingleWriterTiming(config, nanoClock);
        }
    }

    /**
     * Records one request duration of {@code command}. Allocation-free, lock-free; on the owner only.
     *
     * @return whether {@code command} is timed (untimed samples are dropped)
     */
    public boolean record(NunDbCommand command, long durationNanos) {
        assert owner.inEventLoop() : "record off the owning event loop";
        SingleWriterTiming t = byCommand[command.ordinal()];
        if (t == null) {
            return false;
        }
        t.record(durationNanos);
        return true;
    }

    /**
     * As {@link #record(NunDbCommand, long)}, for a request that ended at {@code nowNanos} on the injected
     * clock: saves a clock read when the caller has just taken one to compute the duration.
     */
    public boolean record(NunDbCommand command, long durationNanos, long nowNanos) {
        assert owner.inEventLoop() : "record off the owning event loop";
        SingleWriterTiming t = byCommand[command.ordinal()];
        if (t == null) {
            return false;
        }
        t.record(durationNanos, nowNanos);
        return true;
    }

    /**
     * A snapshot of every timed command that has at least one sample, in command order. On the owner only;
     * allocates.
     */
    public Map<NunDbCommand, RequestTimingSnapshot> snapshot() {
        assert owner.inEventLoop() : "snapshot off the owning event loop";
        EnumMap<NunDbCommand, RequestTimingSnapshot> out = new EnumMap<>(NunDbCommand.class);
        for (int i = 0; i < byCommand.length; i++) {
            SingleWriterTiming t = byCommand[i];
            if (t != null && t.count() > 0) {
                out.put(COMMANDS[i], t.snapshot());
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * {@link #snapshot()} from any thread: runs it on the owner (directly when already there) and completes
     * the returned future with the result.
     */
    public Future<Map<NunDbCommand, RequestTimingSnapshot>> snapshotAsync() {
        if (owner.inEventLoop()) {
            return owner.newSucceededFuture(snapshot());
        }
        return owner.submit(this::snapshot);
    }

    /** Retained bytes of all accumulators of this node (estimate, 64-bit JVM with compressed oops). */
    public long footprintBytes() {
        long total = 32 + 16 + 4L * byCommand.length;
        for (SingleWriterTiming t : byCommand) {
            if (t != null) {
                total += t.footprintBytes();
            }
        }
        return total;
    }
}
