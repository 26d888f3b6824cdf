package dev.landscape.probe;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sidecar's layering, as docs/architecture.md draws it: the tier-1 maths ({@code metrics}) and the findings
 * drawn from it ({@code findings}) are plain Java that the offline analyser, the sidecar and the benchmarks share,
 * so they know nothing of Kubernetes, Quarkus, the operator SDK, OpenTelemetry or ND4J; and the top-level packages
 * ({@code dev.landscape.probe.*}) depend on each other without a cycle, so that each can be read, tested and
 * replaced from the bottom up ({@code cli} wires, {@code runtime} runs, the analysis packages below know neither).
 */
class ArchitectureTest {

    /** Packages whose code must stay framework-free. */
    static final List<String> PURE = List.of("dev.landscape.probe.metrics..", "dev.landscape.probe.findings..");

    /** Frameworks the pure packages must not import. */
    static final List<String> FRAMEWORKS = List.of("io.fabric8..", "io.quarkus..", "io.quarkiverse..",
            "io.javaoperatorsdk..", "io.opentelemetry..", "org.nd4j..", "org.bytedeco..", "onnx..");

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.landscape.probe");

    @Test
    void pureCoresImportNoFramework() {
        noClasses().that().resideInAnyPackage(PURE.toArray(String[]::new))
                .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS.toArray(String[]::new))
                .check(MAIN);
    }

    /**
     * Tier 2's linear algebra (Lanczos, Hutchinson, the finite-difference HVP) and its plots are plain Java beneath
     * the analysis: they take operators and arrays, so they import no ND4J and nothing else of {@code curvature}.
     */
    @Test
    void curvatureLinearAlgebraAndPlotsStandAlone() {
        noClasses().that().resideInAnyPackage("dev.landscape.probe.curvature.linalg..", "dev.landscape.probe.curvature.plot..")
                .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS.toArray(String[]::new))
                .orShould().dependOnClassesThat().resideInAnyPackage("dev.landscape.probe.curvature",
                        "dev.landscape.probe.curvature.onnx..")
                .check(MAIN);
    }

    @Test
    void topLevelPackagesFormNoCycle() {
        acyclic("dev.landscape.probe").check(MAIN);
    }

    /**
     * The rule above, run on a copy of the shape the sidecar had before the tier-2 runner was passed in from
     * {@code cli}: {@code runtime.Sidecar} built {@code curvature.CurvatureTier2Runner}, which read
     * {@code runtime.SidecarConfig}. The rule must name that cycle.
     */
    @Test
    void cycleRuleCatchesTheOldRuntimeCurvatureCycle() {
        String root = "dev.landscape.probe.architecture.oldcycle";
        JavaClasses old = new ClassFileImporter().importPackages(root);

        var result = acyclic(root).evaluate(old);

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails()).anySatisfy(line ->
                assertThat(line).contains("runtime").contains("curvature"));
    }

    /** No cycle between the packages directly under {@code root}. */
    static ArchRule acyclic(String root) {
        return slices().matching(root + ".(*)..").should().beFreeOfCycles();
    }
}
