package io.nundb.exporter;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package graph of {@code core}, enforced: no cycle between packages, and each package depends
 * only on the packages listed for it (the order and the reasons are in each {@code package-info}):
 *
 * <pre>
 *   protocol                         the wire: commands, decoder, parsers and the values they produce
 *   transport                        epoll or NIO
 *   timing      -> protocol          accumulators, keyed by command
 *   model       -> protocol, timing  what the exporter publishes: snapshots, reasons, the snapshot source
 *   client      -> model, protocol, timing, transport
 *   exposition  -> model, protocol, timing
 *   sim         -> protocol          the simulated cluster (never used by the collection path)
 * </pre>
 *
 * A new package fails the layers rule until it is placed in this table. Server packages are checked by
 * the server module's {@code ServerPackageLayersTest}.
 */
@AnalyzeClasses(packages = "io.nundb.exporter", importOptions = ImportOption.DoNotIncludeTests.class)
class CorePackageLayersTest {
    private static final String ROOT = "io.nundb.exporter";

    @ArchTest
    static final ArchRule packagesFormNoCycle =
            slices().matching(ROOT + ".(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule packagesDependOnlyOnTheLayersBelow = layeredArchitecture()
            .consideringOnlyDependenciesInAnyPackage(ROOT + "..")
            .withOptionalLayers(true)
            .layer("protocol")
            .definedBy(ROOT + ".protocol..")
            .layer("transport")
            .definedBy(ROOT + ".transport..")
            .layer("timing")
            .definedBy(ROOT + ".timing..")
            .layer("model")
            .definedBy(ROOT + ".model..")
            .layer("client")
            .definedBy(ROOT + ".client..")
            .layer("exposition")
            .definedBy(ROOT + ".exposition..")
            .layer("sim")
            .definedBy(ROOT + ".sim..")
            .whereLayer("protocol")
            .mayNotAccessAnyLayer()
            .whereLayer("transport")
            .mayNotAccessAnyLayer()
            .whereLayer("timing")
            .mayOnlyAccessLayers("protocol")
            .whereLayer("model")
            .mayOnlyAccessLayers("protocol", "timing")
            .whereLayer("client")
            .mayOnlyAccessLayers("model", "protocol", "timing", "transport")
            .whereLayer("exposition")
            .mayOnlyAccessLayers("model", "protocol", "timing")
            .whereLayer("sim")
            .mayOnlyAccessLayers("protocol")
            .ensureAllClassesAreContainedInArchitectureIgnoring(ROOT);
}
