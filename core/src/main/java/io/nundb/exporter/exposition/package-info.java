/**
 * Turns a {@link io.nundb.exporter.model.ClusterSnapshot} into client_java {@code MetricSnapshots}: the
 * metric names, types, units, labels and HELP texts of the catalog live here and nowhere else. The
 * writers of client_java 1.10.0 do the text, OpenMetrics and protobuf encoding.
 *
 * <p>Dependencies: {@code model}, {@code protocol} and {@code timing} (the values it renders); never
 * the client: it renders snapshots, whoever produced them ({@code CorePackageLayersTest}).
 *
 * <p>Threads: everything here runs on the single publisher thread and is pure (no I/O, no shared state).
 */
package io.nundb.exporter.exposition;
