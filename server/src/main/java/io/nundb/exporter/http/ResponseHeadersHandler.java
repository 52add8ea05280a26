package io.nundb.exporter.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Adds the web configuration's {@code http_server_config.headers} to every response, read from the
 * current configuration at each response (so a reload applies at once).
 *
 * <pre>{@code
 * p.addLast(new HttpServerCodec(decoderConfig));
 * p.addLast(responseHeaders); // after the codec: sees HttpResponse objects on their way out
 * }</pre>
 *
 * <p>Thread-safety: stateless apart from the configuration supplier; {@link Sharable}.
 */
@Sharable
final class ResponseHeadersHandler extends ChannelOutboundHandlerAdapter {
    private final Supplier<WebConfig> webConfig;

    ResponseHeadersHandler(Supplier<WebConfig> webConfig) {
        this.webConfig = webConfig;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse) {
            Map<String, String> headers = webConfig.get().headers();
            if (!headers.isEmpty()) {
                HttpResponse r = (HttpResponse) msg;
                for (Map.Entry<String, String> h : headers.entrySet()) {
                    r.headers().set(h.getKey(), h.getValue());
                }
            }
        }
        super.write(ctx, msg, promise);
    }
}
