package io.nundb.exporter.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PendingOpsAggregatorBoundsTest {
    @Test
    void aReplyNamingThousandsOfMembersTracksAtMostTheCap() throws Exception {
        PendingOpsAggregator aggregator = new PendingOpsAggregator();
        aggregator.begin(new PendingOpsAggregator.MemberClassifier() {
            @Override
            public long processStartNanos(String member) {
                return UNKNOWN_START;
            }

            @Override
            public boolean inView(String member) {
                return true;
            }
        });
        feed(aggregator, "pending-ops ");
        int entries = 5000;
        for (int i = 0; i < entries; i++) {
            feed(
                    aggregator,
                    "message: \"replicate demo pk -1 k\", opp_id: " + (1000 + i)
                            + ", ack_count: 0, replicate_count: 1, replications: , 10.0.0." + i + ":3014:false");
        }

        PendingOpsSnapshot snapshot = aggregator.finish(0);

        assertThat(snapshot.members()).hasSize(PendingOpsAggregator.MAX_MEMBERS);
        assertThat(aggregator.malformedEntries()).isEqualTo(entries - PendingOpsAggregator.MAX_MEMBERS);
    }

    private static void feed(PendingOpsAggregator aggregator, String line) {
        ByteBuf buf = Unpooled.copiedBuffer(line, StandardCharsets.UTF_8);
        try {
            aggregator.accept(buf);
        } finally {
            buf.release();
        }
    }
}
