package dev.landscape.operator.reconcile;

import dev.landscape.operator.testing.StrictKubernetesServer;
import dev.landscape.contract.TensorSketch;
import dev.landscape.operator.crd.FindingStatus;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeStatus;
import dev.landscape.operator.testing.TestingObjects;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.common.WithTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** CrashLoopBackOff with error exits, an eviction and a diverging rank, all at once, on the mock API server. */
@QuarkusTest
@WithTestResource(StrictKubernetesServer.class)
class InfrastructureAndWorkersTest {

    @Inject
    KubernetesClient client;


    @AfterEach
    void tearDown() {
        TestingObjects.cleanUp(client);
    }

    @Test
    void eachProblemIsNamedOnItsRank() throws Exception {
        String ns = client.getNamespace();
        client.resource(TestingObjects.probe(ns, "infra", "infra")).create();
        Instant now = Instant.now();
        for (int rank = 0; rank < 4; rank++) {
            Pod pod = client.resource(TestingObjects.pod(ns, "infra", rank)).create();
            double[] weights = rank == 2 ? new double[] {1.0, 2.2, 3.0} : new double[] {1.0, 2.0, 3.0};
            for (long step : new long[] {100, 200}) {
                Instant at = now.minus(Duration.ofMinutes(step == 100 ? 4 : 2));
                List<TensorSketch> sketches = List.of(new TensorSketch("model.fc.weight", 42L, 10.0,
                        java.util.Arrays.stream(weights).boxed().toList()));
                TestingObjects.post(pod, TestingObjects.report(ns, "infra", pod.getMetadata().getName(), rank, step, at, List.of(), sketches));
            }
        }

        Pod crashing = client.pods().inNamespace(ns).withName("infra-0").get();
        crashing.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("trainer").withRestartCount(3)
                .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
                .withNewLastState().withNewTerminated().withReason("Error").withExitCode(1)
                .withFinishedAt(now.minusSeconds(20).toString()).endTerminated().endLastState().build()));
        client.pods().inNamespace(ns).resource(crashing).updateStatus();
        Pod evicted = client.pods().inNamespace(ns).withName("infra-1").get();
        evicted.getStatus().setPhase("Failed");
        evicted.getStatus().setReason("Evicted");
        evicted.getStatus().setMessage("The node was low on resource: memory.");
        client.pods().inNamespace(ns).resource(evicted).updateStatus();

        LandscapeProbeStatus status = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                Optional.ofNullable(client.resources(LandscapeProbe.class).inNamespace(ns).withName("infra").get())
                        .map(LandscapeProbe::getStatus)
                        .filter(s -> s.getFindings().stream().map(FindingStatus::getReason).toList()
                                .containsAll(List.of("RestartLoop", "ErrorExit", "Evicted", "WorkerDivergence")))
                        .orElse(null), s -> s != null);

        assertThat(status.getFindings()).extracting(f -> f.getReason() + "@" + f.getRank())
                .contains("RestartLoop@0", "ErrorExit@0", "Evicted@1", "WorkerDivergence@2");
        assertThat(status.getMaxDivergenceRank()).isEqualTo(2);
        assertThat(status.getMaxDivergence()).isCloseTo(0.02, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(status.getRestarts()).isEqualTo(3);
        assertThat(status.getConditions()).filteredOn(c -> c.getType().equals("WorkersInSync")).singleElement()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("WorkerDivergence"));
        assertThat(status.getConditions()).filteredOn(c -> c.getType().equals("InfrastructureHealthy")).singleElement()
                .satisfies(c -> {
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo("RestartLoop");
                    assertThat(c.getMessage()).contains("Rank 0 (pod infra-0) restarted 3 times").contains("CrashLoopBackOff");
                });
    }
}
