package io.nundb.exporter.client;

import io.nundb.exporter.protocol.ClusterView;

/**
 * What a {@link NodeClient} tells its collector: the one edge from the node layer up to the collector,
 * kept as events that carry values (the view the node answered, the fact that its first attempt ended)
 * rather than calls that read the collector's state. Called on the node's event loop; implementations
 * must hand work to their own thread and return at once. Everything else a node needs from above
 * arrives as values pushed down ({@link NodeClient#memberStarts}, {@link NodeClient#rename}).
 *
 * <p>Thread-safety: implementations must be safe to call from any node's event loop.
 */
interface NodeListener {
    /** The node answered {@code cluster-state} with this view. */
    void onView(NodeClient node, ClusterView view);

    /** The node's first collection attempt finished (success or failure). */
    void onFirstAttempt(NodeClient node);
}
