package io.nundb.exporter.cli;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.io.PrintStream;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Routes java.util.logging (and Netty's internal logger, through JUL) to stderr with a
 * {@link LogFormatter}, at the configured level.
 *
 * <p>Thread-safety: {@link #configure} is called once by the main thread before anything logs.
 */
public final class LoggingSetup {
    private LoggingSetup() {}

    /** Maps error|warn|info|debug|trace to a JUL level. */
    static Level level(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "error":
                return Level.SEVERE;
            case "warn":
                return Level.WARNING;
            case "debug":
                return Level.FINE;
            case "trace":
                return Level.FINEST;
            default:
                return Level.INFO;
        }
    }

    public static void configure(String level, String format, PrintStream err) {
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Level l = level(level);
        root.setLevel(l);
        Handler h = new LineHandler(err);
        h.setFormatter(new LogFormatter(format.equals("json")));
        h.setLevel(l);
        root.addHandler(h);
    }

    /** Writes each formatted record and flushes, so lines are never lost at exit. */
    private static final class LineHandler extends Handler {
        private final PrintStream out;

        LineHandler(PrintStream out) {
            this.out = out;
        }

        @Override
        public synchronized void publish(LogRecord record) {
            if (isLoggable(record)) {
                out.print(getFormatter().format(record));
                out.flush();
            }
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.flush();
        }
    }
}
