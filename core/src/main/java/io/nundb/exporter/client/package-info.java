/**
 * The Nun-db node client and cluster discovery: one {@link io.nundb.exporter.client.NodeClient} per node,
 * pinned to one event loop of the group reserved for Nun-db traffic (its poll connection, its canary
 * connection, its parsers and its accumulators all live there, with no locks). Both connections are a
 * {@link io.nundb.exporter.client.NodeConnection} (greeting, auth, deadlines, late replies, backoff);
 * the node client runs the poll cycle over one, the {@link io.nundb.exporter.client.CanaryNode} the
 * canary protocol over the other. The {@link io.nundb.exporter.client.ClusterCollector} changes
 * membership on its own single thread, where the replication canary is coordinated too, and reads the
 * credentials there (never on an event loop). Snapshots leave through volatile immutable values readable
 * from any thread. The collector is the {@code model.ClusterSnapshotSource} of the HTTP
 * endpoint.
 *
 * <p>Dependencies: {@code model}, {@code protocol}, {@code timing}, {@code transport}; never the
 * exposition, the server packages or the simulator ({@code CorePackageLayersTest}).
 */
package io.nundb.exporter.client;
