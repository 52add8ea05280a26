package io.nundb.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.http.WebConfig.Protection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reload outcomes of {@link WebConfigWatcher}, counted, and the {@code intentionally_disabled} rules. */
class WebConfigWatcherTest {
    static final String AUTH = "basic_auth_users:\n  alice: " + WebConfigTest.HASH + "\n";
    static final String OTHER_AUTH = "basic_auth_users:\n  bob: " + WebConfigTest.HASH + "\n";

    @TempDir
    Path dir;

    long modified = System.currentTimeMillis();

    Path write(String yaml) throws IOException {
        Path p = Files.writeString(dir.resolve("web.yml"), yaml);
        modified += 2000;
        Files.setLastModifiedTime(p, FileTime.fromMillis(modified));
        return p;
    }

    @Test
    void countsAppliedAndRefusedReloadsAndRefusesEachBrokenVersionOnce() throws Exception {
        try (WebConfigWatcher w = WebConfigWatcher.start(write(AUTH), Duration.ofMillis(20))) {
            WebConfig first = w.get();

            write("");
            await().until(() -> w.failedReloads() == 1);
            write("# nothing but a comment\n");
            await().until(() -> w.failedReloads() == 2);
            assertThat(w.get()).isSameAs(first);
            assertThat(w.reloads()).isZero();

            write(OTHER_AUTH);
            await().until(() -> w.reloads() == 1);
            assertThat(w.get().users()).containsOnlyKeys("bob");

            write("basic_auth_users: [broken\n");
            await().until(() -> w.failedReloads() == 3);
            Thread.sleep(200); // ten polls of the same broken version: there is no event to await
            assertThat(w.failedReloads()).isEqualTo(3);
            assertThat(w.get().users()).containsOnlyKeys("bob");
        }
    }

    @Test
    void loadOnDemandAppliesTheSameChecksAndUseSwapsTheResultIn() throws Exception {
        // An hour between polls: only load() and use() act.
        try (WebConfigWatcher w = WebConfigWatcher.start(write(AUTH), Duration.ofHours(1))) {
            WebConfig first = w.get();

            write("");
            assertThatThrownBy(w::load)
                    .isInstanceOf(WebConfigException.class)
                    .hasMessageContaining("refused")
                    .hasMessageContaining("intentionally_disabled: [basic_auth]");
            assertThat(w.get()).isSameAs(first);

            write("intentionally_disabled: [basic_auth]\n");
            WebConfig next = w.load();
            assertThat(w.get()).as("load() alone changes nothing").isSameAs(first);
            w.use(next);
            assertThat(w.get()).isSameAs(next);
            assertThat(w.get().basicAuth()).isFalse();
        }
        try (WebConfigWatcher fixed = WebConfigWatcher.fixed(WebConfig.NONE)) {
            assertThat(fixed.load()).isSameAs(WebConfig.NONE);
        }
    }

    @Test
    void droppedProtectionsAreThoseThePreviousConfigHadAndTheNewOneNeitherHasNorNames() throws Exception {
        WebConfig withAuth = WebConfig.load(write(AUTH));

        assertThat(WebConfig.load(write("")).droppedProtections(withAuth)).containsExactly(Protection.BASIC_AUTH);
        assertThat(WebConfig.load(write(OTHER_AUTH)).droppedProtections(withAuth))
                .isEmpty();
        assertThat(WebConfig.load(write("intentionally_disabled: [basic_auth]\n"))
                        .droppedProtections(withAuth))
                .isEmpty();
        assertThat(WebConfig.load(write("intentionally_disabled: [tls]\n")).droppedProtections(withAuth))
                .containsExactly(Protection.BASIC_AUTH);
        assertThat(withAuth.droppedProtections(WebConfig.NONE))
                .as("adding a protection")
                .isEmpty();
        assertThat(WebConfig.load(write(AUTH + "intentionally_disabled: [basic_auth, client_auth]\n"))
                        .contradictions())
                .containsExactly(Protection.BASIC_AUTH);
    }

    @Test
    void intentionallyDisabledTakesOnlyAListOfKnownProtections() throws Exception {
        Path scalar = write("intentionally_disabled: tls\n");
        assertThatThrownBy(() -> WebConfig.load(scalar))
                .isInstanceOf(WebConfigException.class)
                .hasMessageContaining("must be a list");
        Path unknown = write("intentionally_disabled: [tls, auth]\n");
        assertThatThrownBy(() -> WebConfig.load(unknown))
                .isInstanceOf(WebConfigException.class)
                .hasMessageContaining("intentionally_disabled lists auth");
    }
}
