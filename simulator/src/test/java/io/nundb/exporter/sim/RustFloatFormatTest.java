package io.nundb.exporter.sim;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RustFloatFormatTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "0.0|0.0",
                "-0.0|-0.0",
                "1.0|1.0",
                "147.0|147.0",
                "1043.0|1043.0",
                "2.419368907874114|2.419368907874114",
                "0.0005641915184967369|0.0005641915184967369",
                "7.003404479057364e-5|7.003404479057364e-5",
                "5.723407763652384e-6|5.723407763652384e-6",
                "2.573621751988715e-18|2.573621751988715e-18",
                "1.8110653344759675|1.8110653344759675",
                "54.80296410838878|54.80296410838878",
                "0.0001|0.0001",
                "1e16|1e16",
                "9999999999999998|9999999999999998.0",
                "1.5e300|1.5e300",
                "0.1|0.1",
                "123456.789|123456.789",
                "-3.25|-3.25",
                "4.9e-324|5e-324",
            })
    void formatsLikeRustDebug(double value, String expected) {
        assertThat(RustFloatFormat.format(value)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"NaN,NaN", "Infinity,inf", "-Infinity,-inf"})
    void formatsNonFiniteLikeRust(String javaName, String expected) {
        assertThat(RustFloatFormat.format(Double.parseDouble(javaName))).isEqualTo(expected);
    }

    @Property
    void roundTripsThroughJavaParsing(@ForAll double value) {
        String text = RustFloatFormat.format(value);
        if (Double.isNaN(value)) {
            assertThat(text).isEqualTo("NaN");
        } else if (!Double.isInfinite(value)) {
            assertThat(Double.parseDouble(text)).isEqualTo(value);
            assertThat(text).matches("-?\\d+(\\.\\d+)?(e-?\\d+)?").containsAnyOf(".", "e");
        }
    }
}
