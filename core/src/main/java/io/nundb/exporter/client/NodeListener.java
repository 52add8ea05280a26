package io.nundb.exporter.client;

import io.nundb.exporter.protocol.ClusterView;

/**
 * What a {@link NodeClient} tells its collector. Called on the node's event loop; implementations must
 * hand work to their own thread and return at once.
 *
 * <p>Thread-safety: implementations must be safe to call from any node's event loop.
 */
interface NodeListener {
    /** The node answered {@code cluster-state} with this view. */
    void onView(NodeClient node, ClusterView view);

    /** The node's first collection attempt finished (success or failure). */
    void onFirstAttempt(NodeClient node);
}
