/**
 * The command line: flag and environment parsing into an immutable {@link
 * io.nundb.exporter.cli.ExporterConfig}, logging setup, the {@code healthcheck} subcommand and the thin
 * {@code main} that starts collection and hands the collector to the HTTP endpoint as its snapshot
 * source. Runs on the main thread and the shutdown hook.
 *
 * <p>Dependencies: the top layer; wires core, {@code client}, {@code http} and {@code demo}, and
 * nothing depends on it ({@code ServerPackageLayersTest}).
 */
package io.nundb.exporter.cli;
