package io.nundb.exporter.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class NunDbReplyDecoderPropertiesTest {
    private static final NunDbDecoderConfig SMALL = new NunDbDecoderConfig(256, 512, true);

    /** Arbitrary bytes, biased towards the words, separators and sequences the decoder treats specially. */
    @Provide
    Arbitrary<byte[]> streams() {
        Arbitrary<byte[]> tokens = Arbitraries.of(
                        "ok \n",
                        "\n",
                        " \n",
                        " ",
                        "\r",
                        "error ",
                        "error x \n",
                        "error no-db-selected\n",
                        "error error no-db-selected\n",
                        "permission denied\n",
                        "error permission denied\n",
                        "changed k v\n",
                        "changed-version k 1 v\n",
                        "removed ",
                        "cluster-state ",
                        "x".repeat(300),
                        "y".repeat(600))
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> single = Arbitraries.bytes().map(b -> new byte[] {b});
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, tokens), net.jqwik.api.Tuple.of(2, single))
                .list()
                .ofMaxSize(60)
                .map(pieces -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    pieces.forEach(out::writeBytes);
                    return out.toByteArray();
                });
    }

    @Provide
    Arbitrary<int[]> cuts() {
        return Arbitraries.integers().between(1, 10_000).array(int[].class).ofMaxSize(25);
    }

    @Property(tries = 1000)
    void anySplitDecodesLikeOneReadWithoutLeaksOrExceptions(
            @ForAll("streams") byte[] input, @ForAll("cuts") int[] cuts) {
        int[] offsets = java.util.Arrays.stream(cuts)
                .map(c -> input.length < 2 ? 0 : 1 + c % (input.length - 1))
                .filter(c -> c > 0)
                .sorted()
                .distinct()
                .toArray();
        List<DecodedLine> whole = DecodedLine.decode(input, SMALL);
        List<DecodedLine> split = DecodedLine.decode(input, offsets, SMALL, true);
        assertThat(split).isEqualTo(whole);
        for (DecodedLine line : whole) {
            assertThat(line.content()).doesNotContain("\n");
            assertThat(line.content().length()).isLessThanOrEqualTo(SMALL.maxClusterStateLineBytes());
            if (!line.content().startsWith("cluster-state ")) {
                assertThat(line.content().length()).isLessThanOrEqualTo(SMALL.maxLineBytes());
            }
            if (line.kind() == NunDbLine.Kind.PAYLOAD && !line.truncated()) {
                assertThat(line.content()).isNotEmpty().isNotEqualTo("ok ");
            }
        }
    }
}
