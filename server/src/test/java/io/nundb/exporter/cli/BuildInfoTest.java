package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildInfoTest {
    @Test
    void revisionIsTheCommitCheckedOutWhenBuiltFromGit() throws Exception {
        String head = gitHead();
        assumeTrue(head != null, "not built from a git checkout, or no git command");

        assertThat(BuildInfo.revision()).matches("[0-9a-f]{40}").isEqualTo(head);
    }

    @Test
    void versionIsTheFilteredProjectVersion() {
        assertThat(BuildInfo.version()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void versionFlagPrintsVersionAndRevision() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

        assertThat(Main.run(
                        new String[] {"--version"}, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), err))
                .isZero();

        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("nundb-exporter " + BuildInfo.version() + " (revision " + BuildInfo.revision() + ")"
                        + System.lineSeparator())
                .doesNotContain("dev (", "${");
    }

    /** HEAD of the checkout the module is built in (a linked worktree's own), or null without one. */
    private static String gitHead() throws InterruptedException {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "HEAD")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return git.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null; // no git command
        }
    }
}
