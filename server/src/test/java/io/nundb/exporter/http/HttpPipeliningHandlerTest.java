package io.nundb.exporter.http;

import static io.nundb.exporter.http.TestRequests.bodyOf;
import static io.nundb.exporter.http.TestRequests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.nundb.exporter.http.TestRequests.ManualExecutor;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpPipeliningHandlerTest {
    /** Keeps the requests it reads and answers none: the test answers for it. */
    static final class Holder extends ChannelInboundHandlerAdapter {
        final List<FullHttpRequest> requests = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            requests.add((FullHttpRequest) msg);
        }
    }

    @Test
    void holdsAPipelinedRequestUntilThePreviousResponseIsWritten() {
        HttpPipeliningHandler gate = new HttpPipeliningHandler();
        Holder holder = new Holder();
        EmbeddedChannel channel = new EmbeddedChannel(gate, holder);

        channel.writeInbound(request(HttpMethod.GET, "/first"), request(HttpMethod.GET, "/second"));

        assertThat(holder.requests).extracting(FullHttpRequest::uri).containsExactly("/first");
        assertThat(gate.held()).isEqualTo(1);

        channel.writeOutbound(HttpResponses.text(HttpResponseStatus.OK, "first\n", false));
        channel.runPendingTasks();

        assertThat(holder.requests).extracting(FullHttpRequest::uri).containsExactly("/first", "/second");
        assertThat(gate.held()).isZero();
        assertThat(bodyOf(channel.readOutbound())).isEqualTo("first\n");
        holder.requests.forEach(FullHttpRequest::release);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void releasesHeldRequestsWhenTheConnectionCloses() {
        Holder holder = new Holder();
        EmbeddedChannel channel = new EmbeddedChannel(new HttpPipeliningHandler(), holder);
        FullHttpRequest held = request(HttpMethod.GET, "/held");

        channel.writeInbound(request(HttpMethod.GET, "/first"), held);
        channel.close();

        assertThat(held.refCnt()).isZero();
        holder.requests.forEach(FullHttpRequest::release);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void closesAConnectionWithMoreRequestsHeldThanTheCap() {
        Holder holder = new Holder();
        HttpPipeliningHandler gate = new HttpPipeliningHandler();
        EmbeddedChannel channel = new EmbeddedChannel(gate, holder);
        List<FullHttpRequest> sent = new ArrayList<>();
        for (int i = 0; i <= HttpPipeliningHandler.MAX_HELD + 1; i++) {
            sent.add(request(HttpMethod.GET, "/" + i));
        }

        channel.writeInbound(sent.toArray());

        assertThat(channel.isActive()).isFalse();
        assertThat(gate.held()).isZero();
        assertThat(holder.requests).hasSize(1);
        holder.requests.forEach(FullHttpRequest::release);
        assertThat(sent).allSatisfy(r -> assertThat(r.refCnt()).isZero());
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void passesNoRequestOnWhileTheChannelIsNotWritable() {
        Holder holder = new Holder();
        HttpPipeliningHandler gate = new HttpPipeliningHandler();
        EmbeddedChannel channel = new EmbeddedChannel(gate, holder);
        channel.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8, 16));

        channel.writeInbound(request(HttpMethod.GET, "/first"), request(HttpMethod.GET, "/second"));
        // Written, not flushed: the outbound buffer stays over the high water mark.
        channel.write(HttpResponses.text(HttpResponseStatus.OK, "a body longer than sixteen bytes\n", false));
        channel.runPendingTasks();

        assertThat(channel.isWritable()).isFalse();
        assertThat(holder.requests).extracting(FullHttpRequest::uri).containsExactly("/first");
        assertThat(gate.held()).isEqualTo(1);

        channel.flush(); // the peer read it: writable again
        channel.runPendingTasks();

        assertThat(channel.isWritable()).isTrue();
        assertThat(holder.requests).extracting(FullHttpRequest::uri).containsExactly("/first", "/second");
        holder.requests.forEach(FullHttpRequest::release);
        assertThat(channel.finishAndReleaseAll()).isTrue();
    }

    @Test
    void aHealthCheckPipelinedBehindAPageBuiltOffTheLoopIsAnsweredAfterIt() {
        ManualExecutor publisherThread = new ManualExecutor();
        FakeSnapshotSource source = new FakeSnapshotSource();
        MetricsPublisher publisher = new MetricsPublisher(
                ScrapeEndpointConfig.of(
                        "127.0.0.1", 0, "/metrics", Duration.ofHours(1), Duration.ZERO, "9.9.9", "rev", false, null),
                source,
                new PrometheusRegistry(),
                System::nanoTime);
        EmbeddedChannel channel = new EmbeddedChannel(
                new HttpPipeliningHandler(),
                new RequestRouter("/metrics"),
                new HealthHandler(() -> true, () -> true),
                new BasicAuthHandler(() -> WebConfig.NONE, null),
                new MetricsHandler(publisher),
                new ClusterPagesHandler(publisher, publisherThread, () -> WebConfig.NONE),
                new ConnectionCloseHandler());

        channel.writeInbound(
                request(HttpMethod.GET, "/"), request(HttpMethod.GET, "/-/healthy"), request(HttpMethod.GET, "/nope"));
        assertThat(channel.<Object>readOutbound()).isNull(); // the page waits for the publisher thread

        publisherThread.runAll();
        channel.runPendingTasks();

        FullHttpResponse page = channel.readOutbound();
        assertThat(page.headers().get("content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(bodyOf(page)).contains("<h1>Nun-db exporter</h1>");
        channel.runPendingTasks();
        assertThat(bodyOf(channel.readOutbound())).isEqualTo("Healthy\n");
        channel.runPendingTasks();
        FullHttpResponse notFound = channel.readOutbound();
        assertThat(notFound.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        notFound.release();
        publisher.close(0);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
