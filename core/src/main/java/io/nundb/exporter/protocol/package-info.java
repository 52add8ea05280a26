/**
 * The Nun-db TCP wire protocol as the real server speaks it ({@code docs/nundb-protocol.md} §1-§3): the
 * closed {@link io.nundb.exporter.protocol.NunDbCommand} set, the request encoder, the reply frame
 * decoder, the typed reply parsers and the immutable values they produce ({@code MetricsState},
 * {@code ClusterView} with its {@code ViewMember}, {@code MemberStatus} and {@code Role},
 * {@code PendingOpsSnapshot}). A rejected reply is a {@code ReplyParseException} with its own
 * {@code Kind}; what it counts as is the client's business.
 *
 * <p>Dependencies: none in the exporter (Netty only). The bottom layer: timing, model, client,
 * exposition and the simulator depend on it, never the other way ({@code CorePackageLayersTest}).
 *
 * <p>Threads: decoders and encoders are per channel and confined to that channel's event loop; parsers
 * are stateless or confined to their caller; the values are immutable and safe to publish to any thread.
 */
package io.nundb.exporter.protocol;
