package io.nundb.exporter.timing;

import org.HdrHistogram.IntCountsHistogram;

/**
 * Quantiles of the samples seen in a sliding window (default 60 s), from an {@link IntCountsHistogram}
 * in microseconds with 2 significant digits.
 *
 * <p>Why not a ring of sub-interval histograms: one such histogram covering 1 µs to 10 s takes 9.7 KB
 * ({@code getEstimatedFootprintInBytes}), so six per command for five commands would be 290 KB, far over
 * the 64 KB per-node budget. Instead one histogram per command holds the window, and an expiry log (a ring
 * of the raw samples, {@code windowCapacity} ints, plus a count per sub-interval) says which samples are in
 * it. Samples leave a whole sub-interval at a time: a sample older than the window is never counted; one
 * younger than {@code window - window / subIntervals} always is (unless more than {@code windowCapacity}
 * samples are newer). When samples leave, the histogram is rebuilt from the log on the next read (about
 * once per sub-interval at one read a second: {@code windowCapacity} records of ~5 ns), or on the record
 * path once the histogram holds more than twice the log, which bounds its counts.
 *
 * <p>Samples above the histogram's range (the largest bucket bound) are clamped to it; the classic
 * buckets and the exact sum still see them.
 *
 * <p>Recording and reading allocate nothing and take no lock.
 *
 * <p>Thread-safety: single writer. {@link #record}, {@link #refresh} and the readers run on the owning
 * thread (the node's event loop).
 */
public final class WindowedQuantiles {
    private static final int SIGNIFICANT_DIGITS = 2;

    private final IntCountsHistogram histogram;
    private final long highestTrackableMicros;
    private final long subIntervalNanos;
    private final int subIntervals;
    private final int[] values;
    private final int[] subIntervalCounts;
    private int head;
    private int size;
    private long oldestId;
    private long newestId;
    /** True while the histogram holds samples that have left the log. */
    private boolean dirty;

    /** A window as configured; its histogram spans 1 µs to the largest finite bucket bound. */
    public WindowedQuantiles(RequestTimingConfig config) {
        double[] bounds = config.bucketUpperBoundsSeconds();
        this.highestTrackableMicros = Math.max(2, (long) Math.ceil(bounds[bounds.length - 1] * 1e6));
        this.histogram = new IntCountsHistogram(1, highestTrackableMicros, SIGNIFICANT_DIGITS);
        this.subIntervals = config.windowSubIntervals();
        this.subIntervalNanos = config.windowNanos() / subIntervals;
        this.values = new int[config.windowCapacity()];
        this.subIntervalCounts = new int[subIntervals];
    }

    /** Records one duration observed at {@code nowNanos} (monotonic clock). Allocation-free. */
    public void record(long durationNanos, long nowNanos) {
        advance(nowNanos);
        if (size == values.length) {
            dropOldest();
        }
        int micros = (int) Math.min(Math.max(0, durationNanos / 1000), highestTrackableMicros);
        values[index(size)] = micros;
        size++;
        subIntervalCounts[slot(newestId)]++;
        histogram.recordValue(micros);
        if (dirty && histogram.getTotalCount() > 2L * values.length) {
            rebuild();
        }
    }

    /** Drops the samples that have left the window at {@code nowNanos}; call before reading. */
    public void refresh(long nowNanos) {
        advance(nowNanos);
        if (dirty) {
            rebuild();
        }
    }

    /** Samples in the window as of the last {@link #refresh} or {@link #record}. */
    public int size() {
        return size;
    }

    /**
     * The value at {@code percentile} (0-100) in seconds as of the last {@link #refresh}, within 2
     * significant digits (HdrHistogram's highest equivalent value); {@code NaN} when the window is empty.
     */
    public double valueAtPercentileSeconds(double percentile) {
        return size == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1e6;
    }

    /** The largest sample in seconds as of the last {@link #refresh}; {@code NaN} when empty. */
    public double maxSeconds() {
        return size == 0 ? Double.NaN : histogram.getMaxValue() / 1e6;
    }

    /** Retained bytes: the histogram's estimate plus the expiry log and this object. */
    public long footprintBytes() {
        return histogram.getEstimatedFootprintInBytes() + 16 + 4L * values.length + 16 + 4L * subIntervals + 64;
    }

    private void advance(long nowNanos) {
        long now = Math.floorDiv(nowNanos, subIntervalNanos);
        if (size == 0) {
            oldestId = now;
            newestId = now;
            return;
        }
        if (now <= newestId) {
            // Same sub-interval (or a clock that stepped back): nothing leaves.
            return;
        }
        long firstKept = now - subIntervals + 1;
        // At most subIntervals iterations: the log only spans ids oldestId..newestId.
        while (size > 0 && oldestId < firstKept) {
            int slot = slot(oldestId);
            int n = subIntervalCounts[slot];
            if (n > 0) {
                head = index(n);
                size -= n;
                subIntervalCounts[slot] = 0;
                dirty = true;
            }
            oldestId++;
        }
        newestId = now;
        if (size == 0) {
            oldestId = now;
        }
    }

    private void dropOldest() {
        while (subIntervalCounts[slot(oldestId)] == 0) {
            oldestId++;
        }
        subIntervalCounts[slot(oldestId)]--;
        head = index(1);
        size--;
        dirty = true;
    }

    private void rebuild() {
        histogram.reset();
        for (int i = 0; i < size; i++) {
            histogram.recordValue(values[index(i)]);
        }
        dirty = false;
    }

    private int index(int offsetFromHead) {
        int i = head + offsetFromHead;
        return i >= values.length ? i - values.length : i;
    }

    private int slot(long id) {
        return Math.floorMod(id, subIntervals);
    }
}
