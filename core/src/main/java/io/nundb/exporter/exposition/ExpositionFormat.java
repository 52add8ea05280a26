package io.nundb.exporter.exposition;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;

/**
 * The exposition formats the exporter serves, the values of the {@code format} label of
 * {@code nundb_exporter_renders_total}.
 *
 * <p>Thread-safety: immutable.
 */
public enum ExpositionFormat {
    /** Prometheus text 0.0.4. */
    TEXT("text"),
    /** OpenMetrics 1.0 text. */
    OPENMETRICS("openmetrics"),
    /** Prometheus protobuf, delimited {@code MetricFamily} messages. */
    PROTOBUF("protobuf");

    private final String label;

    ExpositionFormat(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The format a client_java writer produces; anything unknown is treated as text. */
    public static ExpositionFormat of(ExpositionFormatWriter writer) {
        if (writer instanceof PrometheusProtobufWriter) {
            return PROTOBUF;
        }
        if (writer instanceof OpenMetricsTextFormatWriter) {
            return OPENMETRICS;
        }
        return TEXT;
    }
}
