package io.nundb.exporter.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The exporter's version and source revision, as {@code nundb_exporter_build_info} and {@code --version}
 * report them. Both come from {@code build-info.properties}, which Maven filters at build time
 * (server/pom.xml): the version is the project's, without {@code -SNAPSHOT} in a release build
 * ({@code -Prelease}); the revision is the full git commit hash the build ran on, or {@code unknown} when
 * the build had no {@code .git} (a Docker build context). Run from unfiltered classes (an IDE), the version
 * is {@code dev} and the revision {@code unknown}.
 *
 * <p>Thread-safety: immutable after class initialisation.
 */
public final class BuildInfo implements IVersionProvider {
    private static final String RESOURCE = "build-info.properties";
    private static final Properties PROPERTIES = load();

    public static String version() {
        return value("version", "dev");
    }

    public static String revision() {
        return value("revision", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {"nundb-exporter " + version() + " (revision " + revision() + ")"};
    }

    private static String value(String key, String fallback) {
        String v = PROPERTIES.getProperty(key, "");
        // An unfiltered resource still holds the "${...}" placeholder.
        return v.isEmpty() || v.startsWith("${") ? fallback : v;
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return p;
    }
}
