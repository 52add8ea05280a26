/**
 * Timing accumulators: Prometheus classic-histogram bucket counts, an HdrHistogram sliding window for
 * quantiles and an EMA, per node and command. Every accumulator here has a single writer, the Netty
 * event loop the node is pinned to; recording neither allocates nor locks, and readers hand off to that
 * loop to take a snapshot.
 */
package io.nundb.exporter.timing;
