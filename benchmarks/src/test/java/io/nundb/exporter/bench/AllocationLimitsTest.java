package io.nundb.exporter.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class AllocationLimitsTest {
    private static final String PREFIX = "io.nundb.exporter.timing.RecordTimingBenchmark.";

    private static String result(String method, String params, String alloc) {
        String secondary = alloc == null
                ? "{}"
                : "{\"gc.alloc.rate\":{\"score\":12.5,\"scoreUnit\":\"MB/sec\"},"
                        + "\"gc.alloc.rate.norm\":{\"score\":" + alloc + ",\"scoreUnit\":\"B/op\","
                        + "\"scoreConfidence\":[0.0,1.0],\"rawData\":[[0.001,0.002]]}}";
        return "{\"jmhVersion\":\"1.37\",\"benchmark\":\"" + PREFIX + method + "\",\"mode\":\"avgt\","
                + (params == null ? "" : "\"params\":{\"clockStepNanos\":\"" + params + "\"},")
                + "\"primaryMetric\":{\"score\":9.5,\"scoreUnit\":\"ns/op\",\"scoreError\":\"NaN\"},"
                + "\"secondaryMetrics\":" + secondary + "}";
    }

    private static String json(String... results) {
        return "[\n" + String.join(",\n", results) + "\n]\n";
    }

    @Test
    void passesWhenEveryParameterSetIsWithinTheLimit() {
        AllocationLimits.Result r = AllocationLimits.check(
                List.of("# gate", "RecordTimingBenchmark.record <= 1", ""),
                json(result("record", "1000", "0.002"), result("record", "1000000000", "1.0E-4")),
                null);

        assertThat(r.failures()).isEmpty();
        assertThat(r.lines()).hasSize(2).allMatch(l -> l.startsWith("ok"));
    }

    @Test
    void failsWhenOneParameterSetExceedsTheLimit() {
        AllocationLimits.Result r = AllocationLimits.check(
                List.of("RecordTimingBenchmark.record <= 1"),
                json(result("record", "1000", "0.002"), result("record", "1000000000", "24.0")),
                null);

        assertThat(r.failures()).singleElement().asString().contains("clockStepNanos=1000000000", "24.0", "exceeds");
    }

    @Test
    void failsWhenAListedBenchmarkIsMissing() {
        AllocationLimits.Result r = AllocationLimits.check(
                List.of("RecordTimingBenchmark.record <= 1", "RecordTimingBenchmark.baseline <= 1"),
                json(result("record", null, "0")),
                null);

        assertThat(r.failures()).singleElement().asString().contains("baseline", "missing");
    }

    @Test
    void toleratesMissingBenchmarksTheSelectorDidNotRun() {
        AllocationLimits.Result r = AllocationLimits.check(
                List.of("RecordTimingBenchmark.record <= 1", "ParseBenchmark.metricsState <= 1"),
                json(result("record", null, "0")),
                Pattern.compile("RecordTiming"));

        assertThat(r.failures()).isEmpty();
    }

    @Test
    void failsWhenTheRunHadNoGcProfiler() {
        AllocationLimits.Result r = AllocationLimits.check(
                List.of("RecordTimingBenchmark.record <= 1"), json(result("record", null, null)), null);

        assertThat(r.failures()).singleElement().asString().contains("-prof gc");
    }

    @Test
    void failsOnNotANumber() {
        AllocationLimits.Result r = AllocationLimits.check(
                List.of("RecordTimingBenchmark.record <= 1"), json(result("record", null, "\"NaN\"")), null);

        assertThat(r.failures()).hasSize(1);
    }

    @Test
    void doesNotMatchABenchmarkWhoseNameOnlyEndsTheSame() {
        AllocationLimits.Result r =
                AllocationLimits.check(List.of("Timing.record <= 1"), json(result("record", null, "0")), null);

        assertThat(r.failures()).singleElement().asString().contains("missing");
    }

    @Test
    void rejectsMalformedLimitsAndJson() {
        assertThatThrownBy(() -> AllocationLimits.check(List.of("RecordTimingBenchmark.record < 1"), "[]", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AllocationLimits.check(List.of("A.b <= x"), "[]", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AllocationLimits.check(List.of("A.b <= 1", "A.b <= 2"), "[]", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AllocationLimits.check(List.of(), "[{\"a\":}]", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> AllocationLimits.check(List.of(), "{}", null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
