package io.nundb.exporter.cli;

import java.time.Duration;

/**
 * Durations in Prometheus style: one or more {@code <integer><unit>} terms, units {@code ms s m h d w y}
 * in decreasing order, e.g. {@code 500ms}, {@code 1s}, {@code 1m30s}, {@code 1h}; {@code 0} is zero.
 *
 * <p>Thread-safety: stateless.
 */
public final class PrometheusDuration {
    private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};
    private static final long[] MILLIS = {
        365L * 86_400_000L, 7L * 86_400_000L, 86_400_000L, 3_600_000L, 60_000L, 1000L, 1L
    };

    private PrometheusDuration() {}

    /** Parses {@code text}; the exception message names the problem but not the option. */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        long total = 0;
        int i = 0;
        int lastUnit = -1;
        while (i < text.length()) {
            int start = i;
            while (i < text.length() && Character.isDigit(text.charAt(i))) {
                i++;
            }
            if (i == start || i - start > 12) {
                throw new IllegalArgumentException("not a duration like 500ms, 1s, 5m, 1h: " + text);
            }
            long value = Long.parseLong(text.substring(start, i));
            int unit = -1;
            // "ms" must be tried before "m".
            if (text.startsWith("ms", i)) {
                unit = 6;
            } else {
                for (int u = 0; u < 6; u++) {
                    if (text.startsWith(UNITS[u], i)) {
                        unit = u;
                        break;
                    }
                }
            }
            if (unit < 0 || unit <= lastUnit) {
                throw new IllegalArgumentException("not a duration like 500ms, 1s, 5m, 1h: " + text);
            }
            i += UNITS[unit].length();
            lastUnit = unit;
            total = Math.addExact(total, Math.multiplyExact(value, MILLIS[unit]));
        }
        return Duration.ofMillis(total);
    }

    /** Formats like Prometheus: {@code 1m30s}, {@code 500ms}, {@code 0s}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        StringBuilder b = new StringBuilder();
        for (int u = 0; u < UNITS.length; u++) {
            long n = ms / MILLIS[u];
            if (n > 0) {
                b.append(n).append(UNITS[u]);
                ms -= n * MILLIS[u];
            }
        }
        return b.toString();
    }
}
