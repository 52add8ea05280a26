/**
 * The Nun-db TCP wire protocol as the real server speaks it ({@code docs/nundb-protocol.md} §1-§3): the
 * closed {@link io.nundb.exporter.protocol.NunDbCommand} set, the request encoder, the reply frame
 * decoder and the typed reply parsers. Decoders and encoders are per channel and confined to that
 * channel's event loop; parsers are stateless or confined to their caller.
 */
package io.nundb.exporter.protocol;
