/**
 * The command line: flag and environment parsing into an immutable {@link
 * io.nundb.exporter.cli.ExporterConfig}, logging setup, the {@code healthcheck} subcommand and the thin
 * {@code main} that starts collection and the HTTP endpoint. Runs on the main thread and the shutdown
 * hook.
 */
package io.nundb.exporter.cli;
