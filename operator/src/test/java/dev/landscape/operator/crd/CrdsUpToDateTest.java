package dev.landscape.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * crds/ is generated from the Java classes and committed; this test fails when it is stale. Regenerate with
 * {@code ./mvnw -pl operator test -Dtest=CrdsUpToDateTest -Dlandscape.crds.update=true}.
 */
class CrdsUpToDateTest {

    static final List<Class<? extends io.fabric8.kubernetes.client.CustomResource<?, ?>>> RESOURCES =
            List.of(LandscapeProbe.class, ProbeReport.class);

    @Test
    void committedCrdsMatchTheJavaClasses(@TempDir Path out) throws IOException {
        generate(out);
        Path crds = RepositoryPaths.root().resolve("crds");
        if (Boolean.getBoolean("landscape.crds.update")) {
            try (Stream<Path> files = Files.list(out)) {
                for (Path f : files.toList()) {
                    Files.copy(f, crds.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        List<String> generated;
        try (Stream<Path> files = Files.list(out)) {
            generated = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(generated).containsExactly("landscapeprobes.landscape.dev-v1.yml", "probereports.landscape.dev-v1.yml");
        for (String name : generated) {
            assertThat(crds.resolve(name))
                    .as("crds/%s is stale: regenerate with ./mvnw -pl operator test -Dtest=CrdsUpToDateTest -Dlandscape.crds.update=true", name)
                    .exists()
                    .hasContent(Files.readString(out.resolve(name)));
        }
    }

    static void generate(Path out) {
        new CRDGenerator()
                .customResourceClasses(RESOURCES.toArray(Class[]::new))
                .forCRDVersions("v1")
                .withPostProcessor(new CRDPostProcessor() {
                    @Override
                    public HasMetadata process(HasMetadata crd, String version) {
                        return declaredColumnOrder(crd);
                    }
                })
                .inOutputDir(out.toFile())
                .generate();
    }

    /**
     * The generator sorts printer columns by name; kubectl shows them in the order the class declares them
     * (READY, RANKS, STEP, ... AGE), which is the order on-call engineers read.
     */
    private static HasMetadata declaredColumnOrder(HasMetadata resource) {
        CustomResourceDefinition crd = (CustomResourceDefinition) resource;
        Class<?> type = RESOURCES.stream()
                .filter(c -> c.getSimpleName().equals(crd.getSpec().getNames().getKind()))
                .findFirst().orElseThrow();
        List<String> declared = Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name).toList();
        crd.getSpec().getVersions().forEach(v -> v.getAdditionalPrinterColumns()
                .sort(Comparator.comparingInt((CustomResourceColumnDefinition c) -> declared.indexOf(c.getName()))));
        return crd;
    }
}
