package io.nundb.exporter.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Verbatim Nun-db TCP exchanges (sources: {@code docs/nundb-protocol.md}), shared by the simulator's
 * conformance suite and the client's decoder and parser tests. Each constant cites the section it
 * was copied from; bytes are exactly as the real server writes them, quirks included.
 *
 * <p>Thread-safety: immutable constants.
 */
public final class SpecFixtures {
    private SpecFixtures() {}

    /** One request line and the exact reply bytes the real server answers it with. */
    public record Exchange(String name, String section, String request, String reply) {
        public byte[] replyBytes() {
            return reply.getBytes(StandardCharsets.UTF_8);
        }

        public byte[] requestBytes() {
            return request.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** §1.3 / Appendix B: the greeting written on accept, before any request. */
    public static final String GREETING = "ok \n";

    /** §1.3 example session, standalone node with the default name, user nun, password nun-pwd. */
    public static final List<Exchange> STANDALONE_SESSION = List.of(
            new Exchange("auth-valid", "§1.3", "auth nun nun-pwd\n", "valid auth\nok \n"),
            new Exchange(
                    "metrics-state-fresh",
                    "§1.3",
                    "metrics-state\n",
                    "metrics-state pending_ops: 0, op_log_file_size: 0, op_log_count: 0,"
                            + "replication_time_moving_avg: 0.0, get_query_time_moving_avg: 0.0\n\nok \n"),
            new Exchange(
                    "cluster-state-standalone",
                    "§1.3",
                    "cluster-state\n",
                    "cluster-state  0.0.0.0:3014(self):Primary ,\nok \n"),
            new Exchange("get-without-db", "§1.3", "get x\n", "error no-db-selected\nerror error no-db-selected\n \n"));

    /** Appendix B: replies that do not depend on cluster state. */
    public static final List<Exchange> STATELESS = List.of(
            new Exchange("unknown-command", "Appendix B", "foo\n", "error unknown command: foo \n"),
            new Exchange("empty-command", "Appendix B", "\n", "error empty command \n"),
            new Exchange(
                    "crlf-is-part-of-word", "§1.2", "metrics-state\r\n", "error unknown command: metrics-state\r \n"),
            new Exchange("debug-without-subcommand", "Appendix B", "debug\n", "error command is mandatory \n"));

    /** §2.1 / Appendix B: commands before auth. */
    public static final List<Exchange> UNAUTHENTICATED = List.of(
            new Exchange("metrics-state-not-auth", "Appendix B", "metrics-state\n", "error Not auth \n"),
            new Exchange("pending-ops-not-auth", "Appendix B", "debug pending-ops\n", "error Not auth \n"),
            new Exchange("auth-invalid", "§2.1", "auth nun WRONG\n", "invalid auth\nok \n"));

    /** Appendix B: real {@code metrics-state} payload on a primary with traffic. */
    public static final String METRICS_STATE_PRIMARY =
            "metrics-state pending_ops: 0, op_log_file_size: 3100, op_log_count: 124,"
                    + "replication_time_moving_avg: 2.419368907874114, get_query_time_moving_avg: 0.0005641915184967369\n\nok \n";

    /** §3.1: exponent forms seen for real. */
    public static final String METRICS_STATE_EXPONENTS =
            "metrics-state pending_ops: 3, op_log_file_size: 125, op_log_count: 5,"
                    + "replication_time_moving_avg: 2.573621751988715e-18, get_query_time_moving_avg: 5.723407763652384e-6\n\nok \n";

    /** Appendix B: the primary's and a secondary's view of a healthy 3-node cluster. */
    public static final String CLUSTER_STATE_PRIMARY_VIEW =
            "cluster-state  127.0.0.1:4114(self):Primary , 127.0.0.1:4124(Connected):Secoundary,"
                    + " 127.0.0.1:4134(Connected):Secoundary,\nok \n";

    public static final String CLUSTER_STATE_SECONDARY_VIEW =
            "cluster-state  127.0.0.1:4114(Connected):Primary, 127.0.0.1:4124(self):Secoundary ,"
                    + " 127.0.0.1:4134(Connected):Secoundary,\nok \n";

    /** §3.2: the empty view of a node in its first second. */
    public static final String CLUSTER_STATE_EMPTY = "cluster-state \nok \n";

    /** §5.7 / Appendix B: both survivors right after the primary died (no primary at all). */
    public static final String CLUSTER_STATE_FAILOVER_WINDOW =
            "cluster-state  127.0.0.1:4124(self):Secoundary , 127.0.0.1:4134(Connected):Secoundary,\nok \n";

    /** §3.2 / §5.2: the real start-up split brain, the three views exactly. */
    public static final List<String> CLUSTER_STATE_SPLIT_BRAIN = List.of(
            "cluster-state  127.0.0.1:4114(self):Primary , 127.0.0.1:4124(Connected):Secoundary,\nok \n",
            "cluster-state  127.0.0.1:4114(Connected):Primary, 127.0.0.1:4124(self):Secoundary ,"
                    + " 127.0.0.1:4134(Connected):Secoundary,\nok \n",
            "cluster-state  127.0.0.1:4124(Connected):Secoundary, 127.0.0.1:4134(self):Primary ,\nok \n");

    /** Appendix B: nothing pending. */
    public static final String PENDING_OPS_EMPTY = "pending-ops \nok \n";

    /** Appendix B: after SIGKILL of node3 and three sets on the primary (entries and members unordered). */
    public static final String PENDING_OPS_KILLED_MEMBER = "pending-ops message: \"replicate demo pk -1 k2\","
            + " opp_id: 1795568958711128284, ack_count: 1, replicate_count: 2, replications: ,"
            + " 127.0.0.1:4124:true, 127.0.0.1:4134:false\n"
            + "message: \"replicate demo pk -1 k0\", opp_id: 1795568958711102285, ack_count: 1,"
            + " replicate_count: 2, replications: , 127.0.0.1:4124:true, 127.0.0.1:4134:false\n"
            + "message: \"replicate demo pk -1 k1\", opp_id: 1795568958711121240, ack_count: 1,"
            + " replicate_count: 2, replications: , 127.0.0.1:4134:false, 127.0.0.1:4124:true\nok \n";

    /** Appendix B: a SIGSTOPped replica, one entry per write. */
    public static final String PENDING_OPS_HUNG_MEMBER = "pending-ops message: \"replicate demo pk -1 h0\","
            + " opp_id: 1795568961590763450, ack_count: 0, replicate_count: 1, replications: , 127.0.0.1:4124:false\nok \n";

    /** Appendix B: a secondary during an election. */
    public static final String PENDING_OPS_ELECTION =
            "pending-ops message: \"election candidate 1795569114260 127.0.0.1:4124\","
                    + " opp_id: 1795569123856542533, ack_count: 0, replicate_count: 1, replications: , 127.0.0.1:4134:false\nok \n";

    /** Appendix B. */
    public static final String PROCESS_INFO = "process-info \nprocess_id: 1795568803056\nok \n";

    /** Appendix B. */
    public static final String LIST_DBS = "dbs-list \ndemo : none\n$admin : newer\nnewerdb : newer\nok \n";

    public static final String LIST_DBS_FRESH = "dbs-list \n$admin : newer\nok \n";

    /** §1.2 / Appendix B: a watch push pair and a removal. */
    public static final String PUSH_CHANGED = "changed wkey v1\nchanged-version wkey 1 v1\n";

    public static final String PUSH_REMOVED = "removed wk\n";

    /** Appendix B: the three monitoring commands pipelined in one write on a standalone primary. */
    public static final String PIPELINED_POLL_REPLY =
            "metrics-state pending_ops: 0, op_log_file_size: 0, op_log_count: 0,"
                    + "replication_time_moving_avg: 0.0, get_query_time_moving_avg: 0.0\n\nok \n"
                    + "cluster-state  127.0.0.1:4114(self):Primary ,\nok \n"
                    + "pending-ops \nok \n";

    /** Appendix B: admin and data replies. */
    public static final List<Exchange> ADMIN_AND_DATA = List.of(
            new Exchange(
                    "create-db-on-secondary",
                    "Appendix B",
                    "create-db demo demo-pwd\n",
                    "error Create database only allow from primary! \n"),
            new Exchange("create-db-exists", "Appendix B", "create-db demo x\n", "error database already exists \n"),
            new Exchange(
                    "create-db-without-token",
                    "Appendix B",
                    "create-db foo\n",
                    "error create-db must be followed by a token \n"),
            new Exchange("use-db-wrong-token", "Appendix B", "use-db demo wrongtoken\n", "error Invalid token \n"),
            new Exchange(
                    "use-db-without-token",
                    "Appendix B",
                    "use-db demo\n",
                    "error set-safe must be followed by a version and key \n"),
            new Exchange("get-safe-missing", "Appendix B", "get-safe missing\n", "value-version 1 <Empty>\nok \n"),
            new Exchange("watch-without-key", "Appendix B", "watch\n", "error watch must contain a key \n"),
            new Exchange("increment-text", "Appendix B", "increment name\n", "error Key is not numeric \n"));
}
