package io.nundb.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.nundb.exporter.http.OutboundBackpressureHandler.StalledBytes;
import org.junit.jupiter.api.Test;

class OutboundBackpressureHandlerTest {
    private static EmbeddedChannel channel(StalledBytes stalled) {
        EmbeddedChannel ch = new EmbeddedChannel(new OutboundBackpressureHandler(stalled));
        ch.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8, 16));
        return ch;
    }

    @Test
    void stopsReadingWhileUnwritableAndCountsThePendingBytes() {
        StalledBytes stalled = new StalledBytes(1000);
        EmbeddedChannel ch = channel(stalled);

        ch.write(Unpooled.wrappedBuffer(new byte[100])); // not flushed: the client does not read

        assertThat(ch.isWritable()).isFalse();
        assertThat(ch.config().isAutoRead()).isFalse();
        // The buffer's own accounting: the bytes and the entry's overhead.
        assertThat(stalled.total()).isEqualTo(ch.unsafe().outboundBuffer().totalPendingWriteBytes());
        assertThat(stalled.total()).isGreaterThanOrEqualTo(100);

        ch.flush();

        assertThat(ch.isWritable()).isTrue();
        assertThat(ch.config().isAutoRead()).isTrue();
        assertThat(stalled.total()).isZero();
        assertThat(ch.finishAndReleaseAll()).isTrue();
    }

    @Test
    void closesAConnectionThatStallsWhileTheBudgetIsSpent() {
        StalledBytes stalled = new StalledBytes(100);
        EmbeddedChannel first = channel(stalled);
        EmbeddedChannel second = channel(stalled);

        first.write(Unpooled.wrappedBuffer(new byte[100]));
        long counted = stalled.total();
        second.write(Unpooled.wrappedBuffer(new byte[100]));

        assertThat(counted).isGreaterThanOrEqualTo(100);
        assertThat(first.isActive()).isTrue();
        assertThat(second.isActive()).isFalse();
        assertThat(stalled.total()).isEqualTo(counted);

        first.close();

        assertThat(stalled.total()).isZero();
        assertThat(first.finishAndReleaseAll()).isFalse();
        assertThat(second.finishAndReleaseAll()).isFalse();
    }
}
