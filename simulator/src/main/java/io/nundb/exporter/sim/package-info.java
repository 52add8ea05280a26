/**
 * A simulated Nun-db cluster on loopback, faithful to the real server's bytes, quirks and timing
 * ({@code docs/nundb-protocol.md}): {@link io.nundb.exporter.sim.SimulatedNode} is one node (a real
 * TCP server), {@link io.nundb.exporter.sim.SimulatedCluster} wires nodes into a replicated cluster
 * and injects faults, including the real server's behaviours of Appendix C
 * ({@link io.nundb.exporter.sim.RestartData}, {@link io.nundb.exporter.sim.CrashPoint});
 * {@link io.nundb.exporter.sim.SimulatorMain} runs a cluster as its own process with an HTTP fault API.
 * Its own module, depending on no other module of the exporter: used by the demo mode, the benchmarks
 * and the tests, never by the collection path. Each node's state (databases, views, pending
 * replication, connections) is confined to the one event loop the node is pinned to; the cluster's
 * membership changes run on its timeline loop.
 */
package io.nundb.exporter.sim;
