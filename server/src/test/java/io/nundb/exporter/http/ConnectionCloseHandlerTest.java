package io.nundb.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ConnectionCloseHandlerTest {
    @Test
    void closesAnIdleConnection() {
        EmbeddedChannel channel = new EmbeddedChannel(new ConnectionCloseHandler());

        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);

        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void closesTheConnectionWhenAHandlerBeforeItFails() {
        EmbeddedChannel channel = new EmbeddedChannel(
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                        throw new IOException("connection reset by peer");
                    }
                },
                new ConnectionCloseHandler());

        channel.writeInbound("anything");

        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void passesOtherEventsOn() {
        EmbeddedChannel channel = new EmbeddedChannel(new ConnectionCloseHandler());

        channel.pipeline().fireUserEventTriggered("some event");

        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
