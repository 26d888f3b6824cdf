package dev.landscape.operator;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The operator's layering, as docs/architecture.md draws it: {@code correlate} (timelines per rank → findings) is
 * pure Java that knows nothing of Kubernetes, Quarkus, the operator SDK, OpenTelemetry or ND4J, so it is tested
 * with tables and could run anywhere; and the top-level packages ({@code dev.landscape.operator.*}) depend on each
 * other without a cycle: {@code crd}, {@code rank}, {@code config} and {@code store} at the bottom, {@code correlate}
 * beside them, {@code observe}, {@code ingest} and {@code webhook} above, {@code alert} and {@code reconcile} on top.
 */
class ArchitectureTest {

    /** Frameworks the pure package must not import. */
    static final List<String> FRAMEWORKS = List.of("io.fabric8..", "io.quarkus..", "io.quarkiverse..",
            "io.javaoperatorsdk..", "io.opentelemetry..", "org.nd4j..", "org.bytedeco..");

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.landscape.operator");

    @Test
    void correlateImportsNoFramework() {
        noClasses().that().resideInAPackage("dev.landscape.operator.correlate..")
                .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS.toArray(String[]::new))
                .check(MAIN);
    }

    /**
     * Ingest and the webhook answer requests on every replica; the observer and reconciler run on the leader. What
     * the former share with the latter (the ProbeReport store, the selector rule, the Event writer) lives in
     * {@code store}, below all of them.
     */
    @Test
    void requestPathsDoNotReachIntoTheLeadersPackages() {
        noClasses().that().resideInAnyPackage("dev.landscape.operator.ingest..", "dev.landscape.operator.webhook..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.landscape.operator.observe..",
                        "dev.landscape.operator.reconcile..", "dev.landscape.operator.alert..")
                .check(MAIN);
    }

    @Test
    void topLevelPackagesFormNoCycle() {
        slices().matching("dev.landscape.operator.(*)..").should().beFreeOfCycles().check(MAIN);
    }
}
