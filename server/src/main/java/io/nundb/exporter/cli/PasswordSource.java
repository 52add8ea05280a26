package io.nundb.exporter.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * The Nun-db admin password: a fixed value from the environment, or a file re-read whenever its
 * modification time changes (a rotated Kubernetes secret takes effect at the next authentication).
 * {@link #toString()} names the origin, never the value.
 *
 * <p>Thread-safety: {@link #current()} is synchronized; call it from any thread (at authentication, not
 * per poll).
 */
public final class PasswordSource {
    private final String origin;
    private final Path file;
    private String value;
    private FileTime readAt;

    private PasswordSource(String origin, Path file, String value) {
        this.origin = origin;
        this.file = file;
        this.value = value;
    }

    /** A password given by the environment variable {@code variable}. */
    public static PasswordSource ofEnvironment(String variable, String value) {
        return new PasswordSource("environment variable " + variable, null, value);
    }

    /**
     * A secret read from {@code file} now (failing if unreadable or empty) and re-read on change; errors
     * name {@code flag}.
     */
    public static PasswordSource ofFile(Path file, String flag) throws ConfigException {
        PasswordSource s = new PasswordSource("file " + file, file, null);
        try {
            s.current();
        } catch (UncheckedIOException e) {
            throw new ConfigException("cannot read " + flag + " " + file + ": " + ConfigException.reason(e.getCause()));
        }
        if (s.value.isEmpty()) {
            throw new ConfigException(flag + " " + file + " is empty");
        }
        return s;
    }

    /** No password (demo mode). */
    public static PasswordSource none() {
        return new PasswordSource("none", null, "");
    }

    /**
     * The password now: for a file, re-read if its modification time changed since the last read, with
     * one trailing newline removed. Keeps the previous value if the file vanished meanwhile.
     *
     * @throws UncheckedIOException if the file was never readable
     */
    public synchronized String current() {
        if (file == null) {
            return value;
        }
        try {
            FileTime mtime = Files.getLastModifiedTime(file);
            if (!mtime.equals(readAt)) {
                value = stripNewline(Files.readString(file, StandardCharsets.UTF_8));
                readAt = mtime;
            }
        } catch (IOException e) {
            if (value == null) {
                throw new UncheckedIOException(e);
            }
        }
        return value;
    }

    /**
     * Reads the file now, without using what it read (the first half of a SIGHUP reload); a fixed value
     * is returned as is.
     *
     * @throws ConfigException if the file cannot be read or is empty
     */
    public String readNow() throws ConfigException {
        if (file == null) {
            return current();
        }
        String text;
        try {
            text = stripNewline(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + ConfigException.reason(e));
        }
        if (text.isEmpty()) {
            throw new ConfigException(file + " is empty");
        }
        return text;
    }

    /** Uses {@code text}, as returned by {@link #readNow()}, until the file changes again. */
    public synchronized void use(String text) {
        if (file != null) {
            value = text;
        }
    }

    private static String stripNewline(String text) {
        if (text.endsWith("\n")) {
            return text.substring(0, text.length() - (text.endsWith("\r\n") ? 2 : 1));
        }
        return text;
    }

    /** Whether a password is configured. */
    public boolean isPresent() {
        return file != null || (value != null && !value.isEmpty());
    }

    @Override
    public String toString() {
        return "PasswordSource(" + origin + ")";
    }
}
