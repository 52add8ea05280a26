package io.nundb.exporter.http;

import static io.nundb.exporter.exposition.ExpositionFormat.OPENMETRICS;
import static io.nundb.exporter.exposition.ExpositionFormat.PROTOBUF;
import static io.nundb.exporter.exposition.ExpositionFormat.TEXT;
import static io.nundb.exporter.http.ContentNegotiation.Coding.GZIP;
import static io.nundb.exporter.http.ContentNegotiation.Coding.IDENTITY;
import static io.nundb.exporter.http.ContentNegotiation.Coding.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContentNegotiationTest {
    @Test
    void gzipWhenAcceptableAndAtLeastAsPreferredAsIdentity() {
        assertThat(ContentNegotiation.coding("gzip")).isEqualTo(GZIP);
        assertThat(ContentNegotiation.coding("deflate, GZIP ;q=0.8")).isEqualTo(GZIP);
        assertThat(ContentNegotiation.coding("br, gzip;q=0.5")).isEqualTo(GZIP); // identity is unlisted
        assertThat(ContentNegotiation.coding("x-gzip")).isEqualTo(GZIP);
        assertThat(ContentNegotiation.coding("*")).isEqualTo(GZIP);
        assertThat(ContentNegotiation.coding("*;q=0, gzip")).isEqualTo(GZIP);
        assertThat(ContentNegotiation.coding("gzip;q=1.000, identity;q=0.5")).isEqualTo(GZIP);
    }

    @Test
    void identityWhenGzipIsRefusedOrLessPreferred() {
        assertThat(ContentNegotiation.coding(null)).isEqualTo(IDENTITY);
        assertThat(ContentNegotiation.coding("")).isEqualTo(IDENTITY);
        assertThat(ContentNegotiation.coding("gzip;q=0")).isEqualTo(IDENTITY);
        assertThat(ContentNegotiation.coding("gzip;q=0.000")).isEqualTo(IDENTITY);
        assertThat(ContentNegotiation.coding("gzip; Q=0")).isEqualTo(IDENTITY);
        assertThat(ContentNegotiation.coding("*, gzip;q=0")).isEqualTo(IDENTITY);
        assertThat(ContentNegotiation.coding("identity, br")).isEqualTo(IDENTITY);
        assertThat(ContentNegotiation.coding("gzip;q=0.4, identity;q=0.5")).isEqualTo(IDENTITY);
        assertThat(ContentNegotiation.coding("*;q=0, identity")).isEqualTo(IDENTITY);
    }

    @Test
    void noneWhenIdentityIsExcludedAndGzipNotAccepted() {
        assertThat(ContentNegotiation.coding("identity;q=0")).isEqualTo(NONE);
        assertThat(ContentNegotiation.coding("*;q=0")).isEqualTo(NONE);
        assertThat(ContentNegotiation.coding("br, identity;q=0")).isEqualTo(NONE);
        assertThat(ContentNegotiation.coding("gzip;q=0, *;q=0")).isEqualTo(NONE);
    }

    @Test
    void keepsClientJavasChoiceUnlessTheHeaderRefusesIt() {
        assertThat(ContentNegotiation.format(null, TEXT)).isEqualTo(TEXT);
        String prometheus = "application/openmetrics-text;version=1.0.0;q=0.5,"
                + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        assertThat(ContentNegotiation.format(prometheus, OPENMETRICS)).isEqualTo(OPENMETRICS);
        assertThat(ContentNegotiation.format("application/json", TEXT)).isEqualTo(TEXT);

        assertThat(ContentNegotiation.format("application/openmetrics-text;q=0, text/plain", OPENMETRICS))
                .isEqualTo(TEXT);
        assertThat(ContentNegotiation.format("application/openmetrics-text;q=0", OPENMETRICS))
                .isEqualTo(TEXT);
        assertThat(ContentNegotiation.format(
                        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0,"
                                + "application/openmetrics-text;q=0.3",
                        PROTOBUF))
                .isEqualTo(OPENMETRICS);
        assertThat(ContentNegotiation.format("text/*;q=0, */*", TEXT)).isEqualTo(OPENMETRICS);
        assertThat(ContentNegotiation.format("text/plain, text/*;q=0", TEXT)).isEqualTo(TEXT);
    }

    @Test
    void noFormatWhenTheHeaderRefusesEveryOne() {
        assertThat(ContentNegotiation.format("text/plain;q=0", TEXT)).isNull();
        assertThat(ContentNegotiation.format("*/*;q=0", TEXT)).isNull();
        assertThat(ContentNegotiation.format("text/plain;q=0, application/*;q=0", TEXT))
                .isNull();
    }
}
