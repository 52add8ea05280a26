package io.nundb.exporter.cli;

import java.util.Locale;

/**
 * One row of the option table ({@link Flags}): a flag declared once with its environment twin, default,
 * parser (which validates) and help text. The picocli model, the {@code --help} text, the resolution
 * (flag, then twin, then default) and the README's flag table are all derived from these rows.
 *
 * <p>Thread-safety: immutable.
 *
 * @param name the flag, e.g. {@code --nundb.poll-interval}
 * @param label the value's placeholder in help, e.g. {@code DURATION}
 * @param kind single value, repeatable list or boolean
 * @param defaultText the default as the user would type it, {@code null} when there is none
 * @param parser parses and validates one value (a list flag's values joined with {@code ,})
 * @param help one or two sentences, shown by {@code --help} and in the README
 * @param envNote what else is read after the twin (the original exporter's variables, an env-only
 *     secret), {@code null} when nothing
 * @param deprecated accepted and ignored with a warning; not in the README's table
 */
record Flag<T>(
        String name,
        String label,
        Kind kind,
        String defaultText,
        Parser<T> parser,
        String help,
        String envNote,
        boolean deprecated) {
    /** Every environment twin starts with this. */
    static final String ENV_PREFIX = "NUNDB_EXPORTER_";

    /** How picocli reads the flag. */
    enum Kind {
        /** One value; the last one given wins. */
        VALUE,
        /** Repeatable; the twin is comma-separated. */
        LIST,
        /** {@code --flag}, {@code --flag=true} or {@code --flag=false}; never takes the next argument. */
        BOOLEAN
    }

    /** Parses one raw value; an {@link IllegalArgumentException}'s message says what is wrong. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(String text);
    }

    /** The environment twin: {@code --nundb.poll-interval} is {@code NUNDB_EXPORTER_NUNDB_POLL_INTERVAL}. */
    String env() {
        return envName(name);
    }

    static String envName(String flag) {
        return ENV_PREFIX
                + flag.substring(2).toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The {@code --help} description: the help text, the twin and the default. */
    String description() {
        StringBuilder b = new StringBuilder(help);
        b.append(" Env ").append(env());
        if (kind == Kind.LIST) {
            b.append(" (comma-separated)");
        }
        if (envNote != null) {
            b.append(", ").append(envNote);
        }
        b.append('.');
        if (defaultText != null) {
            b.append(" Default ").append(defaultText).append('.');
        }
        return b.toString();
    }
}
