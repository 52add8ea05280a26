package io.nundb.exporter.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A simulated Nun-db cluster on loopback run as its own process, with faults injected over a tiny
 * HTTP control interface, so an exporter in another process can watch it in live mode (the deploy
 * end-to-end test, the load benchmarks). Not part of the exporter (its jar leaves this class out): run
 * it with {@code java -jar simulator/target/nundb-simulator.jar --nodes 3 --control-port 0} and the
 * admin password in the environment variable {@code NUN_PWD} (never on the command line);
 * {@code --help} prints the control API.
 *
 * <p>On stdout it prints {@code control 127.0.0.1:PORT}, then the exporter's arguments
 * ({@code --nundb.address=...} for node 0 and one {@code --nundb.address-map=NAME=127.0.0.1:PORT}
 * per node), then {@code ready}. Control, all on loopback:
 *
 * <ul>
 *   <li>{@code POST /fault?node=INDEX|NAME&action=ACTION[&ms=N][&count=N]}, action one of {@code kill},
 *       {@code restart}, {@code stop}, {@code resume}, {@code reject-auth} (and drop its
 *       connections, so clients log in again), {@code accept-auth}, {@code delay} (replication delay
 *       of that node, {@code ms}), {@code slow-replies} ({@code ms}), and the real server's behaviours of
 *       Appendix C: {@code restart-wiped}, {@code restart-wiped-without-databases},
 *       {@code restart-kept-data} (see {@link RestartData}), {@code crash-loop} and
 *       {@code crash-loop-before-auth} ({@code ms}: each life, default 1 s), {@code end-crash-loop},
 *       {@code stale-view} ({@code ms}: how long that node keeps a dead member), {@code kill-racing-writes}
 *       ({@code count} writes, default 5); {@link #HELP} has one line each;
 *   <li>{@code POST /cluster?action=ACTION}, action one of {@code restart} (a new, healthy cluster
 *       on the same ports), {@code restart-split-brain} (the real start-up split brain on the same
 *       ports: nodes 0 and 2 claim primary; restarting node 2 heals it), {@code hold-elections}
 *       (a primary's death leaves no primary), {@code release-elections};
 *   <li>{@code GET /state}: one line per node ({@code index name port alive|dead role commands=N connections=N}: commands
 *       received and connections accepted since start), then
 *       {@code primary NAME|none}.
 * </ul>
 *
 * <p>Thread-safety: control requests run on the HTTP server's single dispatcher thread; the current
 * cluster and its write load are guarded by this object's monitor.
 */
public final class SimulatorMain implements AutoCloseable {
    private static final int WRITES_PER_SECOND = 20;
    // Appendix C: each life of the crash-looping node lasted about a second; the down time is a guess.
    private static final Duration CRASH_LIFE = Duration.ofSeconds(1);
    private static final Duration CRASH_DOWN = Duration.ofMillis(500);
    static final String HELP = """
            usage: NUN_PWD=... java -jar nundb-simulator.jar [--nodes N] [--control-port PORT] [--user USER]
            A simulated Nun-db cluster on 127.0.0.1 (20 writes/s on database "sim"). Prints "control ADDRESS",
            the exporter's --nundb.address/--nundb.address-map arguments, then "ready".
            Control API (loopback):
              POST /fault?node=INDEX|NAME&action=ACTION[&ms=N][&count=N]
                kill              SIGKILL: connections closed, connects refused
                restart           new process, clean data; rejoins as a secondary with a full sync
                restart-wiped     clean data, no resync: acks new writes, lacks every older key
                restart-wiped-without-databases  the same without even the databases (use-db fails)
                restart-kept-data old data kept, op log reset (lower op_log_count, no data loss)
                crash-loop        lives of ms=N (default 1000) closing connects before the greeting,
                                  500 ms dead between; never joins the cluster
                end-crash-loop    ends a crash loop, leaving the node dead (then restart it)
                crash-loop-before-auth  the same, greeting first and closing on auth
                stale-view        this node keeps a member that dies listed as Connected for ms=N
                                  (real: ~82000) while the others drop it
                kill-racing-writes  kill with count=N (default 5) writes on the primary in the same
                                  instant: N orphaned pending ops that never clear
                stop | resume     SIGSTOP | SIGCONT
                reject-auth       every auth fails (open connections are dropped) | accept-auth
                delay             replication delay of that node, ms=N
                slow-replies      every reply flush delayed, ms=N
              POST /cluster?action=ACTION
                restart           a new, healthy cluster on the same ports
                restart-split-brain  the real start-up split brain (restarting node 2 heals it)
                hold-elections | release-elections  a primary's death leaves no primary | elect now
              GET /state          one line per node, then "primary NAME|none"
            """;

    private final int size;
    private final String user;
    private final String password;
    private final List<Integer> ports = new ArrayList<>();
    private final HttpServer control;
    private SimulatedCluster cluster;
    private AutoCloseable load;
    private final Map<SimulatedNode, AutoCloseable> crashLoops = new HashMap<>();
    private boolean closed;

    private SimulatorMain(int size, String user, String password, int controlPort) throws IOException {
        this.size = size;
        this.user = user;
        this.password = password;
        this.cluster = SimulatedCluster.builder()
                .size(size)
                .names(SimulatorMain::nodeName)
                .credentials(user, password)
                .start();
        for (SimulatedNode n : cluster.nodes()) {
            ports.add(n.port());
        }
        this.load = cluster.startWriteLoad("sim", "sim-token", WRITES_PER_SECOND);
        this.control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), controlPort), 16);
        control.createContext("/", this::handle);
        control.start();
    }

    /** Starts a cluster of {@code size} nodes and its control interface ({@code controlPort} 0: ephemeral). */
    public static SimulatorMain start(int size, String user, String password, int controlPort) throws IOException {
        return new SimulatorMain(size, user, password, controlPort);
    }

    static String nodeName(int index) {
        return "nundb-" + index + ".nundb:3014";
    }

    public static void main(String[] args) throws Exception {
        int nodes = 3;
        int controlPort = 0;
        String user = "nun";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.out.print(HELP);
                return;
            }
            if (i + 1 >= args.length) {
                usage("missing value of " + a);
            }
            switch (a) {
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                case "--control-port" -> controlPort = Integer.parseInt(args[++i]);
                case "--user" -> user = args[++i];
                default -> usage("unknown argument " + a);
            }
        }
        String password = System.getenv("NUN_PWD");
        if (password == null || password.isEmpty()) {
            usage("set the admin password in the environment variable NUN_PWD");
        }
        SimulatorMain sim = start(nodes, user, password, controlPort);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            stopped.countDown();
        }));
        sim.printExporterArguments(System.out);
        System.out.flush();
        stopped.await();
    }

    private static void usage(String problem) {
        System.err.println("nundb-sim: " + problem);
        System.err.print(HELP);
        System.exit(2);
    }

    /** Prints the control address, the exporter's node arguments and {@code ready}. */
    void printExporterArguments(PrintStream out) {
        out.println("control 127.0.0.1:" + controlPort());
        out.println("--nundb.address=127.0.0.1:" + ports.get(0));
        for (int i = 0; i < size; i++) {
            out.println("--nundb.address-map=" + nodeName(i) + "=127.0.0.1:" + ports.get(i));
        }
        out.println("ready");
    }

    public int controlPort() {
        return control.getAddress().getPort();
    }

    /** The current cluster (replaced by the {@code restart} cluster actions). */
    public synchronized SimulatedCluster cluster() {
        return cluster;
    }

    private void handle(HttpExchange ex) throws IOException {
        int status;
        String body;
        try {
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.equals("/state") && method.equals("GET")) {
                status = 200;
                body = state();
            } else if ((path.equals("/fault") || path.equals("/cluster")) && method.equals("POST")) {
                if (path.equals("/fault")) {
                    fault(q.get("node"), q.get("action"), q.get("ms"), q.get("count"));
                } else {
                    clusterAction(q.get("action"));
                }
                status = 200;
                body = "ok\n";
            } else {
                status = 404;
                body = "use POST /fault, POST /cluster or GET /state\n";
            }
        } catch (IllegalArgumentException e) {
            status = 400;
            body = "error: " + e.getMessage() + "\n";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    synchronized String state() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cluster.size(); i++) {
            SimulatedNode n = cluster.node(i);
            sb.append(i)
                    .append(' ')
                    .append(n.name())
                    .append(' ')
                    .append(n.port())
                    .append(' ')
                    .append(n.isAlive() ? "alive" : "dead")
                    .append(' ')
                    .append(n.isAlive() ? n.role() : "-")
                    .append(" commands=")
                    .append(n.commandsReceived())
                    .append(" connections=")
                    .append(n.connectionsAccepted())
                    .append('\n');
        }
        SimulatedNode p = cluster.primary();
        sb.append("primary ").append(p == null ? "none" : p.name()).append('\n');
        return sb.toString();
    }

    /** Applies a node fault; throws IllegalArgumentException on an unknown node or action. */
    synchronized void fault(String nodeRef, String action, String ms) {
        fault(nodeRef, action, ms, null);
    }

    /** Applies a node fault; {@code count} is the number of writes of {@code kill-racing-writes}. */
    synchronized void fault(String nodeRef, String action, String ms, String count) {
        if (nodeRef == null || action == null) {
            throw new IllegalArgumentException("node and action are required");
        }
        SimulatedNode node = cluster.node(nodeRef);
        if (node == null) {
            int index;
            try {
                index = Integer.parseInt(nodeRef);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("unknown node " + nodeRef, e);
            }
            if (index < 0 || index >= cluster.size()) {
                throw new IllegalArgumentException("unknown node " + nodeRef);
            }
            node = cluster.node(index);
        }
        switch (action) {
            case "kill" -> node.kill();
            case "restart" -> restart(node, RestartData.RESYNCED);
            case "restart-wiped" -> restart(node, RestartData.WIPED);
            case "restart-wiped-without-databases" -> restart(node, RestartData.WIPED_WITHOUT_DATABASES);
            case "restart-kept-data" -> restart(node, RestartData.KEPT);
            case "crash-loop" -> crashLoop(node, ms, CrashPoint.BEFORE_GREETING);
            case "crash-loop-before-auth" -> crashLoop(node, ms, CrashPoint.BEFORE_AUTH);
            case "end-crash-loop" -> endCrashLoop(node);
            case "stale-view" -> cluster.staleView(cluster.nodes().indexOf(node), millis(ms));
            case "kill-racing-writes" ->
                cluster.killRacingWrites(
                        cluster.nodes().indexOf(node), "sim", "sim-token", count == null ? 5 : positive(count));
            case "stop" -> node.stop();
            case "resume" -> node.resume();
            case "reject-auth" -> {
                node.rejectAuth(true);
                if (node.isAlive()) {
                    node.resetConnections();
                }
            }
            case "accept-auth" -> node.rejectAuth(false);
            case "delay" -> node.replicationDelay(millis(ms));
            case "slow-replies" -> node.slowReplies(millis(ms));
            default -> throw new IllegalArgumentException("unknown fault action " + action);
        }
    }

    private void restart(SimulatedNode node, RestartData data) {
        endCrashLoop(node);
        node.restart(data);
    }

    private void crashLoop(SimulatedNode node, String lifeMs, CrashPoint point) {
        if (crashLoops.containsKey(node)) {
            throw new IllegalArgumentException("node " + node.name() + " is already crash-looping");
        }
        Duration life = lifeMs == null ? CRASH_LIFE : millis(lifeMs);
        if (life.isZero()) {
            throw new IllegalArgumentException("ms must be positive");
        }
        crashLoops.put(node, node.crashLoop(life, CRASH_DOWN, point));
    }

    private void endCrashLoop(SimulatedNode node) {
        AutoCloseable loop = crashLoops.remove(node);
        if (loop != null) {
            try {
                loop.close();
            } catch (Exception e) {
                throw new IllegalStateException("ending the crash loop of " + node.name() + " failed", e);
            }
        }
    }

    private static int positive(String count) {
        try {
            int v = Integer.parseInt(count);
            if (v <= 0) {
                throw new IllegalArgumentException("count must be positive");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("count is not a number: " + count, e);
        }
    }

    private static Duration millis(String ms) {
        if (ms == null) {
            throw new IllegalArgumentException("ms is required");
        }
        try {
            long v = Long.parseLong(ms);
            if (v < 0) {
                throw new IllegalArgumentException("ms must not be negative");
            }
            return Duration.ofMillis(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ms is not a number: " + ms, e);
        }
    }

    /** Applies a cluster action; throws IllegalArgumentException on an unknown one. */
    synchronized void clusterAction(String action) {
        if (action == null) {
            throw new IllegalArgumentException("action is required");
        }
        switch (action) {
            case "restart" -> replace(false);
            case "restart-split-brain" -> replace(true);
            case "hold-elections" -> cluster.holdElections(true);
            case "release-elections" -> cluster.holdElections(false);
            default -> throw new IllegalArgumentException("unknown cluster action " + action);
        }
    }

    private void replace(boolean splitBrain) {
        if (splitBrain && size != 3) {
            throw new IllegalArgumentException("the start-up split brain needs exactly 3 nodes");
        }
        stopCluster();
        SimulatedCluster.Builder b = SimulatedCluster.builder()
                .size(size)
                .names(SimulatorMain::nodeName)
                .credentials(user, password)
                .startupSplitBrain(splitBrain);
        for (int i = 0; i < size; i++) {
            b.port(i, ports.get(i));
        }
        cluster = b.start();
        load = cluster.startWriteLoad("sim", "sim-token", WRITES_PER_SECOND);
    }

    private void stopCluster() {
        for (SimulatedNode n : new ArrayList<>(crashLoops.keySet())) {
            endCrashLoop(n);
        }
        try {
            load.close();
        } catch (Exception e) {
            System.err.println(
                    "nundb-sim: stopping the write load failed: " + e.getClass().getSimpleName());
        }
        cluster.close();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        control.stop(0);
        stopCluster();
    }
}
