package io.nundb.exporter.client;

import io.nundb.exporter.model.RequestTimingSnapshot;
import io.nundb.exporter.protocol.NunDbCommand;
import java.util.Map;

/**
 * Where a node's lock-step request timings go. Both methods are called on the node's event loop only,
 * so implementations need no locks; {@link #record} must not allocate.
 *
 * <p>Thread-safety: confined to one node's event loop.
 */
public interface TimingRecorder {
    /** Records one sample: the time from writing the request line to reading its status line. */
    void record(NunDbCommand command, long nanos);

    /** The cumulative state, copied; never resets anything. */
    Map<NunDbCommand, RequestTimingSnapshot> snapshot();

    /** Records nothing. */
    TimingRecorder NONE = new TimingRecorder() {
        @Override
        public void record(NunDbCommand command, long nanos) {}

        @Override
        public Map<NunDbCommand, RequestTimingSnapshot> snapshot() {
            return Map.of();
        }
    };
}
