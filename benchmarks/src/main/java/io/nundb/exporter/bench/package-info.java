/**
 * Tooling around the JMH runs: the allocation gate of the smoke run. Runs on the main thread of a
 * short-lived command-line process.
 */
package io.nundb.exporter.bench;
