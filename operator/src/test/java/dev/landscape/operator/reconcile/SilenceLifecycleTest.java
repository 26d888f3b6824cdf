package dev.landscape.operator.reconcile;

import dev.landscape.operator.alert.OperatorMetrics;
import dev.landscape.operator.crd.FindingStatus;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeStatus;
import dev.landscape.operator.crd.SilenceAnnotations;
import dev.landscape.operator.testing.TestingObjects;
import dev.landscape.operator.testing.StrictKubernetesServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.common.WithTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The silence path on the strict embedded API server, through the real reconciler: a finding under the ad-hoc
 * annotation is recorded and shown with "silenced until", announced by a Normal Event and exported with
 * silenced="true"; removing the annotation reconciles at once (well within the 30 s rescan), and the finding becomes
 * a Warning Event and an unsilenced series. The same pass checks the per-rank and per-probe gauges the alerts read.
 *
 * <p>Ingest and the reconciler both write rank 0's ProbeReport while the reports arrive, so this runs where a status
 * write from an outdated copy is a 409 Conflict, as on kube-apiserver. On Fabric8's mock server such a write was
 * stored: now and then the reconciler's infrastructure history erased the step-100 checkpoint, and the checkpoint
 * interval never appeared while the step-200 finding was shown (ProbeReportStoreTest pins that case).
 */
@QuarkusTest
@WithTestResource(StrictKubernetesServer.class)
class SilenceLifecycleTest {

    @Inject
    KubernetesClient client;

    @Inject
    OperatorMetrics metrics;

    @AfterEach
    void tearDown() {
        TestingObjects.cleanUp(client);
    }

    @Test
    void aSilencedFindingIsShownAndExportedAsSilencedAndAlertsAgainOnceTheSilenceIsRemoved() throws Exception {
        String ns = client.getNamespace();
        String until = Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS).toString();
        LandscapeProbe probe = TestingObjects.probe(ns, "quiet", "quiet");
        probe.getMetadata().setAnnotations(Map.of(SilenceAnnotations.UNTIL, until, SilenceAnnotations.REASON, "planned retrain"));
        client.resource(probe).create();
        Instant now = Instant.now();
        Pod rank0 = client.resource(TestingObjects.pod(ns, "quiet", 0)).create();
        for (long step : new long[] {100, 200}) {
            Instant at = now.minus(Duration.ofMinutes(step == 100 ? 4 : 2));
            TestingObjects.post(rank0, TestingObjects.report(ns, "quiet", rank0.getMetadata().getName(), 0, step, at,
                    step == 200 ? List.of(TestingObjects.spike(step)) : List.of(), List.of()));
        }
        // created after the probe, no sidecar, not opted out: the webhook missed it; and one that opted out
        client.resource(new PodBuilder(TestingObjects.pod(ns, "quiet", 1)).editSpec().removeMatchingFromContainers(c -> c.getName().equals("landscape-probe")).endSpec().build()).create();
        client.resource(new PodBuilder(TestingObjects.pod(ns, "quiet", 2)).editMetadata().addToLabels("landscape.dev/inject", "false").endMetadata()
                .editSpec().removeMatchingFromContainers(c -> c.getName().equals("landscape-probe")).endSpec().build()).create();

        LandscapeProbeStatus status = awaitStatus(s -> s.getFindings().stream().anyMatch(f -> f.getReason().equals("GradientSpike")));

        FindingStatus spike = spike(status);
        assertThat(spike.getSilencedUntil()).isEqualTo(until);
        assertThat(status.getSilencedUntil()).isEqualTo(until);
        assertThat(status.getSilences()).singleElement().satisfies(a -> {
            assertThat(a.getSource()).isEqualTo("annotation landscape.dev/silenced-until");
            assertThat(a.getReason()).isEqualTo("planned retrain");
        });
        assertThat(spike.getMessage()).contains("gradient norm 88");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(events(ns, "GradientSpike"))
                .singleElement().satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Normal");
                    assertThat(e.getMessage()).startsWith("Silenced until " + until + ": Rank 0");
                }));
        // The status and the gauges are not written in one step: wait for the gauges rather than read one scrape,
        // which can fall between the two (it did under load).
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            String scrape = scrape();
            assertThat(series(scrape, "landscape_findings_active", "landscape_reason=\"GradientSpike\""))
                    .singleElement().satisfies(l -> assertThat(l).contains("silenced=\"true\"", "landscape_family=\"training\"", "landscape_rank=\"0\""));
            assertThat(series(scrape, "landscape_pods_uninjected", "landscape_cause=\"missed\"")).singleElement().satisfies(l -> assertThat(value(l)).isEqualTo(1.0));
            assertThat(series(scrape, "landscape_pods_uninjected", "landscape_cause=\"opted_out\"")).singleElement().satisfies(l -> assertThat(value(l)).isEqualTo(1.0));
            assertThat(series(scrape, "landscape_ranks_running", "")).singleElement().satisfies(l -> assertThat(value(l)).isEqualTo(3.0));
            assertThat(series(scrape, "landscape_slo_objective", "")).singleElement().satisfies(l -> assertThat(value(l)).isEqualTo(0.99));
            assertThat(series(scrape, "landscape_rank_checkpoint_interval_seconds", "landscape_rank=\"0\"")).singleElement()
                    .satisfies(l -> assertThat(value(l)).isEqualTo(120.0));
            // rank 0 runs with the sidecar and has reported: a deadline; rank 1 runs without it: none
            assertThat(series(scrape, "landscape_rank_report_due_timestamp_seconds", "")).singleElement()
                    .satisfies(l -> assertThat(l).contains("landscape_rank=\"0\""));
            assertThat(series(scrape, "landscape_rank_last_report_timestamp_seconds", "landscape_rank=\"0\"")).hasSize(1);
        });

        LandscapeProbe current = client.resources(LandscapeProbe.class).inNamespace(ns).withName("quiet").get();
        Map<String, String> annotations = new HashMap<>(current.getMetadata().getAnnotations());
        annotations.remove(SilenceAnnotations.UNTIL);
        annotations.remove(SilenceAnnotations.REASON);
        current.getMetadata().setAnnotations(annotations);
        client.resource(current).update();

        LandscapeProbeStatus unsilenced = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(
                () -> client.resources(LandscapeProbe.class).inNamespace(ns).withName("quiet").get().getStatus(),
                s -> s.getSilencedUntil() == null && spike(s).getSilencedUntil() == null);
        assertThat(unsilenced.getSilences()).isNull();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events(ns, "GradientSpike"))
                .extracting(Event::getType).containsExactlyInAnyOrder("Normal", "Warning"));
        assertThat(series(scrape(), "landscape_findings_active", "landscape_reason=\"GradientSpike\""))
                .singleElement().satisfies(l -> assertThat(l).contains("silenced=\"false\""));
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static FindingStatus spike(LandscapeProbeStatus s) {
        return s.getFindings().stream().filter(f -> f.getReason().equals("GradientSpike")).findFirst().orElseThrow();
    }

    private List<Event> events(String ns, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> e.getInvolvedObject().getName().equals("quiet") && e.getReason().equals(reason)).toList();
    }

    private String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + metrics.prometheusPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static List<String> series(String scrape, String name, String containing) {
        return scrape.lines().filter(l -> l.startsWith(name + "{") && l.contains("landscape_probe=\"quiet\"") && l.contains(containing)).toList();
    }

    private LandscapeProbeStatus awaitStatus(Predicate<LandscapeProbeStatus> ready) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                Optional.ofNullable(client.resources(LandscapeProbe.class).inNamespace(client.getNamespace()).withName("quiet").get())
                        .map(LandscapeProbe::getStatus).filter(ready).orElse(null), s -> s != null);
    }
}
