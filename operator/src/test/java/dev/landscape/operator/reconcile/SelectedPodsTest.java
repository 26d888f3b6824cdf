package dev.landscape.operator.reconcile;

import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeStatus;
import dev.landscape.operator.testing.TestingObjects;
import dev.landscape.operator.testing.TestingTokenReviews;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Which pods a probe sees: those the webhook labelled, as they change (the pod informer watches labelled pods only),
 * and those it never labelled, from a list with the probe's selector at its first reconcile (then every
 * {@code landscape.reconcile.pod-list-interval}, 2 minutes: longer than this test). Ready says when nothing is
 * selected or nothing is injected.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestingTokenReviews.class)
class SelectedPodsTest {

    @Inject
    KubernetesClient client;

    @AfterEach
    void tearDown() {
        TestingObjects.cleanUp(client);
    }

    @Test
    void probeWithoutPodsIsNotReady() {
        client.resource(TestingObjects.probe(client.getNamespace(), "empty", "empty")).create();

        LandscapeProbeStatus status = awaitStatus("empty", s -> s.getPodsInjected() != null);

        Condition ready = ready(status);
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("NoPodsSelected");
    }

    @Test
    void podsFromBeforeTheProbeAreListedAndLabelledPodsAreWatched() {
        String ns = client.getNamespace();
        Pod before = TestingObjects.unlabelledPod(ns, "scope", 0);
        before.getSpec().getContainers().removeIf(c -> c.getName().equals(LandscapeProbe.SIDECAR_CONTAINER));
        client.resource(before).create();
        client.resource(TestingObjects.probe(ns, "scope", "scope")).create();

        LandscapeProbeStatus first = awaitStatus("scope", s -> s.getPodsUninjected() != null && s.getPodsUninjected() == 1);
        assertThat(first.getPodsInjected()).isZero();
        assertThat(ready(first).getReason()).isEqualTo("NoPodsInjected");
        assertThat(ready(first).getStatus()).isEqualTo("False");

        client.resource(TestingObjects.unlabelledPod(ns, "scope", 1)).create();
        client.resource(TestingObjects.pod(ns, "scope", 2)).create();

        LandscapeProbeStatus second = awaitStatus("scope", s -> s.getPodsInjected() != null && s.getPodsInjected() == 1);
        assertThat(second.getPodsUninjected()).as("the unlabelled pod created after the list is not watched").isEqualTo(1);
        assertThat(ready(second).getStatus()).isEqualTo("True");
        assertThat(ready(second).getMessage()).contains("2 selected pod(s), 1 with the sidecar");
    }

    private static Condition ready(LandscapeProbeStatus s) {
        return s.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
    }

    private LandscapeProbeStatus awaitStatus(String probe, Predicate<LandscapeProbeStatus> wanted) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
                Optional.ofNullable(client.resources(LandscapeProbe.class).inNamespace(client.getNamespace()).withName(probe).get())
                        .map(LandscapeProbe::getStatus).filter(wanted).orElse(null), s -> s != null);
    }
}
