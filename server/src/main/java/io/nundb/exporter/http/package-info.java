/**
 * The HTTP endpoint: a Netty HTTP/1.1 server on its own event loop group serving {@code /metrics}, the
 * landing page, {@code /probe}, {@code /discovery} and the health endpoints, one handler per concern
 * (the pipeline is in {@link io.nundb.exporter.http.ExporterHttpInitializer}), and the single publisher
 * thread that renders and caches the exposition bodies.
 *
 * <p>Threads: the event loops only serve cached bodies ({@code retainedDuplicate()}), constant
 * responses and short error texts; taking a cluster snapshot and rendering (the exposition, filtered or
 * per-target bodies, the landing page, the discovery JSON) happen on the publisher thread, which hands
 * the result back to the channel's event loop. bcrypt runs on the authenticator's own thread; the web
 * configuration is re-read on the watcher's.
 *
 * <p>Dependencies: core's {@code model} (snapshots through {@code ClusterSnapshotSource}), {@code
 * exposition} and {@code protocol} (the landing page lists views); never the collector ({@code client})
 * or the command line ({@code ServerPackageLayersTest}).
 */
package io.nundb.exporter.http;
