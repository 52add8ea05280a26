/**
 * The Nun-db node client and cluster discovery: one {@link io.nundb.exporter.client.NodeClient} per node,
 * pinned to one event loop of the group reserved for Nun-db traffic (its poll connection, its canary
 * connection, its parsers and its accumulators all live there, with no locks); the
 * {@link io.nundb.exporter.client.ClusterCollector}, whose membership changes on its own single thread;
 * and the replication canary, coordinated on that thread. Snapshots leave through volatile immutable
 * values readable from any thread: the collector is the {@code model.ClusterSnapshotSource} of the HTTP
 * endpoint.
 *
 * <p>Dependencies: {@code model}, {@code protocol}, {@code timing}, {@code transport}; never the
 * exposition, the server packages or the simulator ({@code CorePackageLayersTest}).
 */
package io.nundb.exporter.client;
