package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nundb.exporter.model.LogField;
import io.nundb.exporter.model.LogField.Key;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
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
    void writesLogFieldsAsLogfmtKeys() {
        String line = new LogFormatter(false)
                .format(record(
                        Level.WARNING,
                        "node is down",
                        new LogField(Key.NODE, "db:3014"),
                        new LogField(Key.REASON, "refused")));

        assertThat(line)
                .isEqualTo("ts=1970-01-01T00:00:00Z level=warn logger=MetricsPublisher msg=\"node is down\""
                        + " node=db:3014 reason=refused\n");
    }

    @Test
    void writesLogFieldsAsJsonMembers() {
        String line = new LogFormatter(true)
                .format(record(
                        Level.INFO,
                        "discovered node",
                        new LogField(Key.NODE, "nundb-0:3014"),
                        new LogField(Key.MEMBER, "nundb-1:3014")));

        assertThat(line)
                .isEqualTo("{\"ts\":\"1970-01-01T00:00:00Z\",\"level\":\"info\",\"logger\":\"MetricsPublisher\","
                        + "\"msg\":\"discovered node\",\"node\":\"nundb-0:3014\",\"member\":\"nundb-1:3014\"}\n");
    }

    @Test
    void escapesQuotesNewlinesAndEqualsInFieldValues() {
        LogField odd = new LogField(Key.NODE, "a=\"b\"\nc");
        LogField plain = new LogField(Key.DATABASE, "canary");

        String logfmt = new LogFormatter(false).format(record(Level.INFO, "m", odd, plain));
        String json = new LogFormatter(true).format(record(Level.INFO, "m", odd, plain));

        assertThat(logfmt).endsWith(" msg=m node=\"a=\\\"b\\\"\\nc\" database=canary\n");
        assertThat(logfmt.split("\n")).hasSize(1);
        assertThat(json).endsWith(",\"msg\":\"m\",\"node\":\"a=\\\"b\\\"\\nc\",\"database\":\"canary\"}\n");
        assertThat(json.split("\n")).hasSize(1);
    }

    @Test
    void logFieldsAreAttachedOnlyWhenTheLevelIsEnabled() {
        Logger log = Logger.getAnonymousLogger();
        log.setUseParentHandlers(false);
        log.setLevel(Level.INFO);
        List<LogRecord> records = new ArrayList<>();
        log.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });

        LogField.log(log, Level.FINE, "hidden", Key.NODE, "n0");
        LogField.log(log, Level.INFO, "node is down", Key.NODE, "n1", Key.REASON, "timeout");

        assertThat(records).hasSize(1);
        assertThat(records.get(0).getParameters())
                .containsExactly(new LogField(Key.NODE, "n1"), new LogField(Key.REASON, "timeout"));
    }

    @Test
    void mapsLevels() {
        assertThat(LogFormatter.level(Level.SEVERE)).isEqualTo("error");
        assertThat(LogFormatter.level(Level.INFO)).isEqualTo("info");
        assertThat(LogFormatter.level(Level.FINEST)).isEqualTo("trace");
        assertThat(LoggingSetup.level("warn")).isEqualTo(Level.WARNING);
    }
}
