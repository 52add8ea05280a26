/**
 * Timing accumulators: Prometheus classic-histogram bucket counts, an HdrHistogram sliding window for
 * quantiles and an EMA, per node and command, and the immutable {@code RequestTimingSnapshot} they
 * hand out.
 *
 * <p>Dependencies: {@code protocol} only (accumulators are keyed by {@code NunDbCommand}); the model
 * carries the snapshots, so it sits above this package.
 *
 * <p>Threads: every accumulator here has a single writer, the Netty event loop the node is pinned to;
 * recording neither allocates nor locks, and readers hand off to that loop to take a snapshot.
 */
package io.nundb.exporter.timing;
