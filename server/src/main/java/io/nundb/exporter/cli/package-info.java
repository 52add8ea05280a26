/**
 * The command line: the one table of options ({@link io.nundb.exporter.cli.Flags}), resolved with the
 * environment into an immutable {@link io.nundb.exporter.cli.ExporterConfig} composed of the components'
 * configurations; logging setup, the {@code healthcheck} and {@code status} subcommands and the thin
 * {@code main} that starts collection and the HTTP endpoint. Runs on the main thread; signal handlers
 * (TERM, INT, HUP) run on the JVM's signal dispatch threads and only release the main thread or reload.
 *
 * <p>Dependencies: the top layer; wires core, {@code client}, {@code http} and {@code demo}, and
 * nothing depends on it ({@code ServerPackageLayersTest}).
 */
package io.nundb.exporter.cli;
