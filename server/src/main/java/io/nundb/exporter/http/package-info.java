/**
 * The HTTP endpoint: a Netty HTTP/1.1 server on its own event loop group serving {@code /metrics}, the
 * landing page and the health endpoints, and the single publisher thread that renders and caches the
 * exposition bodies. Event loops only serve cached buffers; rendering happens on the publisher thread.
 *
 * <p>Dependencies: core's {@code model} (snapshots through {@code ClusterSnapshotSource}), {@code
 * exposition} and {@code protocol} (the landing page lists views); never the collector ({@code client})
 * or the command line ({@code ServerPackageLayersTest}).
 */
package io.nundb.exporter.http;
