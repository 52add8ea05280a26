package io.nundb.exporter.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one HTTP connection: idle timeout, bounded HTTP/1.1 decoding (request line, headers),
 * keep-alive, a small aggregator that rejects large bodies with 413, then the router.
 *
 * <p>Thread-safety: stateless apart from immutable settings; shared by all accepted channels.
 */
final class ExporterHttpInitializer extends ChannelInitializer<SocketChannel> {
    private final MetricsPublisher publisher;
    private final ScrapeEndpointConfig config;

    ExporterHttpInitializer(MetricsPublisher publisher) {
        this.publisher = publisher;
        this.config = publisher.config();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast(new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast(new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(8192)));
        p.addLast(new HttpServerKeepAliveHandler());
        p.addLast(new HttpObjectAggregator(config.maxRequestBody()));
        p.addLast(new ExporterHttpHandler(publisher));
    }
}
