package io.nundb.exporter.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Holds the current {@link WebConfig} and re-reads the file when it, or a file it names (certificate,
 * key, client CA), changes: a poll of modification times and sizes every poll interval; a change is
 * loaded once it has been stable for one poll interval (so a file caught mid-write is not). A reload swaps
 * one immutable reference; new connections use the new TLS context, every request the new users and
 * headers. A file that does not load keeps the previous configuration and logs one error per broken
 * version.
 *
 * <p>Thread-safety: {@link #get()} may be called from any thread (a volatile read); reloads run on the
 * watcher's own daemon thread.
 */
public final class WebConfigWatcher implements Supplier<WebConfig>, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebConfigWatcher.class.getName());

    private final Path file;
    private final ScheduledExecutorService executor;
    private volatile WebConfig current;
    private volatile long reloads;
    // Watcher thread only.
    private List<Stamp> stamps;
    private List<Stamp> failedStamps;
    private List<Stamp> settling;

    private WebConfigWatcher(Path file, WebConfig initial, ScheduledExecutorService executor) {
        this.file = file;
        this.current = initial;
        this.executor = executor;
        this.stamps = stamp(initial.watchedFiles());
    }

    /** A watcher that never changes: {@link WebConfig#NONE} or a fixed configuration. */
    public static WebConfigWatcher fixed(WebConfig config) {
        return new WebConfigWatcher(null, config, null);
    }

    /**
     * Loads {@code file} (a broken file fails here, at startup) and starts polling it.
     *
     * @throws WebConfigException if the file does not load
     */
    public static WebConfigWatcher start(Path file, Duration pollInterval) throws WebConfigException {
        Objects.requireNonNull(file, "file");
        WebConfig initial = WebConfig.load(file);
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nundb-web-config");
            t.setDaemon(true);
            return t;
        });
        WebConfigWatcher w = new WebConfigWatcher(file, initial, executor);
        long every = Math.max(1, pollInterval.toMillis());
        executor.scheduleWithFixedDelay(w::poll, every, every, TimeUnit.MILLISECONDS);
        LOG.info("web config loaded from " + file + ": " + initial);
        return w;
    }

    @Override
    public WebConfig get() {
        return current;
    }

    /** Number of successful reloads since start. */
    public long reloads() {
        return reloads;
    }

    /**
     * Loads the file now without using it (the first half of a SIGHUP reload); a fixed watcher returns its
     * configuration. Runs on the caller's thread.
     *
     * @throws WebConfigException if the file does not load
     */
    public WebConfig load() throws WebConfigException {
        return file == null ? current : WebConfig.load(file);
    }

    /**
     * Uses {@code next} from now on (the second half of a SIGHUP reload): the swap and the new
     * modification stamps are made on the watcher's thread, and this waits for them.
     */
    public void use(WebConfig next) {
        Objects.requireNonNull(next, "next");
        if (executor == null) {
            return;
        }
        try {
            executor.submit(() -> {
                        current = next;
                        stamps = stamp(next.watchedFiles());
                        failedStamps = null;
                        settling = null;
                        LOG.info("web config reloaded from " + file + ": " + next);
                    })
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("web config swap failed", e.getCause());
        }
    }

    private void poll() {
        try {
            List<Path> files = new ArrayList<>(current.watchedFiles());
            if (files.isEmpty()) {
                files.add(file);
            }
            List<Stamp> now = stamp(files);
            if (now.equals(stamps) || now.equals(failedStamps)) {
                settling = null;
                return;
            }
            if (!now.equals(settling)) {
                // Changed since the last poll: maybe mid-write (a truncated file is valid YAML and would
                // drop auth); load once it has been stable for a whole poll interval.
                settling = now;
                return;
            }
            settling = null;
            WebConfig next;
            try {
                next = WebConfig.load(file);
            } catch (WebConfigException e) {
                failedStamps = now;
                LOG.log(Level.SEVERE, "web config reload failed, keeping the previous one: " + e.getMessage());
                return;
            }
            current = next;
            reloads++;
            stamps = stamp(next.watchedFiles());
            failedStamps = null;
            LOG.info("web config reloaded from " + file + ": " + next);
        } catch (RuntimeException e) { // never cancel the schedule
            LOG.log(Level.SEVERE, "web config poll failed: " + e);
        }
    }

    private static List<Stamp> stamp(List<Path> files) {
        List<Stamp> out = new ArrayList<>(files.size());
        for (Path p : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                out.add(new Stamp(p, a.lastModifiedTime().toMillis(), a.size()));
            } catch (IOException e) {
                out.add(new Stamp(p, -1, -1));
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    private record Stamp(Path path, long modifiedMillis, long size) {}
}
