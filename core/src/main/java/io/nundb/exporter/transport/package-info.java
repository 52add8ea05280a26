/**
 * Choice of Netty transport (epoll or NIO) shared by every event-loop group in the exporter.
 *
 * <p>Dependencies: none in the exporter; used by the client, the server and the simulator.
 *
 * <p>Threads: immutable and safe from any thread.
 */
package io.nundb.exporter.transport;
