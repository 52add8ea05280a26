/** JMH benchmarks of the reply parsers; each benchmark thread plays a node's event loop. */
package io.nundb.exporter.protocol;
