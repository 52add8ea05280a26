package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogFormatterTest {
    static LogRecord record(Level level, String msg, Object... params) {
        LogRecord r = new LogRecord(level, msg);
        r.setLoggerName("io.nundb.exporter.http.MetricsPublisher");
        r.setInstant(java.time.Instant.EPOCH);
        if (params.length > 0) {
            r.setParameters(params);
        }
        return r;
    }

    @Test
    void writesLogfmtWithKeyValuePairsAndQuoting() {
        String line = new LogFormatter(false)
                .format(record(Level.WARNING, "node down", "node", "db:3014", "reason", "refused now"));

        assertThat(line)
                .isEqualTo("ts=1970-01-01T00:00:00Z level=warn logger=MetricsPublisher msg=\"node down\" node=db:3014"
                        + " reason=\"refused now\"\n");
    }

    @Test
    void writesJsonWithEscaping() {
        String line = new LogFormatter(true).format(record(Level.FINE, "say \"hi\"\n", "k", "v"));

        assertThat(line)
                .isEqualTo("{\"ts\":\"1970-01-01T00:00:00Z\",\"level\":\"debug\",\"logger\":\"MetricsPublisher\","
                        + "\"msg\":\"say \\\"hi\\\"\\n\",\"k\":\"v\"}\n");
    }

    @Test
    void mapsLevels() {
        assertThat(LogFormatter.level(Level.SEVERE)).isEqualTo("error");
        assertThat(LogFormatter.level(Level.INFO)).isEqualTo("info");
        assertThat(LogFormatter.level(Level.FINEST)).isEqualTo("trace");
        assertThat(LoggingSetup.level("warn")).isEqualTo(Level.WARNING);
    }
}
