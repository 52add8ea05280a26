package io.nundb.exporter.cli;

import io.nundb.exporter.http.WebConfigException;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The thin {@code main}: parse, configure logging, start collection and the HTTP side, wait for
 * SIGTERM. Exit codes: 0 after help, version or a clean shutdown; 1 on a runtime failure; 2 on bad
 * configuration, reported as one line on stderr.
 *
 * <p>Thread-safety: runs on the main thread; the shutdown hook closes what main started.
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
        ExporterCommand command = new ExporterCommand();
        CommandLine cl = new CommandLine(command);
        ParseResult parsed;
        try {
            parsed = cl.parseArgs(args);
        } catch (ParameterException e) {
            err.println("nundb-exporter: " + e.getMessage() + " (see --help)");
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
            return ((HealthcheckCommand) sub.getCommand()).run(env, out, err);
        }
        ExporterConfig config;
        try {
            config = command.resolve(env);
        } catch (ConfigException e) {
            err.println("nundb-exporter: " + e.getMessage());
            return CONFIG_ERROR;
        }
        return serve(config, err);
    }

    /** Starts everything and waits for SIGTERM/SIGINT. */
    static int serve(ExporterConfig config, PrintStream err) {
        LoggingSetup.configure(config.logLevel(), config.logFormat(), err);
        for (String notice : config.notices()) {
            LOG.info(notice);
        }
        LOG.log(Level.INFO, "starting", new Object[] {
            "version",
            BuildInfo.version(),
            "mode",
            config.demo() ? "demo" : "live",
            "seeds",
            String.join(",", config.addresses()),
            "listen",
            config.listenHost() + ":" + config.listenPort()
        });
        if (config.demo()) {
            LOG.warning("DEMO MODE: watching an embedded simulated 3-node cluster on loopback, not a real Nun-db");
        }
        RunningCollection collection;
        try {
            collection = startCollection(config);
        } catch (UnsupportedOperationException e) {
            err.println("nundb-exporter: " + e.getMessage());
            return 1;
        }
        ExporterApp app;
        try {
            app = ExporterApp.start(config, collection.source());
        } catch (WebConfigException e) {
            collection.close();
            err.println("nundb-exporter: " + e.getMessage());
            return CONFIG_ERROR;
        } catch (Exception e) { // Netty rethrows the bind failure unchecked-looking but it may be checked
            collection.close();
            err.println("nundb-exporter: cannot listen on " + config.listenHost() + ":" + config.listenPort() + ": "
                    + e.getMessage());
            return CONFIG_ERROR;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            LOG.info("shutting down: no new connections, finishing in-flight scrapes");
                            app.close();
                            collection.close();
                            stopped.countDown();
                        },
                        "nundb-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * WIRING POINT for the lead: start the node collector (live mode: {@code config.addresses()},
     * {@code addressMap()}, {@code user()}, {@code password()}, timeouts, {@code maxInFlight()},
     * {@code memberRetention()}, {@code expectedMembers()}, canary and pending settings) or, with
     * {@code config.demo()}, the embedded simulated cluster plus a collector pointed at it, and return
     * it as the snapshot source. Until the collector is merged this refuses to start.
     */
    static RunningCollection startCollection(ExporterConfig config) {
        return Collection.start(config);
    }
}
