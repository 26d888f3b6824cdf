package dev.landscape.operator.reconcile;

import dev.landscape.operator.testing.StrictKubernetesServer;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeSpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.common.WithTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The reconciler against the Fabric8 mock API server in CRUD mode (CRDs applied from the build). */
@QuarkusTest
@WithTestResource(StrictKubernetesServer.class)
class LandscapeProbeReconcilerTest {

    @Inject
    KubernetesClient client;

    @AfterEach
    void cleanUp() {
        client.resources(LandscapeProbe.class).inNamespace(namespace()).delete();
    }

    @Test
    void validProbeWithoutPodsIsAcceptedButNotReadyWithObservedGeneration() {
        LandscapeProbe probe = client.resource(probe("valid", SpecValidatorTest.validSpec())).create();

        Condition ready = awaitCondition("valid", "Ready", probe.getMetadata().getGeneration());

        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("NoPodsSelected");
        assertThat(ready.getMessage()).startsWith("Probe accepted");
        LandscapeProbe stored = get("valid");
        assertThat(stored.getStatus().getObservedGeneration()).isEqualTo(probe.getMetadata().getGeneration());
        assertThat(stored.getStatus().getConditions()).extracting(Condition::getType)
                .containsExactly("Ready", "TrainingStable", "WorkersInSync", "InfrastructureHealthy");
    }

    @Test
    void invalidSpecIsReportedInReadyNamingTheField() {
        LandscapeProbeSpec spec = SpecValidatorTest.validSpec();
        spec.getSelector().setMatchLabels(null);
        client.resource(probe("no-selector", spec)).create();

        Condition ready = awaitCondition("no-selector", "Ready", 1L);

        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("InvalidSpec");
        assertThat(ready.getMessage()).contains("spec.selector must have matchLabels or matchExpressions");
    }

    @Test
    void fixingTheSpecFlipsReadyAndAdvancesObservedGeneration() {
        LandscapeProbeSpec spec = SpecValidatorTest.validSpec();
        spec.getSelector().setMatchLabels(null);
        client.resource(probe("fixed", spec)).create();
        awaitCondition("fixed", "Ready", 1L);

        LandscapeProbe current = get("fixed");
        current.getSpec().getSelector().setMatchLabels(java.util.Map.of("app", "trainer"));
        LandscapeProbe updated = client.resource(current).update();

        Condition ready = awaitCondition("fixed", "Ready", updated.getMetadata().getGeneration());
        assertThat(ready.getReason()).isEqualTo("NoPodsSelected");
        assertThat(updated.getMetadata().getGeneration()).isGreaterThan(1L);
    }

    private Condition awaitCondition(String name, String type, Long generation) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> Optional.ofNullable(get(name))
                .map(LandscapeProbe::getStatus)
                .filter(s -> generation.equals(s.getObservedGeneration()))
                .flatMap(s -> s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst())
                .orElse(null), c -> c != null);
    }

    private LandscapeProbe get(String name) {
        return client.resources(LandscapeProbe.class).inNamespace(namespace()).withName(name).get();
    }

    private String namespace() {
        return client.getNamespace();
    }

    private LandscapeProbe probe(String name, LandscapeProbeSpec spec) {
        LandscapeProbe p = new LandscapeProbe();
        p.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace()).build());
        p.setSpec(spec);
        return p;
    }
}
