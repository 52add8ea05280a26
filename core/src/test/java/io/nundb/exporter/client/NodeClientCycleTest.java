package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.protocol.SpecFixtures;
import io.nundb.exporter.timing.RequestTimingConfig;
import io.nundb.exporter.timing.SingleWriterRequestTimings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One node's poll cycle over an {@link EmbeddedChannel} with Netty's mock ticker: what it asks, in which
 * order, and how long the cycle took, to the nanosecond.
 */
class NodeClientCycleTest {
    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedChannel clock =
            EmbeddedChannel.builder().ticker(ticker).build();
    private final TimeSource time = new TimeSource() {
        @Override
        public long nanoTime() {
            return ticker.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return 1_700_000_000_000L + TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime());
        }
    };
    private final ClientConfig config = ClientConfig.builder()
            .seeds(List.of("127.0.0.1:3014"))
            .user("nun")
            .password(() -> "s3cret")
            .pollInterval(Duration.ofSeconds(1))
            .build();
    private final List<EmbeddedChannel> dialled = new ArrayList<>();
    private final List<ClusterView> views = new ArrayList<>();
    private final TaskFailures failures = new TaskFailures();

    private final NodeClient node = new NodeClient(
            "127.0.0.1:3014",
            NodeAddress.parse("127.0.0.1:3014"),
            true,
            config,
            new Secret("password", config.password()),
            clock.eventLoop(),
            this::dial,
            time,
            new NodeListener() {
                @Override
                public void onView(NodeClient n, ClusterView view) {
                    views.add(view);
                }

                @Override
                public void onFirstAttempt(NodeClient n) {}
            },
            new SingleWriterRequestTimings(RequestTimingConfig.defaults(), clock.eventLoop(), time::nanoTime),
            failures);

    private ChannelFuture dial(NodeAddress address, ChannelHandler initializer) {
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        dialled.add(ch);
        return ch.newSucceededFuture();
    }

    @AfterEach
    void releaseEverything() {
        for (EmbeddedChannel ch : dialled) {
            ch.finishAndReleaseAll();
        }
        clock.finishAndReleaseAll();
        assertThat(failures.first()).isNull();
    }

    private static void receive(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private static List<String> sent(EmbeddedChannel ch) {
        List<String> lines = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            lines.add(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return lines;
    }

    private void advanceMillis(long ms) {
        ticker.advance(ms, TimeUnit.MILLISECONDS);
        clock.runScheduledPendingTasks();
    }

    /** Starts the node and completes greeting and auth; the first cycle's first request is then on the wire. */
    private EmbeddedChannel started() {
        node.start();
        clock.runPendingTasks();
        EmbeddedChannel ch = dialled.get(0);
        receive(ch, SpecFixtures.GREETING);
        receive(ch, "valid auth\nok \n");
        assertThat(sent(ch)).containsExactly("auth nun s3cret\n", "metrics-state\n");
        return ch;
    }

    @Test
    void theCycleIsTimedFromItsFirstRequestWrittenToItsLastReplyRead() {
        EmbeddedChannel ch = started();
        assertThat(node.snapshot().pollCycleSeconds()).isNaN();

        advanceMillis(2);
        receive(ch, SpecFixtures.METRICS_STATE_PRIMARY);
        assertThat(sent(ch)).containsExactly("cluster-state\n");
        advanceMillis(3);
        receive(ch, SpecFixtures.CLUSTER_STATE_PRIMARY_VIEW);
        assertThat(sent(ch)).containsExactly("debug process-info\n");
        advanceMillis(4);
        receive(ch, SpecFixtures.PROCESS_INFO);
        assertThat(sent(ch)).containsExactly("debug list-dbs\n");
        advanceMillis(5);
        receive(ch, SpecFixtures.LIST_DBS);

        assertThat(sent(ch)).isEmpty(); // pending_ops is 0: nothing more to ask
        NodeSnapshot s = node.snapshot();
        assertThat(s.up()).isTrue();
        assertThat(s.pollCycleSeconds()).isEqualTo(0.014);
        assertThat(s.requests(NunDbCommand.METRICS_STATE)).isEqualTo(1);
        assertThat(s.databases()).isEqualTo(3);
        assertThat(views).hasSize(1);
    }

    @Test
    void aTickDuringAnUnfinishedCycleIsSkippedAndTheNextCycleIsTimedOnItsOwn() {
        EmbeddedChannel ch = started();
        advanceMillis(1000); // the tick finds metrics-state unanswered... and its 2 s deadline not yet due
        assertThat(node.snapshot().skippedTicks()).isEqualTo(1);
        assertThat(sent(ch)).isEmpty();

        receive(ch, SpecFixtures.METRICS_STATE_PRIMARY);
        receive(ch, SpecFixtures.CLUSTER_STATE_PRIMARY_VIEW);
        receive(ch, SpecFixtures.PROCESS_INFO);
        receive(ch, SpecFixtures.LIST_DBS);
        assertThat(node.snapshot().pollCycleSeconds()).isEqualTo(1.0);

        advanceMillis(1000); // the next tick: the primary's fast cycle, metrics-state and cluster-state
        sent(ch);
        advanceMillis(7);
        receive(ch, SpecFixtures.METRICS_STATE_PRIMARY);
        receive(ch, SpecFixtures.CLUSTER_STATE_PRIMARY_VIEW);
        assertThat(node.snapshot().pollCycleSeconds()).isEqualTo(0.007);
    }
}
