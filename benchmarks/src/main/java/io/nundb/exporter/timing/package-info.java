/** JMH benchmarks of the timing accumulators; each benchmark thread plays a node's event loop. */
package io.nundb.exporter.timing;
