package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.ReplyParseException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReplyDecodingTest {
    @Test
    void countsAReplyWithoutItsPrefixAsUnsupported() {
        assertThat(reasonFor("cluster-state nundb-0:3014(self):Primary")).isEqualTo(PollErrorReason.UNSUPPORTED);
    }

    @Test
    void countsAReplyWithMalformedFieldsAsProtocol() {
        assertThat(reasonFor("metrics-state pending_ops: x")).isEqualTo(PollErrorReason.PROTOCOL);
    }

    private static PollErrorReason reasonFor(String metricsStateLine) {
        ByteBuf line = Unpooled.copiedBuffer(metricsStateLine, StandardCharsets.US_ASCII);
        try {
            ReplyParseException e =
                    catchThrowableOfType(ReplyParseException.class, () -> ReplyDecoding.metricsState(line));
            assertThat(e).isNotNull();
            return ReplyDecoding.reason(e);
        } finally {
            line.release();
        }
    }
}
