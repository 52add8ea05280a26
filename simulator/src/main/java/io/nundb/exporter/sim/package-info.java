/**
 * A simulated Nun-db cluster on loopback, faithful to the real server's bytes, quirks and timing
 * ({@code shared/nundb-protocol.md}): {@link io.nundb.exporter.sim.SimulatedNode} is one node (a real
 * TCP server), {@link io.nundb.exporter.sim.SimulatedCluster} wires nodes into a replicated cluster
 * and injects faults. Used by the demo mode, the benchmarks and the integration tests. Each node's
 * state (databases, views, pending replication, connections) is confined to the one event loop the
 * node is pinned to; the cluster's membership state is confined to its coordinator loop.
 */
package io.nundb.exporter.sim;
