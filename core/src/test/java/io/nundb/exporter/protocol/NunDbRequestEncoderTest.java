package io.nundb.exporter.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NunDbRequestEncoderTest {
    @Test
    void writesEachRequestAsOneBufferHoldingTheWholeLine() {
        EmbeddedChannel channel = new EmbeddedChannel(NunDbRequestEncoder.INSTANCE);
        channel.write(NunDbRequest.of(NunDbCommand.AUTH, "nun", "nun pwd"));
        channel.write(NunDbRequest.of(NunDbCommand.METRICS_STATE));
        channel.write(NunDbRequest.of(NunDbCommand.DEBUG_PENDING_OPS));
        assertThat(channel.outboundMessages())
                .as("nothing before the caller flushes")
                .isEmpty();
        channel.flush();
        assertThat(readLine(channel)).isEqualTo("auth nun nun pwd\n");
        assertThat(readLine(channel)).isEqualTo("metrics-state\n");
        assertThat(readLine(channel)).isEqualTo("debug pending-ops\n");
        Object rest = channel.readOutbound();
        assertThat(rest).isNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void sizesTheBufferToTheLine() {
        EmbeddedChannel channel = new EmbeddedChannel(NunDbRequestEncoder.INSTANCE);
        NunDbRequest request = NunDbRequest.of(NunDbCommand.SET, "canary", "x".repeat(1300));
        channel.writeOutbound(request);
        ByteBuf out = channel.readOutbound();
        assertThat(out.readableBytes()).isEqualTo(request.length()).isEqualTo(1300 + "set canary \n".length());
        assertThat(out.capacity()).isEqualTo(request.length());
        out.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void isSharableAcrossChannels() {
        assertThat(NunDbRequestEncoder.INSTANCE.isSharable()).isTrue();
        EmbeddedChannel a = new EmbeddedChannel(NunDbRequestEncoder.INSTANCE);
        EmbeddedChannel b = new EmbeddedChannel(NunDbRequestEncoder.INSTANCE);
        a.writeOutbound(NunDbRequest.of(NunDbCommand.CLUSTER_STATE));
        b.writeOutbound(NunDbRequest.of(NunDbCommand.WATCH, "canary-key"));
        assertThat(readLine(a)).isEqualTo("cluster-state\n");
        assertThat(readLine(b)).isEqualTo("watch canary-key\n");
        assertThat(a.finishAndReleaseAll()).isFalse();
        assertThat(b.finishAndReleaseAll()).isFalse();
    }

    private static String readLine(EmbeddedChannel channel) {
        ByteBuf buf = channel.readOutbound();
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }
}
