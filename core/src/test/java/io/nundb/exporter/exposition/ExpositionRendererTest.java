package io.nundb.exporter.exposition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class ExpositionRendererTest {
    static MetricSnapshots families(int series) {
        GaugeSnapshot.Builder g =
                GaugeSnapshot.builder().name("nundb_test_value").help("a test gauge");
        for (int i = 0; i < series; i++) {
            g.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(Labels.of("node", "n" + i + ":3017"))
                    .value(i * 1.5)
                    .build());
        }
        return MetricSnapshots.of(g.build());
    }

    final ExpositionRenderer renderer = new ExpositionRenderer(UnpooledByteBufAllocator.DEFAULT, 1);

    @Test
    void writesWhatTheClientJavaWriterWrites() throws IOException {
        MetricSnapshots families = families(3);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        ExpositionFormats.init().getOpenMetricsTextFormatWriter().write(expected, families);

        ByteBuf body = renderer.write(renderer.writer(ExpositionFormat.OPENMETRICS), families, 0);
        try {
            assertThat(ByteBufUtil.getBytes(body)).isEqualTo(expected.toByteArray());
        } finally {
            body.release();
        }
    }

    @Test
    void sizesTheBufferFromThePreviousBodyPlusAnEighth() throws IOException {
        ByteBuf body = renderer.write(renderer.writer(ExpositionFormat.TEXT), families(1), 80_000);
        try {
            assertThat(body.capacity()).isEqualTo(90_000);
        } finally {
            body.release();
        }
        assertThat(ExpositionRenderer.capacityFor(0)).isEqualTo(ExpositionRenderer.MIN_CAPACITY);
    }

    @Test
    void gzipDecompressesToTheIdentityBodyAndLeavesItReadable() throws IOException {
        ByteBuf identity = renderer.write(renderer.writer(ExpositionFormat.TEXT), families(500), 0);
        ByteBuf gz = renderer.gzip(identity, 0);
        try {
            byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(ByteBufUtil.getBytes(gz))).readAllBytes();
            assertThat(unzipped).isEqualTo(ByteBufUtil.getBytes(identity));
            assertThat(gz.readableBytes()).isLessThan(identity.readableBytes());
        } finally {
            identity.release();
            gz.release();
        }
    }

    @Test
    void theLevelIsTheDeflateLevel() throws IOException {
        ExpositionRenderer best = new ExpositionRenderer(UnpooledByteBufAllocator.DEFAULT, Deflater.BEST_COMPRESSION);
        ByteBuf identity = renderer.write(renderer.writer(ExpositionFormat.TEXT), families(2000), 0);
        ByteBuf fast = renderer.gzip(identity, 0);
        ByteBuf small = best.gzip(identity, 0);
        try {
            assertThat(fast.readableBytes()).isGreaterThan(small.readableBytes());
        } finally {
            identity.release();
            fast.release();
            small.release();
        }
        assertThat(ExpositionRenderer.GZIP_LEVEL).isEqualTo(Deflater.BEST_SPEED);
        assertThatThrownBy(() -> new ExpositionRenderer(UnpooledByteBufAllocator.DEFAULT, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
