package io.nundb.exporter;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.regex.Pattern;

/**
 * The package graph of the whole exporter (core and server main classes), enforced: no cycle between
 * packages, and the server packages sit on top of core in one direction:
 *
 * <pre>
 *   core        protocol, transport, timing, model, exposition (their order: core's CorePackageLayersTest)
 *   client      -> core                     the collector; never the simulator
 *   sim         -> core
 *   http        -> core                     reads snapshots through model.ClusterSnapshotSource, never the collector
 *   demo        -> core, sim
 *   cli         -> core, client, http, demo the thin main wires everything
 * </pre>
 *
 * No core package depends on a server package. A new package fails the layers rule until it is placed
 * in this table.
 */
@AnalyzeClasses(
        packages = "io.nundb.exporter",
        importOptions = {ImportOption.DoNotIncludeTests.class, ServerPackageLayersTest.DoNotIncludeTestJars.class})
class ServerPackageLayersTest {
    private static final String ROOT = "io.nundb.exporter";

    /**
     * Leaves out core's test classes: {@code mvn verify} puts them on this module's test class path as
     * core's {@code -tests.jar}, which {@link ImportOption.DoNotIncludeTests} does not recognise.
     */
    public static final class DoNotIncludeTestJars implements ImportOption {
        private static final Pattern TEST_JAR = Pattern.compile(".*-tests\\.jar!/.*");

        @Override
        public boolean includes(Location location) {
            return !location.matches(TEST_JAR);
        }
    }

    @ArchTest
    static final ArchRule packagesFormNoCycle =
            slices().matching(ROOT + ".(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule serverPackagesSitOnTopOfCore = layeredArchitecture()
            .consideringOnlyDependenciesInAnyPackage(ROOT + "..")
            .withOptionalLayers(true)
            .layer("core")
            .definedBy(
                    ROOT + ".protocol..",
                    ROOT + ".transport..",
                    ROOT + ".timing..",
                    ROOT + ".model..",
                    ROOT + ".exposition..")
            .layer("client")
            .definedBy(ROOT + ".client..")
            .layer("sim")
            .definedBy(ROOT + ".sim..")
            .layer("http")
            .definedBy(ROOT + ".http..")
            .layer("demo")
            .definedBy(ROOT + ".demo..")
            .layer("cli")
            .definedBy(ROOT + ".cli..")
            .whereLayer("core")
            .mayNotAccessAnyLayer()
            .whereLayer("client")
            .mayOnlyAccessLayers("core")
            .whereLayer("sim")
            .mayOnlyAccessLayers("core")
            .whereLayer("http")
            .mayOnlyAccessLayers("core")
            .whereLayer("demo")
            .mayOnlyAccessLayers("core", "sim")
            .whereLayer("cli")
            .mayOnlyAccessLayers("core", "client", "http", "demo")
            .ensureAllClassesAreContainedInArchitectureIgnoring(ROOT);
}
