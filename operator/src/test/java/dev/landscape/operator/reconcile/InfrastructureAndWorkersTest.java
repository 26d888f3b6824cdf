package dev.landscape.operator.reconcile;

import dev.landscape.contract.Reason;
import dev.landscape.contract.ReportedFinding;
import dev.landscape.contract.Severity;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
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
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * CrashLoopBackOff with error exits, an eviction and a diverging rank, all at once, and a rank whose tier 2 keeps
 * failing, on the strict API server.
 */
@QuarkusTest
@WithTestResource(StrictKubernetesServer.class)
class InfrastructureAndWorkersTest {

    private static final String REFUSAL = "tier 2 refused before the Hessian products: the whole model (124,439,808 of "
            + "124,439,808 parameters) needs 5,312 MiB native beside the heap; this process has 1,024 MiB heap under a "
            + "memory limit of 2,048 MiB";

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

    /**
     * A rank whose tier 2 keeps failing reaches on-call like any sidecar finding: one CurvatureUnavailable in status
     * with the sidecar's message and the remedy, InfrastructureHealthy=False, one Event on the probe and one on the pod
     * for the whole failing stretch; the first report that measures curvature again clears it.
     */
    @Test
    void aFailingTier2IsOneInfrastructureFindingUntilItMeasuresAgain() throws Exception {
        String ns = client.getNamespace();
        client.resource(TestingObjects.probe(ns, "tier2", "tier2")).create();
        Pod pod = client.resource(TestingObjects.pod(ns, "tier2", 0)).create();
        Instant now = Instant.now();
        for (long step : new long[] {100, 200, 300}) {
            List<ReportedFinding> findings = step == 100 ? List.of() : List.of(unavailable(step));
            TestingObjects.post(pod, TestingObjects.report(ns, "tier2", pod.getMetadata().getName(), 0, step,
                    now.minus(Duration.ofMinutes(8 - step / 50)), findings, List.of()));
        }

        LandscapeProbeStatus failing = awaitStatus(s -> s.getLatestStep() != null && s.getLatestStep() == 300
                && s.getFindings().stream().anyMatch(f -> f.getReason().equals("CurvatureUnavailable")));

        assertThat(failing.getFindings()).filteredOn(f -> f.getReason().equals("CurvatureUnavailable")).singleElement()
                .satisfies(f -> {
                    assertThat(f.getRank()).isEqualTo(0);
                    assertThat(f.getStep()).as("the first step of the failing stretch").isEqualTo(200L);
                    assertThat(f.getSeverity()).isEqualTo(Severity.WARNING);
                    assertThat(f.getMessage()).startsWith("Rank 0 (pod tier2-0) since step 200: Tier 2 (curvature) failed")
                            .contains("at step 300 (failing since step 200)").endsWith(REFUSAL);
                    assertThat(f.getRemedy()).isEqualTo(Reason.CurvatureUnavailable.remedy());
                });
        assertThat(condition(failing, "InfrastructureHealthy")).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("CurvatureUnavailable");
        });
        assertThat(condition(failing, "TrainingStable").getStatus()).isEqualTo("True");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(events(ns, "tier2")).singleElement().satisfies(e -> {
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getMessage()).contains("Rank 0 (pod tier2-0) since step 200: Tier 2 (curvature) failed")
                        .contains(REFUSAL + " Remedy: Tier 2 (curvature) fails");
            });
            assertThat(events(ns, "tier2-0")).hasSize(1);
        });

        TestingObjects.post(pod, TestingObjects.report(ns, "tier2", pod.getMetadata().getName(), 0, 400, now,
                List.of(), List.of()));
        LandscapeProbeStatus measured = awaitStatus(s -> s.getLatestStep() != null && s.getLatestStep() == 400);

        assertThat(measured.getFindings()).extracting(FindingStatus::getReason).doesNotContain("CurvatureUnavailable");
        assertThat(condition(measured, "InfrastructureHealthy").getStatus()).isEqualTo("True");
        assertThat(events(ns, "tier2")).as("announced once for the whole stretch").hasSize(1);
    }

    /** The finding as the sidecar reports it (Finding.curvatureUnavailable) for a stretch that began at step 200. */
    private static ReportedFinding unavailable(long step) {
        return new ReportedFinding("CurvatureUnavailable", "warning", step, "Tier 2 (curvature) failed on checkpoint "
                + "/ckpt/checkpoint-" + step + " at step " + step + (step > 200 ? " (failing since step 200)" : "")
                + "; tier 1 is still reported: " + REFUSAL, Map.of());
    }

    private List<Event> events(String ns, String object) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> e.getInvolvedObject().getName().equals(object) && e.getReason().equals("CurvatureUnavailable"))
                .toList();
    }

    private static Condition condition(LandscapeProbeStatus s, String type) {
        return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    private LandscapeProbeStatus awaitStatus(Predicate<LandscapeProbeStatus> ready) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                Optional.ofNullable(client.resources(LandscapeProbe.class).inNamespace(client.getNamespace()).withName("tier2").get())
                        .map(LandscapeProbe::getStatus).filter(ready).orElse(null), s -> s != null);
    }
}
