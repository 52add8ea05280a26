package io.nundb.exporter.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A decoded line copied out of its buffer (ISO-8859-1, so every byte survives), and the harness that
 * feeds bytes to a {@link NunDbReplyDecoder} on an {@link EmbeddedChannel} split at given offsets,
 * releases every line and checks that nothing leaked: every input buffer ends with refCnt 0 and
 * {@code finishAndReleaseAll()} finds nothing left.
 *
 * <p>Thread-safety: immutable record; the static helpers are stateless.
 */
record DecodedLine(NunDbLine.Kind kind, String content, boolean truncated) {
    static DecodedLine payload(String content) {
        return new DecodedLine(NunDbLine.Kind.PAYLOAD, content, false);
    }

    static DecodedLine ok() {
        return new DecodedLine(NunDbLine.Kind.OK, "", false);
    }

    static DecodedLine error(String content) {
        return new DecodedLine(NunDbLine.Kind.ERROR, content, false);
    }

    static DecodedLine changed(String content) {
        return new DecodedLine(NunDbLine.Kind.CHANGED, content, false);
    }

    static DecodedLine changedVersion(String content) {
        return new DecodedLine(NunDbLine.Kind.CHANGED_VERSION, content, false);
    }

    static DecodedLine removed(String content) {
        return new DecodedLine(NunDbLine.Kind.REMOVED, content, false);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes {@code input} in one read. */
    static List<DecodedLine> decode(byte[] input, NunDbDecoderConfig config) {
        return decode(input, new int[0], config, true);
    }

    /** Decodes {@code input} split at {@code splits} random offsets drawn from {@code random}. */
    static List<DecodedLine> decodeSplit(byte[] input, Random random, NunDbDecoderConfig config) {
        int cuts = input.length < 2 ? 0 : random.nextInt(Math.min(input.length, 12) + 1);
        int[] offsets = random.ints(cuts, 1, Math.max(2, input.length)).sorted().toArray();
        return decode(input, offsets, config, true);
    }

    /**
     * Decodes {@code input} cut at the sorted {@code offsets}, one {@code writeInbound} per piece, then
     * closes the channel when {@code close} is set (so a held sequence line is flushed).
     */
    static List<DecodedLine> decode(byte[] input, int[] offsets, NunDbDecoderConfig config, boolean close) {
        EmbeddedChannel channel = new EmbeddedChannel(new NunDbReplyDecoder(config));
        List<ByteBuf> inputs = new ArrayList<>();
        List<DecodedLine> lines = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= offsets.length; i++) {
            int to = i < offsets.length ? offsets[i] : input.length;
            if (to <= from) {
                continue;
            }
            ByteBuf piece = Unpooled.buffer(to - from).writeBytes(input, from, to - from);
            inputs.add(piece);
            channel.writeInbound(piece);
            drain(channel, lines);
            from = to;
        }
        if (close) {
            channel.close();
            drain(channel, lines);
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
        for (ByteBuf piece : inputs) {
            assertThat(piece.refCnt()).as("input buffer released").isZero();
        }
        return lines;
    }

    static void drain(EmbeddedChannel channel, List<DecodedLine> lines) {
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            lines.add(take((NunDbLine) msg));
        }
    }

    /** Copies and releases {@code line}. */
    static DecodedLine take(NunDbLine line) {
        try {
            return new DecodedLine(line.kind(), line.content().toString(StandardCharsets.ISO_8859_1), line.truncated());
        } finally {
            assertThat(line.release()).isTrue();
        }
    }

    /** A fixture string as the ISO-8859-1 view the harness produces of its UTF-8 bytes. */
    static String latin1(String utf8) {
        return new String(bytes(utf8), StandardCharsets.ISO_8859_1);
    }
}
