package io.nundb.exporter.cli;

import io.nundb.exporter.model.LogField;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One log line per record, in logfmt ({@code ts=... level=info logger=Name msg="..." key=value}) or
 * JSON. Record parameters that are {@link LogField}s (how core code names the node, member or reason a
 * line is about) become one logfmt key or JSON member each; other parameters, when the message has no
 * {@code {0}} placeholder, are read as key/value pairs. Values are escaped in both formats. Exceptions
 * appear as {@code err="<class>: <message>"}, without stack traces. Callers never pass passwords, tokens
 * or reply payloads.
 *
 * <p>Thread-safety: stateless; safe for concurrent handlers.
 */
public final class LogFormatter extends Formatter {
    private final boolean json;

    public LogFormatter(boolean json) {
        this.json = json;
    }

    @Override
    public String format(LogRecord r) {
        StringBuilder b = new StringBuilder(160);
        String logger = r.getLoggerName() == null ? "" : r.getLoggerName();
        logger = logger.substring(logger.lastIndexOf('.') + 1);
        String msg = r.getMessage() == null ? "" : r.getMessage();
        Object[] params = r.getParameters();
        boolean fields = params != null && allFields(params);
        boolean pairs = !fields && params != null && params.length % 2 == 0 && msg.indexOf("{0") < 0;
        if (params != null && !fields && !pairs) {
            msg = formatMessage(r);
        }
        if (json) {
            b.append('{');
            jsonField(b, "ts", Instant.ofEpochMilli(r.getMillis()).toString(), true);
            jsonField(b, "level", level(r.getLevel()), false);
            jsonField(b, "logger", logger, false);
            jsonField(b, "msg", msg, false);
            if (fields) {
                for (Object p : params) {
                    LogField f = (LogField) p;
                    jsonField(b, f.key().label(), String.valueOf(f.value()), false);
                }
            }
            if (pairs) {
                for (int i = 0; i < params.length; i += 2) {
                    jsonField(b, String.valueOf(params[i]), String.valueOf(params[i + 1]), false);
                }
            }
            if (r.getThrown() != null) {
                jsonField(b, "err", r.getThrown().toString(), false);
            }
            return b.append("}\n").toString();
        }
        b.append("ts=").append(Instant.ofEpochMilli(r.getMillis()));
        b.append(" level=").append(level(r.getLevel()));
        b.append(" logger=");
        logfmtValue(b, logger);
        b.append(" msg=");
        logfmtValue(b, msg);
        if (fields) {
            for (Object p : params) {
                LogField f = (LogField) p;
                b.append(' ').append(f.key().label()).append('=');
                logfmtValue(b, String.valueOf(f.value()));
            }
        }
        if (pairs) {
            for (int i = 0; i < params.length; i += 2) {
                b.append(' ').append(params[i]).append('=');
                logfmtValue(b, String.valueOf(params[i + 1]));
            }
        }
        if (r.getThrown() != null) {
            b.append(" err=");
            logfmtValue(b, r.getThrown().toString());
        }
        return b.append('\n').toString();
    }

    private static boolean allFields(Object[] params) {
        for (Object p : params) {
            if (!(p instanceof LogField)) {
                return false;
            }
        }
        return params.length > 0;
    }

    static String level(Level l) {
        int v = l.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "error";
        }
        if (v >= Level.WARNING.intValue()) {
            return "warn";
        }
        if (v >= Level.INFO.intValue()) {
            return "info";
        }
        if (v >= Level.FINE.intValue()) {
            return "debug";
        }
        return "trace";
    }

    private static void logfmtValue(StringBuilder b, String v) {
        boolean quote = v.isEmpty();
        for (int i = 0; i < v.length() && !quote; i++) {
            char c = v.charAt(i);
            quote = c <= ' ' || c == '=' || c == '"' || c == '\\';
        }
        if (!quote) {
            b.append(v);
            return;
        }
        b.append('"');
        escape(b, v);
        b.append('"');
    }

    private static void jsonField(StringBuilder b, String k, String v, boolean first) {
        if (!first) {
            b.append(',');
        }
        b.append('"');
        escape(b, k);
        b.append("\":\"");
        escape(b, v);
        b.append('"');
    }

    private static void escape(StringBuilder b, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"':
                    b.append("\\\"");
                    break;
                case '\\':
                    b.append("\\\\");
                    break;
                case '\n':
                    b.append("\\n");
                    break;
                case '\r':
                    b.append("\\r");
                    break;
                case '\t':
                    b.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
    }
}
