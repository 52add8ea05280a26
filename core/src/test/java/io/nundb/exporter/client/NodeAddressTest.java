package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeAddressTest {
    @Test
    void parsesHostAndPort() {
        assertThat(NodeAddress.parse("nundb-0.nundb.db.svc:3014"))
                .isEqualTo(new NodeAddress("nundb-0.nundb.db.svc", 3014));
        assertThat(NodeAddress.parse("127.0.0.1:4114")).isEqualTo(new NodeAddress("127.0.0.1", 4114));
        assertThat(NodeAddress.parse("[::1]:3014")).isEqualTo(new NodeAddress("::1", 3014));
    }

    @Test
    void theRealServersDefaultNameIsNotDialable() {
        // spec §1.1: with the default configuration a node calls itself 0.0.0.0:3014.
        assertThat(NodeAddress.parse("0.0.0.0:3014")).isNull();
    }

    @Test
    void rejectsNamesWithoutAValidPort() {
        assertThat(NodeAddress.parse("nundb-0")).isNull();
        assertThat(NodeAddress.parse("host:")).isNull();
        assertThat(NodeAddress.parse("host:0")).isNull();
        assertThat(NodeAddress.parse("host:70000")).isNull();
        assertThat(NodeAddress.parse("host:http")).isNull();
        assertThat(NodeAddress.parse(":3014")).isNull();
        assertThat(NodeAddress.parse("a b:3014")).isNull();
    }
}
