package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The README's flag table is rendered from the option table ({@link Flags}); this fails, showing the
 * table to paste, when they differ.
 */
class FlagTableTest {
    static final String BEGIN = "<!-- flags:begin (generated from Flags.java; FlagTableTest checks it) -->";
    static final String END = "<!-- flags:end -->";

    static String render() {
        StringBuilder b = new StringBuilder();
        b.append("| Flag | Environment | Default | Meaning |\n");
        b.append("| --- | --- | --- | --- |\n");
        StringBuilder deprecated = new StringBuilder();
        for (Flag<?> f : Flags.ALL) {
            if (f.deprecated()) {
                deprecated
                        .append("`")
                        .append(f.name())
                        .append("`: ")
                        .append(f.help())
                        .append('\n');
                continue;
            }
            b.append("| `").append(f.name());
            if (f.kind() != Flag.Kind.BOOLEAN) {
                b.append(' ').append(f.label());
            }
            b.append('`');
            if (f.kind() == Flag.Kind.LIST) {
                b.append(" (repeatable)");
            }
            b.append(" | `").append(f.env()).append('`');
            if (f.kind() == Flag.Kind.LIST) {
                b.append(" (comma-separated)");
            }
            if (f.envNote() != null) {
                b.append(", ").append(f.envNote());
            }
            b.append(" | ");
            if (f.defaultText() != null) {
                b.append('`').append(f.defaultText()).append('`');
            }
            b.append(" | ").append(f.help()).append(" |\n");
        }
        if (deprecated.length() > 0) {
            b.append('\n').append(deprecated);
        }
        return b.toString();
    }

    @Test
    void readmeFlagTableIsTheOneRenderedFromTheOptionTable() throws IOException {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        assertThat(begin).as("README.md has the marker " + BEGIN).isNotNegative();
        assertThat(end).as("README.md has the marker " + END).isGreaterThan(begin);
        String actual = text.substring(begin + BEGIN.length() + 1, end);

        assertThat(actual)
                .as("README.md's flag table differs from Flags.java; replace it with:%n%s", render())
                .isEqualTo(render());
    }

    @Test
    void everyFlagIsInThePicocliModelOnceWithItsTwinInTheHelp() {
        Set<String> names = new HashSet<>();
        for (Flag<?> f : Flags.ALL) {
            assertThat(names.add(f.name())).as(f.name()).isTrue();
            assertThat(ExporterCommand.commandLine().getCommandSpec().findOption(f.name()))
                    .as(f.name())
                    .isNotNull();
            assertThat(f.description()).contains(f.env());
        }
        assertThat(ExporterCommand.commandLine().getCommandSpec().options())
                .filteredOn(o -> o.longestName().startsWith("--") && !o.usageHelp() && !o.versionHelp())
                .hasSameSizeAs(Flags.ALL);
    }

    @Test
    void everyDefaultParses() throws ConfigException {
        for (Flag<?> f : Flags.ALL) {
            if (f.defaultText() != null) {
                assertThat(f.parser().parse(f.defaultText())).as(f.name()).isNotNull();
            }
        }
    }
}
