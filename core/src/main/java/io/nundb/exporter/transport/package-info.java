/**
 * Choice of Netty transport (epoll or NIO) shared by every event-loop group in the exporter.
 * Immutable and safe from any thread.
 */
package io.nundb.exporter.transport;
