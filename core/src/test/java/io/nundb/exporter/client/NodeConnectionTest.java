package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.protocol.NunDbRequest;
import io.nundb.exporter.timing.RequestTimingConfig;
import io.nundb.exporter.timing.SingleWriterRequestTimings;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connection state machine on {@link EmbeddedChannel}s: every dial opens a new embedded channel with
 * the real decoder and encoder, and time is Netty's mock ticker, shared by the loop's scheduled tasks and
 * the injected {@link TimeSource}. No sockets, no sleeps.
 */
class NodeConnectionTest {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration HARD_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration BACKOFF_INITIAL = Duration.ofMillis(200);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(2);

    private final MockTicker ticker = Ticker.newMockTicker();
    /** Only its event loop is used: the connection's loop, whose scheduled tasks follow {@link #ticker}. */
    private final EmbeddedChannel clock =
            EmbeddedChannel.builder().ticker(ticker).build();

    private final EventLoop loop = clock.eventLoop();
    private final TimeSource time = new TimeSource() {
        @Override
        public long nanoTime() {
            return ticker.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime());
        }
    };
    private final ClientConfig config = ClientConfig.builder()
            .seeds(List.of("127.0.0.1:3014"))
            .user("nun")
            .password(() -> "s3cret")
            .requestTimeout(REQUEST_TIMEOUT)
            .hardTimeout(HARD_TIMEOUT)
            .connectTimeout(CONNECT_TIMEOUT)
            .pollInterval(POLL)
            .backoff(BACKOFF_INITIAL, BACKOFF_MAX)
            .build();
    private final SingleWriterRequestTimings timings =
            new SingleWriterRequestTimings(RequestTimingConfig.defaults(), loop, time::nanoTime);

    private final List<EmbeddedChannel> dialled = new ArrayList<>();
    private final List<Long> dialledAtNanos = new ArrayList<>();
    private final List<Long> lostAtNanos = new ArrayList<>();
    private boolean refuse;
    /** Dials that never complete (a SYN nobody answers). */
    private boolean hang;

    private final List<String> events = new ArrayList<>();
    private final TaskFailures failures = new TaskFailures();

    private final NodeConnection connection = newConnection(() -> 0.0); // no jitter: the schedule is exact

    private NodeConnection newConnection(DoubleSupplier random) {
        return new NodeConnection(
                "n1:3014",
                NodeAddress.parse("127.0.0.1:3014"),
                config,
                new Secret("password", config.password()),
                loop,
                this::dial,
                time,
                random,
                timings,
                false,
                failures,
                new NodeConnection.Owner() {
                    @Override
                    public void onReady() {
                        events.add("ready");
                    }

                    @Override
                    public void onLost(PollErrorReason reason) {
                        events.add("lost " + reason.label());
                        lostAtNanos.add(ticker.nanoTime());
                    }
                });
    }

    private ChannelFuture dial(NodeAddress address, ChannelHandler initializer) {
        dialledAtNanos.add(ticker.nanoTime());
        if (hang) {
            return new EmbeddedChannel().newPromise();
        }
        if (refuse) {
            EmbeddedChannel nothing = new EmbeddedChannel();
            return nothing.newFailedFuture(new ConnectException("Connection refused"));
        }
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

    // ---------------------------------------------------------------- helpers

    private EmbeddedChannel current() {
        return dialled.get(dialled.size() - 1);
    }

    private static void receive(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    /** Every request line written on {@code ch} since the last call, in order. */
    private static List<String> sent(EmbeddedChannel ch) {
        List<String> lines = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            lines.add(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return lines;
    }

    private void advance(Duration d) {
        ticker.advance(d.toNanos(), TimeUnit.NANOSECONDS);
        clock.runScheduledPendingTasks();
    }

    private void advanceNanos(long nanos) {
        ticker.advance(nanos, TimeUnit.NANOSECONDS);
        clock.runScheduledPendingTasks();
    }

    /** Advances {@code d} in 1 ms steps, running each task as it falls due. */
    private void step(Duration d) {
        for (long ms = 0; ms < d.toMillis(); ms++) {
            advanceNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Milliseconds from each lost connection to the next dial (one dial per connection, from the start). */
    private List<Long> redialDelaysMillis() {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < lostAtNanos.size() && i + 1 < dialledAtNanos.size(); i++) {
            delays.add(TimeUnit.NANOSECONDS.toMillis(dialledAtNanos.get(i + 1) - lostAtNanos.get(i)));
        }
        return delays;
    }

    /** Accepts the next dial and lets it fail in the greeting or auth as {@code failure} says. */
    private void failAfterAccepting(EmbeddedChannel ch, String failure) {
        switch (failure) {
            case "close before greeting" -> ch.close();
            case "close before auth reply" -> {
                receive(ch, "ok \n");
                sent(ch);
                ch.close();
            }
            case "invalid auth" -> {
                receive(ch, "ok \n");
                sent(ch);
                receive(ch, "invalid auth\nok \n");
            }
            default -> throw new IllegalArgumentException(failure);
        }
    }

    private EmbeddedChannel connectAndAuthenticate() {
        connection.start();
        EmbeddedChannel ch = current();
        receive(ch, "ok \n");
        assertThat(sent(ch)).containsExactly("auth nun s3cret\n");
        receive(ch, "valid auth\nok \n");
        assertThat(connection.ready()).isTrue();
        return ch;
    }

    /** A reply that records what it was told. */
    private static class Recorded implements NodeConnection.Reply {
        final List<String> seen = new ArrayList<>();

        @Override
        public boolean onPayload(ByteBuf line) {
            seen.add("payload " + line.toString(StandardCharsets.UTF_8));
            return true;
        }

        @Override
        public void onOk() {
            seen.add("ok");
        }

        @Override
        public void onError(String message) {
            seen.add("error " + message);
        }

        @Override
        public void onFailed(PollErrorReason reason) {
            seen.add("failed " + reason.label());
        }

        @Override
        public void onAbort() {
            seen.add("abort");
        }
    }

    // ---------------------------------------------------------------- tests

    @Test
    void sendsAuthOnlyAfterTheGreetingAndIsReadyAfterValidAuth() {
        connection.start();
        EmbeddedChannel ch = current();
        assertThat(sent(ch)).isEmpty();
        assertThat(connection.ready()).isFalse();

        receive(ch, "ok \n");
        assertThat(sent(ch)).containsExactly("auth nun s3cret\n");
        assertThat(events).isEmpty();

        receive(ch, "valid auth\nok \n");
        assertThat(events).containsExactly("ready");
        assertThat(connection.ready()).isTrue();
        assertThat(connection.connects()).isEqualTo(1);
        assertThat(connection.requests()[NunDbCommand.AUTH.ordinal()]).isEqualTo(1);
    }

    @Test
    void invalidAuthClosesTheConnectionAndRedialsAfterTheBackoffDelay() {
        connection.start();
        EmbeddedChannel ch = current();
        receive(ch, "ok \n");
        receive(ch, "invalid auth\nok \n");

        assertThat(events).containsExactly("lost auth");
        assertThat(ch.isOpen()).isFalse();
        assertThat(connection.ready()).isFalse();

        advance(Duration.ofMillis(199));
        assertThat(dialled).hasSize(1);
        advance(Duration.ofMillis(1));
        assertThat(dialled).hasSize(2);
    }

    @Test
    void aNodeThatAcceptsButNeverGreetsTimesOutAtTheConnectTimeout() {
        connection.start();
        advanceNanos(CONNECT_TIMEOUT.toNanos() - 1);
        assertThat(events).isEmpty();
        advanceNanos(1);
        assertThat(events).containsExactly("lost timeout");
        assertThat(dialled.get(0).isOpen()).isFalse();
    }

    @Test
    void aRequestPastItsDeadlineFailsStaysAtTheHeadAndItsLateReplyIsDiscarded() {
        EmbeddedChannel ch = connectAndAuthenticate();
        Recorded slow = new Recorded();
        assertThat(connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), slow))
                .isTrue();

        advance(REQUEST_TIMEOUT);
        assertThat(slow.seen).containsExactly("failed timeout");
        assertThat(connection.ready()).isTrue();
        assertThat(connection.outstanding()).isEqualTo(1);

        Recorded next = new Recorded();
        connection.send(NunDbRequest.of(NunDbCommand.CLUSTER_STATE), next);
        assertThat(sent(ch)).containsExactly("metrics-state\n", "cluster-state\n");

        // The late reply belongs to the abandoned head: read, counted, and given to nobody.
        receive(ch, "metrics-state pending_ops: 0\nok \n");
        assertThat(connection.lateReplies()).isEqualTo(1);
        assertThat(slow.seen).containsExactly("failed timeout");
        assertThat(next.seen).isEmpty();

        receive(ch, "cluster-state  a:1(self):Primary ,\nok \n");
        assertThat(next.seen).containsExactly("payload cluster-state  a:1(self):Primary ,", "ok");
        assertThat(connection.outstanding()).isZero();
        assertThat(events).containsExactly("ready");
        // Written behind an outstanding request, the second was not lock-step: not timed.
        assertThat(timings.snapshot()).doesNotContainKey(NunDbCommand.CLUSTER_STATE);
    }

    @Test
    void aLockStepRequestIsTimedFromItsWriteToItsStatusLine() {
        EmbeddedChannel ch = connectAndAuthenticate();
        connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), new Recorded());
        advance(Duration.ofMillis(3));
        receive(ch, "metrics-state pending_ops: 0\nok \n");

        assertThat(timings.snapshot().get(NunDbCommand.METRICS_STATE).count()).isEqualTo(1);
        assertThat(timings.snapshot().get(NunDbCommand.METRICS_STATE).sumSeconds())
                .isEqualTo(0.003);
    }

    @Test
    void noByteForTheHardTimeoutWithARequestOutstandingResetsTheConnection() {
        EmbeddedChannel ch = connectAndAuthenticate();
        connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), new Recorded());

        advance(REQUEST_TIMEOUT); // abandoned, still outstanding
        advanceNanos(HARD_TIMEOUT.minus(REQUEST_TIMEOUT).toNanos() - 1);
        assertThat(events).containsExactly("ready");
        assertThat(ch.isOpen()).isTrue();

        advanceNanos(1);
        assertThat(events).containsExactly("ready", "lost timeout");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aStatusLineBeforeTheHardTimeoutPostponesIt() {
        EmbeddedChannel ch = connectAndAuthenticate();
        connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), new Recorded());
        advance(REQUEST_TIMEOUT); // abandoned
        connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), new Recorded());
        advance(Duration.ofSeconds(7));
        receive(ch, "metrics-state pending_ops: 0\nok \n"); // the late reply of the first
        advance(Duration.ofSeconds(9));
        assertThat(events).containsExactly("ready");
        advance(Duration.ofSeconds(1));
        assertThat(events).containsExactly("ready", "lost timeout");
    }

    @Test
    void payloadLinesWithoutAStatusLineDoNotPostponeTheHardTimeout() {
        EmbeddedChannel ch = connectAndAuthenticate();
        connection.send(NunDbRequest.of(NunDbCommand.DEBUG_PENDING_OPS), new Recorded());
        for (int s = 1; s < HARD_TIMEOUT.toSeconds(); s++) {
            advance(Duration.ofSeconds(1));
            receive(ch, "pending-ops a:1 1 1\n"); // a reply that streams and never ends
        }
        assertThat(events).containsExactly("ready");
        advance(Duration.ofSeconds(1));
        assertThat(events).containsExactly("ready", "lost timeout");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void bytesWithoutANewlinePastTheLineLimitResetAtTheHardTimeout() {
        EmbeddedChannel ch = connectAndAuthenticate();
        connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), new Recorded());
        String chunk = "x".repeat(16 * 1024);
        for (int s = 1; s < HARD_TIMEOUT.toSeconds(); s++) {
            advance(Duration.ofSeconds(1));
            for (int i = 0; i < 16; i++) {
                receive(ch, chunk); // 256 KiB a second, past the 64 KiB line limit, never a newline
            }
        }
        assertThat(events).containsExactly("ready");
        advance(Duration.ofSeconds(1));
        assertThat(events).containsExactly("ready", "lost timeout");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aDroppedStatusLineShiftsTheRepliesUntilTheConnectionIsReset() {
        EmbeddedChannel ch = connectAndAuthenticate();
        Recorded first = new Recorded();
        connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), first);
        receive(ch, "metrics-state pending_ops: 0\n"); // its status line never comes (spec §1.3)
        advance(REQUEST_TIMEOUT);
        assertThat(first.seen).containsExactly("payload metrics-state pending_ops: 0", "failed timeout");

        // From now on every reply is one request late: each status line is credited to the request
        // before, and every request times out although the node answers each one at once.
        Recorded second = new Recorded();
        connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), second);
        receive(ch, "metrics-state pending_ops: 0\nok \n");
        assertThat(second.seen).isEmpty();
        assertThat(events).containsExactly("ready");
        advance(REQUEST_TIMEOUT);
        assertThat(second.seen).containsExactly("failed timeout");

        Recorded third = new Recorded();
        connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), third);
        receive(ch, "metrics-state pending_ops: 0\nok \n");

        assertThat(events).containsExactly("ready", "lost timeout");
        assertThat(third.seen).containsExactly("abort");
        assertThat(ch.isOpen()).isFalse();
        assertThat(connection.lateReplies()).isEqualTo(2);

        // The new connection is in step again.
        advance(Duration.ofMillis(200));
        EmbeddedChannel again = current();
        assertThat(again).isNotSameAs(ch);
        receive(again, "ok \n");
        receive(again, "valid auth\nok \n");
        Recorded fourth = new Recorded();
        connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), fourth);
        receive(again, "metrics-state pending_ops: 0\nok \n");
        assertThat(fourth.seen).containsExactly("payload metrics-state pending_ops: 0", "ok");
    }

    @Test
    void aSlowReplyWithNothingBehindItIsLateWithoutAReset() {
        EmbeddedChannel ch = connectAndAuthenticate();
        for (int i = 0; i < 3; i++) {
            connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), new Recorded());
            advance(REQUEST_TIMEOUT);
            receive(ch, "metrics-state pending_ops: 0\nok \n"); // late, but before the next request
        }
        assertThat(connection.lateReplies()).isEqualTo(3);
        assertThat(events).containsExactly("ready");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aRefusedNodeIsRedialledAtLeastOncePerPollIntervalAndAHandshakeResetsTheSchedule() {
        refuse = true;
        connection.start();
        step(Duration.ofMillis(3000));
        // Doubling from the initial backoff, capped at the poll interval (500 ms), not at the backoff max.
        assertThat(redialDelaysMillis())
                .startsWith(200L, 400L, 500L, 500L, 500L)
                .allMatch(g -> g <= 500);
        assertThat(events).allMatch(e -> e.equals("lost refused"));

        // A successful handshake resets the schedule to the initial delay.
        refuse = false;
        step(Duration.ofMillis(500));
        EmbeddedChannel ch = current();
        receive(ch, "ok \n");
        receive(ch, "valid auth\nok \n");
        ch.close();
        assertThat(events).endsWith("ready", "lost closed");
        int before = dialledAtNanos.size();
        advanceNanos(TimeUnit.MILLISECONDS.toNanos(200) - 1);
        assertThat(dialledAtNanos).hasSize(before);
        advanceNanos(1);
        assertThat(dialledAtNanos).hasSize(before + 1);
    }

    @Test
    void aRefusedNodeIsNeverRedialledSoonerThanTheJitteredInitialDelay() {
        NodeConnection jittered = newConnection(() -> 0.999_999); // the shortest delays the jitter allows
        refuse = true;
        jittered.start();
        step(Duration.ofSeconds(10));
        // 80 % of the 200 ms initial delay at least, 500 ms (the poll interval) at most.
        assertThat(redialDelaysMillis()).hasSizeGreaterThan(19).allMatch(g -> g >= 160 && g <= 500);
        jittered.stop();
    }

    @Test
    void aConnectThatNeverCompletesIsRedialledAtLeastOncePerPollInterval() {
        hang = true;
        connection.start();
        step(CONNECT_TIMEOUT.multipliedBy(4).plusSeconds(2));
        assertThat(redialDelaysMillis()).containsExactly(200L, 400L, 500L, 500L);
        assertThat(events).allMatch(e -> e.equals("lost timeout"));
    }

    @Test
    void authFailuresBackOffExponentiallyUpToTheBackoffMaximum() {
        connection.start();
        for (int i = 0; i < 7; i++) {
            failAfterAccepting(current(), "invalid auth");
            int before = dialled.size();
            step(BACKOFF_MAX);
            assertThat(dialled).hasSize(before + 1);
        }
        // Past the poll interval: a node that accepts and rejects the credentials is not asked every poll.
        assertThat(redialDelaysMillis()).containsExactly(200L, 400L, 800L, 1600L, 2000L, 2000L, 2000L);
        assertThat(events).hasSize(7).allMatch(e -> e.equals("lost auth"));
    }

    @Test
    void aNodeThatNeverGreetsIsRedialledOnTheBackoff() {
        connection.start();
        step(CONNECT_TIMEOUT.multipliedBy(5).plusMillis(200 + 400 + 800 + 1600 + 2000));
        assertThat(redialDelaysMillis()).containsExactly(200L, 400L, 800L, 1600L, 2000L);
        assertThat(events).hasSize(5).allMatch(e -> e.equals("lost timeout"));
    }

    @Test
    void aConnectionClosedBeforeTheGreetingIsAShortLifeRedialledAtLeastOncePerPollInterval() {
        shortLives("close before greeting");
    }

    @Test
    void aConnectionClosedBeforeTheAuthReplyIsAShortLifeRedialledAtLeastOncePerPollInterval() {
        shortLives("close before auth reply");
    }

    private void shortLives(String failure) {
        connection.start();
        for (int i = 0; i < 5; i++) {
            failAfterAccepting(current(), failure);
            int before = dialled.size();
            step(POLL);
            assertThat(dialled).hasSize(before + 1);
        }
        assertThat(redialDelaysMillis()).containsExactly(200L, 400L, 500L, 500L, 500L);
        assertThat(events).hasSize(5).allMatch(e -> e.equals("lost short_life"));
        assertThat(connection.connects()).isEqualTo(6);
    }

    @Test
    void aResetBeforeTheGreetingIsAShortLife() {
        connection.start();
        current().pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
        assertThat(events).containsExactly("lost short_life");
    }

    @Test
    void neverHasMoreThanTheLimitOutstandingAndResetsInsteadOfQueueingMore() {
        EmbeddedChannel ch = connectAndAuthenticate();
        List<Recorded> replies = new ArrayList<>();
        for (int i = 0; i < NodeConnection.MAX_OUTSTANDING; i++) {
            Recorded r = new Recorded();
            replies.add(r);
            assertThat(connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), r))
                    .isTrue();
        }
        assertThat(sent(ch)).hasSize(NodeConnection.MAX_OUTSTANDING);

        Recorded oneTooMany = new Recorded();
        assertThat(connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), oneTooMany))
                .isFalse();

        assertThat(sent(ch)).isEmpty();
        assertThat(oneTooMany.seen).containsExactly("abort");
        assertThat(replies).allSatisfy(r -> assertThat(r.seen).containsExactly("abort"));
        assertThat(events).containsExactly("ready", "lost timeout");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aLineThatCannotBelongToTheHeadRequestResetsTheConnection() {
        EmbeddedChannel ch = connectAndAuthenticate();
        connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), new Recorded() {
            @Override
            public boolean onPayload(ByteBuf line) {
                return false;
            }
        });
        receive(ch, "cluster-state  a:1(self):Primary ,\n");
        assertThat(events).containsExactly("ready", "lost protocol");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aServerClosingTheConnectionAbortsOutstandingRequestsAndRedials() {
        EmbeddedChannel ch = connectAndAuthenticate();
        Recorded r = new Recorded();
        connection.send(NunDbRequest.of(NunDbCommand.METRICS_STATE), r);
        ch.close();
        assertThat(r.seen).containsExactly("abort");
        assertThat(events).containsExactly("ready", "lost closed");
        advance(Duration.ofMillis(200));
        assertThat(dialled).hasSize(2);
    }

    @Test
    void stopClosesAndNeverRedials() {
        EmbeddedChannel ch = connectAndAuthenticate();
        connection.stop();
        assertThat(ch.isOpen()).isFalse();
        advance(Duration.ofMinutes(1));
        assertThat(dialled).hasSize(1);
        assertThat(events).containsExactly("ready");
    }
}
