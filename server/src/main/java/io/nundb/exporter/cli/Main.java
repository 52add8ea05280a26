package io.nundb.exporter.cli;

import io.nundb.exporter.http.WebConfigException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The thin {@code main}: parse, configure logging, start collection and the HTTP side, wait for
 * SIGTERM (or SIGINT), reload on SIGHUP. Exit codes: 0 after help, version or a graceful stop; 1 on a
 * runtime failure; 2 on bad configuration, reported as one line on stderr.
 *
 * <p>Thread-safety: runs on the main thread, which also stops what it started; signal handlers only
 * release it (TERM, INT) or reload (HUP).
 */
public final class Main {
    static final int CONFIG_ERROR = 2;
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Parses and runs; blocks until shutdown when it starts the exporter. The env map is injectable for tests. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine cl = ExporterCommand.commandLine();
        ParseResult parsed;
        try {
            parsed = cl.parseArgs(args);
        } catch (ParameterException e) {
            err.println("nundb-exporter: " + ConfigException.reason(e) + " (see --help)");
            return CONFIG_ERROR;
        }
        if (cl.isUsageHelpRequested()) {
            cl.usage(out);
            return 0;
        }
        if (cl.isVersionHelpRequested()) {
            cl.printVersionHelp(out);
            return 0;
        }
        if (parsed.subcommand() != null) {
            CommandLine sub = parsed.subcommand().commandSpec().commandLine();
            if (sub.isUsageHelpRequested()) {
                sub.usage(out);
                return 0;
            }
            if (sub.isVersionHelpRequested()) {
                sub.printVersionHelp(out);
                return 0;
            }
            if (StatusCommand.NAME.equals(sub.getCommandName())) {
                return StatusCommand.run(parsed.subcommand(), env, out, err);
            }
            return ((HealthcheckCommand) sub.getCommand()).run(env, out, err);
        }
        ExporterConfig config;
        try {
            config = ExporterCommand.resolve(parsed, env);
        } catch (ConfigException e) {
            err.println("nundb-exporter: " + e.getMessage());
            return CONFIG_ERROR;
        }
        return serve(config, err);
    }

    /**
     * Starts everything and waits for SIGTERM or SIGINT, then stops gracefully and returns 0; SIGHUP
     * reloads the web config and the secret files meanwhile. The signals are handled (not left to the
     * JVM, whose own SIGTERM exit status is 143), so a graceful stop really exits 0.
     */
    static int serve(ExporterConfig config, PrintStream err) {
        LoggingSetup.configure(config.logLevel(), config.logFormat(), err);
        for (String notice : config.notices()) {
            LOG.info(notice);
        }
        for (String warning : config.warnings()) {
            LOG.warning(warning);
        }
        LOG.log(Level.INFO, "starting", new Object[] {
            "version",
            BuildInfo.version(),
            "mode",
            config.demo() ? "demo" : "live",
            "seeds",
            config.demo() ? "demo" : String.join(",", config.client().seeds()),
            "listen",
            config.endpoint().host() + ":" + config.endpoint().port()
        });
        if (config.demo()) {
            LOG.warning("DEMO MODE: watching an embedded simulated 3-node cluster on loopback, not a real Nun-db");
        }
        RunningCollection collection = Collection.start(config);
        ExporterApp app;
        try {
            app = ExporterApp.start(config, collection.source());
        } catch (WebConfigException e) {
            collection.close();
            err.println("nundb-exporter: " + e.getMessage());
            return CONFIG_ERROR;
        } catch (Exception e) { // Netty rethrows the bind failure unchecked-looking but it may be checked
            collection.close();
            err.println("nundb-exporter: cannot listen on " + config.endpoint().host() + ":"
                    + config.endpoint().port() + ": " + ConfigException.reason(e));
            return CONFIG_ERROR;
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        handle("TERM", stop::countDown);
        handle("INT", stop::countDown);
        // Signal handlers run on a thread of their own, never on an event loop; reload() serializes.
        handle("HUP", app::reload);
        // Any other exit (System.exit elsewhere, a signal that could not be handled) still stops gracefully.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            stop.countDown();
                            try {
                                stopped.await(10, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "nundb-shutdown"));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("shutting down: no new connections, finishing in-flight scrapes");
        app.close();
        collection.close();
        LOG.info("stopped");
        stopped.countDown();
        return 0;
    }

    /**
     * Runs {@code action} on the JVM's signal dispatch thread at each {@code SIG<name>}. {@code
     * sun.misc.Signal} (module {@code jdk.unsupported}) is reached by reflection: javac warns on every use
     * of that API with no way to suppress it, and the build compiles with {@code -Werror}. Under {@code -Xrs},
     * or when the signal was ignored when the JVM started ({@code nohup} ignores HUP), the JVM refuses it: it
     * keeps its action and this logs a warning.
     */
    private static void handle(String name, Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object proxy = Proxy.newProxyInstance(
                    handler.getClassLoader(),
                    new Class<?>[] {handler},
                    (self, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            action.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(self);
                        case "equals" -> self == args[0];
                        default -> "SIG" + name + " handler";
                    });
            signal.getMethod("handle", signal, handler)
                    .invoke(null, signal.getConstructor(String.class).newInstance(name), proxy);
        } catch (InvocationTargetException e) {
            LOG.warning("SIG" + name + " is not handled: " + ConfigException.reason(e.getCause()));
        } catch (ReflectiveOperationException e) {
            LOG.warning("SIG" + name + " is not handled: " + ConfigException.reason(e));
        }
    }
}
