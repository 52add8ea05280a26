package io.nundb.exporter.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The responses every handler of the endpoint writes: full HTTP/1.1 responses with {@code Content-Type}
 * and {@code Content-Length}, a HEAD answered with the length of the body it does not carry, short
 * plain-text bodies for errors. Never a stack trace.
 *
 * <p>Thread-safety: stateless.
 */
final class HttpResponses {
    static final String TEXT_PLAIN = "text/plain; charset=utf-8";

    private HttpResponses() {}

    /** A full response owning {@code content}; for HEAD the body is released and its length kept. */
    static FullHttpResponse response(HttpResponseStatus status, String contentType, ByteBuf content, boolean head) {
        int length = content.readableBytes();
        ByteBuf body = content;
        if (head) {
            content.release();
            body = Unpooled.EMPTY_BUFFER;
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        return r;
    }

    /** A plain-text response. */
    static FullHttpResponse text(HttpResponseStatus status, String text, boolean head) {
        return response(status, TEXT_PLAIN, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), head);
    }

    /**
     * A response built once and sent many times with {@code retainedDuplicate()} (which copies the headers,
     * so handlers after it may set theirs): an unreleasable buffer, so no sender can free it.
     */
    static FullHttpResponse constant(HttpResponseStatus status, String text, boolean head) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuf body = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
        FullHttpResponse r =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.unreleasableBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
    }

    /** Writes a plain-text response; with {@code close}, {@code Connection: close} (the keep-alive handler closes). */
    static void sendText(
            ChannelHandlerContext ctx, HttpResponseStatus status, String text, boolean head, boolean close) {
        FullHttpResponse r = text(status, text, head);
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.writeAndFlush(r);
    }
}
