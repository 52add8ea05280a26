package io.nundb.exporter.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The allocation gate of the JMH smoke run: checks {@code gc.alloc.rate.norm} (bytes per op, from
 * {@code -prof gc}) of each benchmark in a JMH JSON result against a limits file, and nothing else —
 * nanoseconds are never asserted.
 *
 * <p>Limits file: one {@code <Class>.<method> <= <bytes>} per line ({@code #} starts a comment), for
 * example {@code RecordTimingBenchmark.record <= 1}. A name matches a result whose benchmark name equals
 * it or ends with {@code "." + name}; every parameter combination of a matching benchmark must be within
 * the limit. A listed benchmark missing from the results fails, unless a selector regex is given and does
 * not find the name (the run selected only some benchmarks).
 *
 * <pre>
 * java -cp benchmarks.jar io.nundb.exporter.bench.AllocationLimits alloc-limits.txt target/jmh-smoke.json [regex]
 * </pre>
 *
 * Exit status: 0 when every limit holds, 1 when one does not, 2 on bad input.
 *
 * <p>Thread-safety: stateless; {@link #check} may be called from any thread.
 */
public final class AllocationLimits {
    static final String METRIC = "gc.alloc.rate.norm";

    private AllocationLimits() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: AllocationLimits <limits-file> <jmh-result.json> [benchmark-regex]");
            System.exit(2);
        }
        Result result;
        try {
            result = check(
                    Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8),
                    Files.readString(Path.of(args[1]), StandardCharsets.UTF_8),
                    args.length == 3 ? Pattern.compile(args[2]) : null);
        } catch (IllegalArgumentException e) {
            System.err.println("allocation check: " + e.getMessage());
            System.exit(2);
            return;
        }
        result.lines().forEach(System.out::println);
        if (!result.failures().isEmpty()) {
            System.err.println("allocation check FAILED (" + METRIC + ", B/op):");
            result.failures().forEach(f -> System.err.println("  " + f));
            System.exit(1);
        }
        System.out.println("allocation check passed: " + result.lines().size() + " result(s) within limits");
    }

    /** What {@link #check} found: one report line per checked result, and the failures. */
    public record Result(List<String> lines, List<String> failures) {}

    /**
     * Checks {@code jmhJson} (JMH {@code -rf json} output) against {@code limitLines}.
     *
     * @param selector the run's benchmark regex, or {@code null} when every listed benchmark must be present
     * @throws IllegalArgumentException on a malformed limits line or JSON
     */
    public static Result check(List<String> limitLines, String jmhJson, Pattern selector) {
        Map<String, Double> limits = parseLimits(limitLines);
        Object root = new JsonReader(jmhJson).readDocument();
        if (!(root instanceof List<?> results)) {
            throw new IllegalArgumentException("JMH result is not a JSON array");
        }
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Double> limit : limits.entrySet()) {
            String name = limit.getKey();
            double max = limit.getValue();
            boolean found = false;
            for (Object o : results) {
                Map<?, ?> r = asMap(o, "result");
                String benchmark = String.valueOf(r.get("benchmark"));
                if (!benchmark.equals(name) && !benchmark.endsWith("." + name)) {
                    continue;
                }
                found = true;
                String label = name + paramsOf(r);
                Double score = allocScore(r);
                if (score == null) {
                    failures.add(label + ": no " + METRIC + " in the result (run with -prof gc)");
                } else if (!(score <= max)) {
                    failures.add(label + ": " + score + " B/op exceeds the limit of " + max + " B/op");
                    lines.add("FAIL " + label + " " + score + " B/op (limit " + max + ")");
                } else {
                    lines.add("ok   " + label + " " + score + " B/op (limit " + max + ")");
                }
            }
            if (!found && (selector == null || selector.matcher(name).find())) {
                failures.add(name + ": listed in the limits but missing from the results");
            }
        }
        return new Result(List.copyOf(lines), List.copyOf(failures));
    }

    static Map<String, Double> parseLimits(List<String> limitLines) {
        Map<String, Double> limits = new LinkedHashMap<>();
        for (String raw : limitLines) {
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (line.isEmpty()) {
                continue;
            }
            int op = line.indexOf("<=");
            if (op <= 0) {
                throw new IllegalArgumentException("limits line is not '<Class>.<method> <= <bytes>': " + raw);
            }
            String name = line.substring(0, op).strip();
            double max;
            try {
                max = Double.parseDouble(line.substring(op + 2).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("limits line has no number: " + raw, e);
            }
            if (name.isEmpty() || name.contains(" ") || !(max >= 0)) {
                throw new IllegalArgumentException("bad limits line: " + raw);
            }
            if (limits.put(name, max) != null) {
                throw new IllegalArgumentException("benchmark listed twice in the limits: " + name);
            }
        }
        return limits;
    }

    private static Double allocScore(Map<?, ?> result) {
        Object secondary = result.get("secondaryMetrics");
        if (!(secondary instanceof Map<?, ?> metrics)) {
            return null;
        }
        Object metric = metrics.get(METRIC);
        if (!(metric instanceof Map<?, ?> m)) {
            return null;
        }
        Object score = m.get("score");
        if (score instanceof Double d) {
            return d;
        }
        if (score instanceof String s) {
            return Double.parseDouble(s); // JMH writes NaN as a string
        }
        return null;
    }

    private static String paramsOf(Map<?, ?> result) {
        Object params = result.get("params");
        return params instanceof Map<?, ?> p && !p.isEmpty() ? p.toString() : "";
    }

    private static Map<?, ?> asMap(Object o, String what) {
        if (o instanceof Map<?, ?> m) {
            return m;
        }
        throw new IllegalArgumentException(what + " is not a JSON object");
    }

    /** Just enough JSON for JMH's result file: objects, arrays, strings, numbers, literals. */
    static final class JsonReader {
        private final String s;
        private int i;

        JsonReader(String s) {
            this.s = s;
        }

        Object readDocument() {
            Object v = readValue();
            skipWhitespace();
            if (i != s.length()) {
                throw error("trailing characters");
            }
            return v;
        }

        private Object readValue() {
            skipWhitespace();
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{':
                    return readObject();
                case '[':
                    return readArray();
                case '"':
                    return readString();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    return readNumber();
            }
        }

        private Map<String, Object> readObject() {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            skipWhitespace();
            if (peek() == '}') {
                i++;
                return m;
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw error("expected a key");
                }
                String key = readString();
                skipWhitespace();
                expect(':');
                m.put(key, readValue());
                skipWhitespace();
                char c = next();
                if (c == '}') {
                    return m;
                }
                if (c != ',') {
                    throw error("expected ',' or '}'");
                }
            }
        }

        private List<Object> readArray() {
            List<Object> l = new ArrayList<>();
            i++;
            skipWhitespace();
            if (peek() == ']') {
                i++;
                return l;
            }
            while (true) {
                l.add(readValue());
                skipWhitespace();
                char c = next();
                if (c == ']') {
                    return l;
                }
                if (c != ',') {
                    throw error("expected ',' or ']'");
                }
            }
        }

        private String readString() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append(e);
                }
            }
        }

        private Double readNumber() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (start == i) {
                throw error("unexpected character '" + s.charAt(i) + "'");
            }
            try {
                return Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw error("bad number");
            }
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, i)) {
                throw error("bad literal");
            }
            i += word.length();
            return value;
        }

        private void skipWhitespace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private char peek() {
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(i);
        }

        private char next() {
            char c = peek();
            i++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) {
                throw error("expected '" + c + "'");
            }
        }

        private IllegalArgumentException error(String message) {
            return new IllegalArgumentException("malformed JSON at offset " + i + ": " + message);
        }
    }
}
