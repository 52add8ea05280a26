package io.nundb.exporter.cli;

import io.nundb.exporter.client.ClientConfig;
import io.nundb.exporter.client.ClusterCollector;
import io.nundb.exporter.client.TimeSource;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.ClusterStatus;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.ViewMember;
import io.nundb.exporter.timing.RequestTimingConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code nundb-exporter status}: for the engineer who is paged. Connects to the cluster with the
 * exporter's own flags (the same option table, {@link Flags}), polls every node once (the exporter's
 * poll cycle, never a canary write), prints one row per node like {@code patronictl list} (node, role,
 * up, reason, the primary's pending entries for it waiting / orphaned, whether its view agrees) or the
 * same as JSON with {@code --output json}, and exits 0 when every node is up and the views agree, 1
 * otherwise, 2 on bad configuration.
 *
 * <p>Bounded: it gives up at {@code --timeout} (default: connect timeout plus four request timeouts);
 * a node not polled by then (a process that hangs) is reported down with reason {@code timeout}.
 *
 * <p>Complete means: every known node was attempted, every member named in an up node's view is known
 * (discovery finished), and the primary's pending entries were fetched after every member's process
 * start was known, so that an entry older than its member's process counts as orphaned, not waiting.
 *
 * <p>Thread-safety: used by the main thread only; the collector runs on its own threads meanwhile.
 */
final class StatusCommand {
    static final String NAME = "status";
    static final int HEALTHY = 0;
    static final int UNHEALTHY = 1;
    private static final String OUTPUT = "--output";
    private static final String TIMEOUT = "--timeout";
    private static final Duration CHECK_EVERY = Duration.ofMillis(20);

    private StatusCommand() {}

    /** The subcommand's model: every exporter flag, plus {@code --output} and {@code --timeout}. */
    static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name(NAME).mixinStandardHelpOptions(true);
        spec.versionProvider(new BuildInfo());
        spec.usageMessage()
                .description(
                        "Poll every node of the cluster once (no canary write) and print node, role, up, reason,"
                                + " pending waiting/orphaned and whether its view agrees. Exit 0 when every node"
                                + " is up and the views agree, 1 otherwise, 2 on bad configuration.",
                        "Takes the exporter's flags and environment twins (only the Nun-db ones matter).")
                .width(100)
                .autoWidth(true)
                .sortOptions(false)
                .abbreviateSynopsis(true);
        spec.addOption(OptionSpec.builder(OUTPUT)
                .paramLabel("table|json")
                .type(String.class)
                .description("Output format. Default table.")
                .build());
        spec.addOption(OptionSpec.builder(TIMEOUT)
                .paramLabel("DURATION")
                .type(String.class)
                .description("Give up after this; nodes not polled by then are down (timeout). Default:"
                        + " --nundb.connect-timeout plus 4 x --nundb.request-timeout.")
                .build());
        ExporterCommand.addFlags(spec);
        return spec;
    }

    static int run(ParseResult parsed, Map<String, String> env, PrintStream out, PrintStream err) {
        String output = parsed.matchedOptionValue(OUTPUT, "table");
        if (!output.equals("table") && !output.equals("json")) {
            err.println("nundb-exporter status: --output must be table or json, got " + output);
            return Main.CONFIG_ERROR;
        }
        ExporterConfig config;
        Duration timeout;
        try {
            config = ExporterCommand.resolve(parsed, env);
            if (config.demo()) {
                throw new ConfigException("status polls a real cluster: give --nundb.address, not --demo");
            }
            ClientConfig c = config.client();
            String limit = parsed.matchedOptionValue(TIMEOUT, null);
            timeout = limit != null
                    ? Flags.boundedDuration(limit, Duration.ofMillis(1))
                    : c.connectTimeout().plus(c.requestTimeout().multipliedBy(4));
        } catch (ConfigException e) {
            err.println("nundb-exporter status: " + e.getMessage());
            return Main.CONFIG_ERROR;
        } catch (IllegalArgumentException | ArithmeticException e) {
            err.println("nundb-exporter status: " + TIMEOUT + ": " + ConfigException.reason(e));
            return Main.CONFIG_ERROR;
        }
        LoggingSetup.configure(
                parsed.hasMatchedOption(Flags.LOG_LEVEL.name()) ? config.logLevel() : "warn", config.logFormat(), err);
        ClusterStatus status = ClusterStatus.of(poll(config.client(), timeout));
        out.print(output.equals("json") ? json(status) : table(status));
        out.flush();
        return status.healthy() ? HEALTHY : UNHEALTHY;
    }

    /**
     * Polls the cluster until {@link #complete} or {@code timeout}, and returns what was seen; nodes not
     * attempted by then are down with reason timeout. The collector re-polls every request timeout, so
     * that member process starts reach the primary before its pending entries are read a second time.
     */
    static ClusterSnapshot poll(ClientConfig configured, Duration timeout) {
        Duration every = configured.requestTimeout();
        ClientConfig once = ClientConfig.builder()
                .seeds(configured.seeds())
                .addressMap(configured.addressMap())
                .user(configured.user())
                .password(configured.password())
                .pollInterval(every)
                .requestTimeout(configured.requestTimeout())
                .hardTimeout(configured.hardTimeout())
                .connectTimeout(configured.connectTimeout())
                .memberRetention(configured.memberRetention())
                .expectedMembers(configured.expectedMembers())
                .backoff(configured.backoffInitial(), configured.backoffMax())
                .lineLimits(configured.maxLineBytes(), configured.maxClusterStateLineBytes())
                .pendingInterval(every)
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        long startsKnownAt = 0;
        ClusterSnapshot last;
        try (ClusterCollector collector =
                new ClusterCollector(once, null, TimeSource.SYSTEM, RequestTimingConfig.defaults())) {
            collector.start();
            while (true) {
                last = collector.snapshot();
                if (startsKnownAt == 0 && discovered(last)) {
                    startsKnownAt = System.currentTimeMillis();
                }
                if (startsKnownAt != 0 && complete(last, startsKnownAt + 2 * every.toMillis())) {
                    return last;
                }
                if (System.nanoTime() - deadline >= 0) {
                    return timedOut(last);
                }
                LockSupport.parkNanos(CHECK_EVERY.toNanos());
            }
        }
    }

    /** Every node attempted, every member of an up node's view known and every up node's process start known. */
    static boolean discovered(ClusterSnapshot s) {
        if (s.nodes().isEmpty()) {
            return false;
        }
        for (NodeSnapshot n : s.nodes()) {
            if (!attempted(n) || (n.up() && n.processStartEpochMillis() < 0)) {
                return false;
            }
            ClusterView view = n.up() ? n.view() : null;
            if (view != null) {
                for (ViewMember m : view.members()) {
                    if (s.node(m.name()) == null) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * {@link #discovered}, and every up primary with pending entries has fetched them at or after
     * {@code pendingFetchedFrom} (ms since the epoch), when the members' process starts had reached it.
     */
    static boolean complete(ClusterSnapshot s, long pendingFetchedFrom) {
        if (!discovered(s)) {
            return false;
        }
        for (NodeSnapshot n : s.nodes()) {
            boolean pendingPrimary = n.up()
                    && n.view() != null
                    && n.view().claimsPrimary()
                    && n.metrics() != null
                    && n.metrics().pendingOps() > 0;
            if (pendingPrimary
                    && (n.pendingOps() == null || n.pendingOps().fetchedAtEpochMillis() < pendingFetchedFrom)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the node's first poll finished: it succeeded, failed with a counted error, or cannot be dialled. */
    static boolean attempted(NodeSnapshot n) {
        if (n.up() || n.dialAddress() == null) {
            return true;
        }
        for (PollErrorReason r : PollErrorReason.values()) {
            if (n.pollErrors(r) > 0) {
                return true;
            }
        }
        return false;
    }

    /** The snapshot with every node not yet attempted marked down with reason timeout. */
    static ClusterSnapshot timedOut(ClusterSnapshot s) {
        List<NodeSnapshot> nodes = new ArrayList<>(s.nodes().size());
        for (NodeSnapshot n : s.nodes()) {
            nodes.add(
                    attempted(n)
                            ? n
                            : n.toBuilder()
                                    .up(false)
                                    .downReason(PollErrorReason.TIMEOUT)
                                    .build());
        }
        return new ClusterSnapshot(s.takenAtEpochMillis(), nodes, s.expectedMembers(), s.forgottenNodes());
    }

    // ---------------------------------------------------------------- output

    private static final String[] HEADER = {"Node", "Role", "Up", "Reason", "Waiting", "Orphaned", "Views agree"};

    /** A boxed table in the style of {@code patronictl list}, then one summary line. */
    static String table(ClusterStatus status) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (ClusterStatus.Node n : status.nodes()) {
            rows.add(new String[] {
                printable(n.name()),
                n.roleLabel(),
                n.up() ? "yes" : "no",
                n.reason(),
                n.waiting() < 0 ? "-" : Long.toString(n.waiting()),
                n.orphaned() < 0 ? "-" : Long.toString(n.orphaned()),
                !n.hasView() ? "-" : n.viewAgrees() ? "yes" : "no"
            });
        }
        int[] width = new int[HEADER.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        rule(b, width);
        line(b, width, rows.get(0));
        rule(b, width);
        for (int i = 1; i < rows.size(); i++) {
            line(b, width, rows.get(i));
        }
        rule(b, width);
        int n = status.nodes().size();
        b.append(status.healthy() ? "healthy: " : "UNHEALTHY: ")
                .append(n - status.down())
                .append(" of ")
                .append(n)
                .append(" nodes up")
                .append(status.expectedMembers() > 0 ? " (" + status.expectedMembers() + " expected)" : "")
                .append(", views ")
                .append(status.viewsAgree() ? "agree" : "disagree")
                .append(", ")
                .append(status.primary() == null ? "no single primary" : "primary " + printable(status.primary()))
                .append('\n');
        return b.toString();
    }

    private static void rule(StringBuilder b, int[] width) {
        for (int w : width) {
            b.append('+').append("-".repeat(w + 2));
        }
        b.append("+\n");
    }

    private static void line(StringBuilder b, int[] width, String[] cells) {
        for (int i = 0; i < cells.length; i++) {
            b.append("| ").append(cells[i]).append(" ".repeat(width[i] - cells[i].length() + 1));
        }
        b.append("|\n");
    }

    /** A node name safe for a terminal: control characters (escape sequences) become {@code ?}. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }

    /** The same as one JSON object, for scripts. */
    static String json(ClusterStatus status) {
        StringBuilder b = new StringBuilder(256 + 256 * status.nodes().size());
        b.append("{\"healthy\":")
                .append(status.healthy())
                .append(",\"views_agree\":")
                .append(status.viewsAgree())
                .append(",\"expected_members\":")
                .append(status.expectedMembers())
                .append(",\"primary\":");
        string(b, status.primary());
        b.append(",\"nodes\":[");
        boolean first = true;
        for (ClusterStatus.Node n : status.nodes()) {
            b.append(first ? "" : ",").append("{\"node\":");
            first = false;
            string(b, n.name());
            b.append(",\"role\":");
            string(b, n.role() == null ? null : n.role().label());
            b.append(",\"up\":").append(n.up()).append(",\"reason\":");
            string(b, n.downReason() == null ? null : n.downReason().label());
            b.append(",\"last_success\":");
            string(
                    b,
                    n.lastSuccessEpochMillis() > 0
                            ? Instant.ofEpochMilli(n.lastSuccessEpochMillis()).toString()
                            : null);
            b.append(",\"pending_waiting\":")
                    .append(n.waiting() < 0 ? "null" : Long.toString(n.waiting()))
                    .append(",\"pending_orphaned\":")
                    .append(n.orphaned() < 0 ? "null" : Long.toString(n.orphaned()))
                    .append(",\"view_agrees\":")
                    .append(n.hasView() ? Boolean.toString(n.viewAgrees()) : "null")
                    .append('}');
        }
        return b.append("]}\n").toString();
    }

    private static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }
}
