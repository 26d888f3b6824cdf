package dev.landscape.operator.reconcile;

import dev.landscape.contract.Severity;
import dev.landscape.operator.store.EventWriter;
import dev.landscape.operator.testing.StrictKubernetesServer;
import dev.landscape.operator.crd.FindingStatus;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeStatus;
import dev.landscape.operator.testing.TestingObjects;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.common.TestResourceScope;
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

/**
 * The whole operator loop on the mock API server: four ranks report, rank 3 spikes then is OOM-killed, and the
 * probe's status, conditions and Events say so once — also after the reconcile runs again.
 */
@QuarkusTest
// Its own application: the metric assertions below count from zero.
@WithTestResource(value = StrictKubernetesServer.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ProbeLifecycleTest {

    @Inject
    KubernetesClient client;

    @Inject
    dev.landscape.operator.alert.OperatorMetrics metrics;


    @AfterEach
    void tearDown() {
        TestingObjects.cleanUp(client);
    }

    @Test
    void oomKillAfterAGradientSpikeBecomesOneJoinedFindingWithEvents() throws Exception {
        String ns = client.getNamespace();
        client.resource(TestingObjects.probe(ns, "flow", "flow")).create();
        Instant now = Instant.now();
        for (int rank = 0; rank < 4; rank++) {
            Pod pod = client.resource(TestingObjects.pod(ns, "flow", rank)).create();
            for (long step : new long[] {100, 200}) {
                Instant at = now.minus(Duration.ofMinutes(step == 100 ? 4 : 2));
                var findings = rank == 3 && step == 200 ? List.of(TestingObjects.spike(step)) : List.<dev.landscape.contract.ReportedFinding>of();
                TestingObjects.post(pod, TestingObjects.report(ns, "flow", pod.getMetadata().getName(), rank, step, at, findings, List.of()));
            }
        }
        awaitStatus(s -> s.getLatestStep() != null && s.getLatestStep() == 200 && s.getRanks() == 4);

        Pod rank3 = client.pods().inNamespace(ns).withName("flow-3").get();
        rank3.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("trainer").withRestartCount(1)
                .withNewState().withNewRunning().endRunning().endState()
                .withNewLastState().withNewTerminated().withReason("OOMKilled").withExitCode(137)
                .withFinishedAt(now.minus(Duration.ofMinutes(1)).toString()).endTerminated().endLastState().build()));
        client.pods().inNamespace(ns).resource(rank3).updateStatus();

        LandscapeProbeStatus status = awaitStatus(s -> s.getOomKills() != null && s.getOomKills() == 1
                && s.getFindings().stream().anyMatch(f -> f.getReason().equals("InstabilityBeforeFailure")));

        FindingStatus joined = status.getFindings().stream().filter(f -> f.getReason().equals("InstabilityBeforeFailure")).findFirst().orElseThrow();
        assertThat(joined.getRank()).isEqualTo(3);
        assertThat(joined.getPod()).isEqualTo("flow-3");
        assertThat(joined.getStep()).isEqualTo(200L);
        assertThat(joined.getSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(joined.getMessage()).contains("Rank 3 had a GradientSpike at step 200").contains("was OOM-killed");
        assertThat(condition(status, "InfrastructureHealthy").getReason()).isEqualTo("InstabilityBeforeFailure");
        assertThat(condition(status, "TrainingStable").getReason()).isEqualTo("GradientSpike");
        assertThat(condition(status, "WorkersInSync").getStatus()).isEqualTo("True");
        assertThat(status.getRestarts()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(events(ns, "flow", "InstabilityBeforeFailure")).hasSize(1);
            assertThat(events(ns, "flow-3", "InstabilityBeforeFailure")).hasSize(1);
            assertThat(events(ns, "flow", "InstabilityBeforeFailure")).extracting(Event::getReportingComponent)
                    .as("one component for every Event the operator writes").containsExactly(EventWriter.COMPONENT);
        });

        String scrape = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + metrics.prometheusPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(scrape.lines().filter(l -> l.startsWith("landscape_findings_active{") && l.contains("landscape_probe=\"flow\"")
                && l.contains("landscape_reason=\"InstabilityBeforeFailure\"") && l.contains("landscape_severity=\"critical\"")))
                .singleElement().satisfies(l -> assertThat(l).endsWith(" 1.0"));
        assertThat(scrape).containsPattern("(?m)^landscape_oom_kills_total\\{[^}]*landscape_probe=\"flow\"[^}]*\\} 1(\\.0)?$");
        assertThat(scrape).containsPattern("(?m)^landscape_operator_reports_total\\{[^}]*landscape_outcome=\"accepted\"[^}]*\\} 8(\\.0)?$");

        LandscapeProbe probe = client.resources(LandscapeProbe.class).inNamespace(ns).withName("flow").get();
        probe.getMetadata().setAnnotations(java.util.Map.of("touched", "again"));
        client.resource(probe).update();
        Thread.sleep(1500);

        LandscapeProbeStatus again = client.resources(LandscapeProbe.class).inNamespace(ns).withName("flow").get().getStatus();
        assertThat(again.getOomKills()).isEqualTo(1);
        assertThat(again.getRestarts()).isEqualTo(1);
        assertThat(events(ns, "flow", "InstabilityBeforeFailure")).hasSize(1);
    }


    private List<Event> events(String ns, String object, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> e.getInvolvedObject().getName().equals(object) && e.getReason().equals(reason)).toList();
    }

    private static Condition condition(LandscapeProbeStatus s, String type) {
        return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    private LandscapeProbeStatus awaitStatus(java.util.function.Predicate<LandscapeProbeStatus> ready) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                Optional.ofNullable(client.resources(LandscapeProbe.class).inNamespace(client.getNamespace()).withName("flow").get())
                        .map(LandscapeProbe::getStatus).filter(ready).orElse(null), s -> s != null);
    }
}
