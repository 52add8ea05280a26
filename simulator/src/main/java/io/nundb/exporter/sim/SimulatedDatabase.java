package io.nundb.exporter.sim;

import java.util.TreeMap;

/**
 * One database of a simulated node: token, conflict strategy, keys with their per-node versions
 * (spec §4 "Versions") and the {@code $connections} count.
 *
 * <p>Thread-safety: confined to the owning node's event loop.
 */
final class SimulatedDatabase {
    /** A stored value and its version. */
    record Entry(String value, int version) {}

    final String name;
    final String strategy;
    final TreeMap<String, Entry> keys = new TreeMap<>();
    int connections;

    SimulatedDatabase(String name, String token, String strategy) {
        this.name = name;
        this.strategy = strategy;
        keys.put("$$token", new Entry(token, 0));
    }

    String token() {
        return keys.get("$$token").value();
    }
}
