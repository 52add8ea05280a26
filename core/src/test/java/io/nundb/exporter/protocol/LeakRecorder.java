package io.nundb.exporter.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records every {@code LEAK:} report of Netty's {@link ResourceLeakDetector} (logged through JUL, as no
 * other logging backend is on the test class path) so a test can fail on it. {@link #collect()} runs
 * the garbage collector and allocates, which is when the detector reports leaked buffers.
 *
 * <p>Thread-safety: safe for use from any thread (the detector reports on allocating threads).
 */
public final class LeakRecorder implements AutoCloseable {
    private static final Logger DETECTOR_LOG = Logger.getLogger(ResourceLeakDetector.class.getName());

    private final List<String> leaks = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            String m = r.getMessage();
            if (m != null && m.contains("LEAK:")) {
                leaks.add(m.length() > 2000 ? m.substring(0, 2000) : m);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final Level previousLevel;

    private LeakRecorder() {
        previousLevel = DETECTOR_LOG.getLevel();
        if (previousLevel != null && previousLevel.intValue() > Level.SEVERE.intValue()) {
            DETECTOR_LOG.setLevel(Level.SEVERE);
        }
        DETECTOR_LOG.addHandler(handler);
    }

    /** Starts recording. */
    public static LeakRecorder start() {
        return new LeakRecorder();
    }

    /** Runs GC a few times and allocates so that pending leak reports are emitted; returns the leaks. */
    public List<String> collect() {
        ByteBufAllocator[] allocators = {
            PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT, ByteBufAllocator.DEFAULT
        };
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (ByteBufAllocator a : allocators) {
                for (int i = 0; i < 64; i++) {
                    ByteBuf h = a.heapBuffer(8);
                    ByteBuf d = a.directBuffer(8);
                    h.release();
                    d.release();
                }
            }
        }
        return List.copyOf(leaks);
    }

    /** The current level of leak detection, for reports. */
    public static String level() {
        return ResourceLeakDetector.getLevel().name();
    }

    @Override
    public void close() {
        DETECTOR_LOG.removeHandler(handler);
        DETECTOR_LOG.setLevel(previousLevel);
    }
}
