package io.nundb.exporter.http;

import io.nundb.exporter.exposition.ExpositionFormat;

/**
 * Proactive negotiation of the exposition format ({@code Accept}, RFC 9110 §12.5.1) and the content
 * coding ({@code Accept-Encoding}, §12.5.3) of what the exporter serves, honouring {@code q} values:
 * {@code q=0} means "not acceptable", the most specific range or coding decides ({@code text/plain}
 * over {@code text/*} over {@code *}{@code /*}; {@code gzip} or {@code identity} over {@code *}).
 *
 * <ul>
 *   <li>Coding: gzip when it is acceptable with a quality at least that of identity; identity when it
 *       is acceptable (by default it is, with the least preference, unless {@code identity;q=0} or
 *       {@code *;q=0} without an {@code identity} entry); else none (406).
 *   <li>Format: client_java's choice (which ignores {@code q}) unless the header refuses it; then the
 *       acceptable format with the highest quality; text when the header names none of the formats;
 *       none (406) when it refuses every one.
 * </ul>
 *
 * <p>Allocation-free: the headers are scanned in place.
 *
 * <p>Thread-safety: stateless.
 */
final class ContentNegotiation {
    /** The coding of a response, or none acceptable. */
    enum Coding {
        IDENTITY,
        GZIP,
        NONE
    }

    /** Quality of an element without {@code q}, in thousandths. */
    private static final int Q_DEFAULT = 1000;
    /** Not mentioned by the header. */
    private static final int UNMENTIONED = -1;

    private ContentNegotiation() {}

    /** The coding for an {@code Accept-Encoding} value; identity without the header. */
    static Coding coding(String header) {
        if (header == null) {
            return Coding.IDENTITY;
        }
        int gzip = UNMENTIONED;
        int identity = UNMENTIONED;
        int any = UNMENTIONED;
        int n = header.length();
        for (int i = 0; i < n; ) {
            int end = indexOf(header, ',', i, n);
            int semi = indexOf(header, ';', i, end);
            int s = skipSpaces(header, i, semi);
            int e = trimEnd(header, s, semi);
            int q = quality(header, semi, end);
            if (is(header, s, e, "gzip") || is(header, s, e, "x-gzip")) {
                gzip = Math.max(gzip, q);
            } else if (is(header, s, e, "identity")) {
                identity = Math.max(identity, q);
            } else if (is(header, s, e, "*")) {
                any = Math.max(any, q);
            }
            i = end + 1;
        }
        int gzipQ = gzip != UNMENTIONED ? gzip : any != UNMENTIONED ? any : 0;
        // Identity is acceptable unless excluded, but a listed coding is preferred to it (§12.5.3).
        int identityQ = identity != UNMENTIONED ? identity : any != UNMENTIONED ? any : 1;
        if (gzipQ > 0 && gzipQ >= identityQ) {
            return Coding.GZIP;
        }
        return identityQ > 0 ? Coding.IDENTITY : Coding.NONE;
    }

    /**
     * The format for an {@code Accept} value given client_java's choice {@code preferred}, or
     * {@code null} if the header refuses every format.
     */
    static ExpositionFormat format(String header, ExpositionFormat preferred) {
        if (header == null) {
            return preferred;
        }
        int text = quality(header, ExpositionFormat.TEXT);
        int openMetrics = quality(header, ExpositionFormat.OPENMETRICS);
        int protobuf = quality(header, ExpositionFormat.PROTOBUF);
        int chosen = preferred == ExpositionFormat.TEXT
                ? text
                : preferred == ExpositionFormat.OPENMETRICS ? openMetrics : protobuf;
        if (chosen != 0) {
            return preferred;
        }
        int best = Math.max(text, Math.max(openMetrics, protobuf));
        if (best > 0) {
            return best == openMetrics
                    ? ExpositionFormat.OPENMETRICS
                    : best == text ? ExpositionFormat.TEXT : ExpositionFormat.PROTOBUF;
        }
        return text == 0 ? null : ExpositionFormat.TEXT;
    }

    /** The quality the header gives {@code format} by its most specific matching range, or UNMENTIONED. */
    private static int quality(String h, ExpositionFormat format) {
        int n = h.length();
        int bestSpecificity = 0;
        int q = UNMENTIONED;
        for (int i = 0; i < n; ) {
            int end = indexOf(h, ',', i, n);
            int semi = indexOf(h, ';', i, end);
            int s = skipSpaces(h, i, semi);
            int e = trimEnd(h, s, semi);
            int specificity = specificity(h, s, e, semi, end, format);
            if (specificity > bestSpecificity) {
                bestSpecificity = specificity;
                q = quality(h, semi, end);
            } else if (specificity == bestSpecificity && specificity > 0) {
                q = Math.max(q, quality(h, semi, end));
            }
            i = end + 1;
        }
        return q;
    }

    /** 3 for the format's own type, 2 for its type with a wildcard subtype, 1 for any, 0 for no match. */
    private static int specificity(String h, int s, int e, int semi, int end, ExpositionFormat format) {
        if (is(h, s, e, "*/*")) {
            return format == ExpositionFormat.PROTOBUF ? 0 : 1; // protobuf only when asked by name
        }
        switch (format) {
            case TEXT:
                return is(h, s, e, "text/plain") ? 3 : is(h, s, e, "text/*") ? 2 : 0;
            case OPENMETRICS:
                return is(h, s, e, "application/openmetrics-text") ? 3 : is(h, s, e, "application/*") ? 2 : 0;
            default:
                // As client_java: the delimited MetricFamily encoding only.
                return is(h, s, e, "application/vnd.google.protobuf")
                                && contains(h, semi, end, "proto=io.prometheus.client.MetricFamily")
                                && contains(h, semi, end, "encoding=delimited")
                        ? 3
                        : 0;
        }
    }

    /** The {@code q} parameter among {@code h[from, to)} in thousandths; {@value #Q_DEFAULT} without one. */
    private static int quality(String h, int from, int to) {
        for (int i = from; i < to; ) {
            int next = indexOf(h, ';', i + 1, to);
            int s = skipSpaces(h, i + 1, next);
            if (s + 1 < next && (h.charAt(s) == 'q' || h.charAt(s) == 'Q') && h.charAt(s + 1) == '=') {
                return parseQuality(h, s + 2, trimEnd(h, s + 2, next));
            }
            i = next;
        }
        return Q_DEFAULT;
    }

    /** A qvalue ({@code 0}, {@code 0.5}, {@code 1.000}); anything malformed counts as the default. */
    private static int parseQuality(String h, int s, int e) {
        if (s >= e || (h.charAt(s) != '0' && h.charAt(s) != '1')) {
            return Q_DEFAULT;
        }
        int q = (h.charAt(s) - '0') * 1000;
        if (s + 1 < e) {
            if (h.charAt(s + 1) != '.' || e - (s + 2) > 3) {
                return Q_DEFAULT;
            }
            int scale = 100;
            for (int i = s + 2; i < e; i++, scale /= 10) {
                char c = h.charAt(i);
                if (c < '0' || c > '9') {
                    return Q_DEFAULT;
                }
                q += (c - '0') * scale;
            }
        }
        return Math.min(q, Q_DEFAULT);
    }

    private static boolean is(String h, int s, int e, String token) {
        return e - s == token.length() && h.regionMatches(true, s, token, 0, token.length());
    }

    private static boolean contains(String h, int from, int to, String token) {
        for (int i = from; i + token.length() <= to; i++) {
            if (h.regionMatches(true, i, token, 0, token.length())) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(String h, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (h.charAt(i) == c) {
                return i;
            }
        }
        return to;
    }

    private static int skipSpaces(String h, int i, int end) {
        while (i < end && (h.charAt(i) == ' ' || h.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int trimEnd(String h, int s, int e) {
        while (e > s && (h.charAt(e - 1) == ' ' || h.charAt(e - 1) == '\t')) {
            e--;
        }
        return e;
    }
}
