/**
 * Tooling around the benchmark runs: the allocation gate of the JMH smoke run, and the load benchmark's
 * servers ({@code LoadTargets}: our exporter, client_java's HTTPServer, a Netty ceiling) with their
 * snapshot source. Each runs on the main thread of a short-lived command-line process; the servers own
 * their event loops.
 */
package io.nundb.exporter.bench;
