package io.nundb.exporter.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NunDbCommandTest {
    /** Spec §5.2 and §6: words that change cluster state, or crash a thread or the process. */
    private static final List<String> FORBIDDEN_WORDS = List.of(
            "join",
            "leave",
            "set-primary",
            "set-secoundary",
            "election",
            "replicate",
            "replicate-increment",
            "replicate-join",
            "replicate-leave",
            "replicate-remove",
            "replicate-since",
            "replicate-snapshot",
            "rp",
            "ack",
            "snapshot",
            "arbiter",
            "resolve",
            "create-user",
            "set-permissions",
            "remove",
            "increment",
            "set-safe");

    @Test
    void commandSetCannotExpressStateChangingCommands() {
        for (NunDbCommand command : NunDbCommand.values()) {
            String wire = command.wire();
            String word = wire.split(" ", -1)[0];
            assertThat(FORBIDDEN_WORDS).as(wire).doesNotContain(word);
            assertThat(word).as(wire).doesNotStartWith("replicate");
            assertThat(wire).as(wire).isNotEqualTo("debug force-election");
            if (word.equals("debug")) {
                assertThat(wire)
                        .as("only the read-only debug subcommands")
                        .isIn("debug pending-ops", "debug process-info", "debug list-dbs");
            }
        }
    }

    @Test
    void argumentsCannotSmuggleASecondLineOrCommand() {
        for (String forbidden : FORBIDDEN_WORDS) {
            assertThatThrownBy(() -> NunDbRequest.of(NunDbCommand.SET, "k", "v\n" + forbidden + " x"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> NunDbRequest.of(NunDbCommand.AUTH, "nun", "p\r\n" + forbidden))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> NunDbRequest.of(NunDbCommand.WATCH, "k\n" + forbidden))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void rejectsLineBreaksAndSpacesInArguments() {
        assertThatThrownBy(() -> NunDbRequest.of(NunDbCommand.USE_DB, "db", "tok\r"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NunDbRequest.of(NunDbCommand.USE_DB, "d b", "tok"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NunDbRequest.of(NunDbCommand.CREATE_DB, "db", "to k"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NunDbRequest.of(NunDbCommand.SET, "k y", "v"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NunDbRequest.of(NunDbCommand.AUTH, "n un", "pwd"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(NunDbRequest.of(NunDbCommand.AUTH, "nun", "a pass word").length())
                .isEqualTo("auth nun a pass word\n".length());
        assertThat(NunDbRequest.of(NunDbCommand.SET, "k", "a value with spaces").length())
                .isEqualTo("set k a value with spaces\n".length());
    }

    @Test
    void rejectsWrongArityAndLinesLongerThanOneSegment() {
        assertThatThrownBy(() -> NunDbRequest.of(NunDbCommand.METRICS_STATE, "extra"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NunDbRequest.of(NunDbCommand.SET, "k")).isInstanceOf(IllegalArgumentException.class);
        int max = NunDbRequest.MAX_LINE_BYTES - "set k \n".length();
        assertThat(NunDbRequest.of(NunDbCommand.SET, "k", "v".repeat(max)).length())
                .isEqualTo(NunDbRequest.MAX_LINE_BYTES);
        assertThatThrownBy(() -> NunDbRequest.of(NunDbCommand.SET, "k", "v".repeat(max + 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void neverShowsSecretsInToString() {
        assertThat(NunDbRequest.of(NunDbCommand.AUTH, "nun", "s3cret").toString())
                .doesNotContain("s3cret");
        assertThat(NunDbRequest.of(NunDbCommand.USE_DB, "db", "tok3n").toString())
                .doesNotContain("tok3n");
    }
}
