/** nundb-exporter core. */
package io.nundb.exporter;
