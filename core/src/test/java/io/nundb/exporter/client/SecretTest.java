package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SecretTest {
    @Test
    void readsItsSourceAtCreationAndAgainOnlyOnRefresh() {
        AtomicReference<String> file = new AtomicReference<>("first");
        Secret s = new Secret("password", file::get);
        file.set("rotated");

        assertThat(s.get()).isEqualTo("first");
        s.refresh();
        assertThat(s.get()).isEqualTo("rotated");
    }

    @Test
    void aFailedRefreshKeepsThePreviousValue() {
        AtomicReference<String> file = new AtomicReference<>("first");
        Secret s = new Secret("password", () -> {
            String v = file.get();
            if (v == null) {
                throw new UncheckedIOException(new IOException("gone"));
            }
            return v;
        });
        file.set(null);

        s.refresh();

        assertThat(s.get()).isEqualTo("first");
        assertThat(s.toString()).doesNotContain("first");
    }

    @Test
    void aSourceThatCannotBeReadAtCreationFailsTheCreation() {
        assertThatThrownBy(() -> new Secret("password", () -> {
                    throw new UncheckedIOException(new IOException("missing"));
                }))
                .isInstanceOf(UncheckedIOException.class);
    }
}
