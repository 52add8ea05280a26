/**
 * Immutable values shared by the collector, the accumulators and the exposition: what a node said and
 * what the exporter saw. Every type here is immutable and safe to publish to any thread.
 */
package io.nundb.exporter.model;
