package io.nundb.exporter.cli;

import picocli.CommandLine.IVersionProvider;

/**
 * The exporter's version (from the jar manifest's {@code Implementation-Version}, {@code dev} when run
 * from classes) and source revision ({@code unknown} unless the build sets {@code Implementation-Build}).
 *
 * <p>Thread-safety: stateless.
 */
public final class BuildInfo implements IVersionProvider {
    public static String version() {
        String v = BuildInfo.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public static String revision() {
        String r = System.getProperty("nundb.exporter.revision");
        return r == null || r.isEmpty() ? "unknown" : r;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"nundb-exporter " + version() + " (revision " + revision() + ")"};
    }
}
