/**
 * What the exporter publishes: the per-node and per-cluster snapshots (what a node said, as protocol
 * values, and what the exporter saw: poll errors, timings, canary outcomes), the fixed label reasons,
 * the subject fields of log lines ({@link io.nundb.exporter.model.LogField}), and
 * {@link io.nundb.exporter.model.ClusterSnapshotSource}, the port between the collector that
 * implements it and the HTTP endpoint that reads it.
 *
 * <p>Dependencies: {@code protocol} (reply values, command keys) and {@code timing} (timing
 * snapshots). The client, the exposition and the server depend on it, never the other way
 * ({@code CorePackageLayersTest}).
 *
 * <p>Threads: every value here is immutable and safe to publish to any thread.
 */
package io.nundb.exporter.model;
