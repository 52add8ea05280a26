/**
 * The embedded simulated cluster of {@code --demo}, so the exporter runs anywhere. Started and closed by
 * the main thread; the simulated nodes run on their own event loops.
 */
package io.nundb.exporter.demo;
