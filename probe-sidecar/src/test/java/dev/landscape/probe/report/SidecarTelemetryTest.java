package dev.landscape.probe.report;

import dev.landscape.contract.CheckpointReport;
import dev.landscape.contract.Tier1Summary;
import dev.landscape.telemetry.MetricsExport;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class SidecarTelemetryTest {

    static CheckpointReport report(long step, double loss, double eos) {
        return new CheckpointReport(CheckpointReport.API_VERSION, "bert", "ml", "bert-1", 1, step,
                new CheckpointReport.CheckpointRef("/c", "safetensors", "2026-11-22T10:00:00Z"), "2026-11-22T10:00:01Z",
                new Tier1Summary(12.0, 0L, 0.5, 0.04, -0.2, 3.0, 9.0, 4.0, 4.0, eos, loss, null, 1e-3),
                null, List.of(), List.of(), List.of(new CheckpointReport.SkippedCheckpoint(step - 1, "/s")));
    }

    @Test
    void latestCheckpointScalarsAreGaugesWithTheRankAttributes() {
        InMemoryMetricReader reader = InMemoryMetricReader.create();
        SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader).build();
        SidecarTelemetry t = new SidecarTelemetry(provider.get("test"), "ml", "bert-1", "bert", 1, () -> 2, () -> 5, () -> 0, () -> 1, () -> 4);

        t.analysed(report(100, 2.5, 0.4), 0.8);
        t.analysed(report(200, 2.1, 1.3), 0.6);
        Collection<MetricData> metrics = reader.collectAllMetrics();

        assertThat(value(metrics, "landscape.loss")).isEqualTo(2.1);
        assertThat(value(metrics, "landscape.eos_ratio")).isEqualTo(1.3);
        assertThat(value(metrics, "landscape.grad_norm")).isEqualTo(3.0);
        MetricData analysed = metrics.stream().filter(m -> m.getName().equals("landscape.checkpoints.analysed")).findFirst().orElseThrow();
        assertThat(analysed.getLongSumData().getPoints()).singleElement().satisfies(p -> {
            assertThat(p.getValue()).isEqualTo(2);
            assertThat(p.getAttributes().get(SidecarTelemetry.RANK)).isEqualTo("1");
            assertThat(p.getAttributes().get(SidecarTelemetry.PROBE)).isEqualTo("bert");
            assertThat(p.getAttributes().get(SidecarTelemetry.POD)).isEqualTo("bert-1");
            assertThat(p.getAttributes().get(SidecarTelemetry.NAMESPACE)).isEqualTo("ml");
        });
        assertThat(metrics.stream().filter(m -> m.getName().equals("landscape.checkpoints.skipped")).findFirst().orElseThrow()
                .getLongSumData().getPoints()).singleElement().satisfies(p -> assertThat(p.getValue()).isEqualTo(2));
    }

    @Test
    void evalLossPerClassAndItsTailAreGaugesWithTheClassAsAttribute() {
        InMemoryMetricReader reader = InMemoryMetricReader.create();
        SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader).build();
        SidecarTelemetry t = new SidecarTelemetry(provider.get("test"), "ml", "bert-1", "bert", 1, () -> 0, () -> 0, () -> 0, () -> 0, () -> 0);
        CheckpointReport r = report(100, 2.5, 0.4);
        CheckpointReport withTier2 = new CheckpointReport(r.apiVersion(), r.probe(), r.namespace(), r.pod(), r.rank(), r.step(),
                r.checkpoint(), r.observedAt(), r.tier1(), new dev.landscape.contract.Tier2Metrics(0.7, 0.1, List.of(), null,
                null, null, null, 0, java.util.Map.of("0", 0.5, "3", 1.25), 3, 2.0), r.sketches(), r.findings(), r.skipped());

        t.analysed(withTier2, 0.5);
        Collection<MetricData> metrics = reader.collectAllMetrics();

        assertThat(value(metrics, "landscape.eval_loss")).isEqualTo(0.7);
        assertThat(value(metrics, "landscape.eval_loss_p95")).isEqualTo(2.0);
        assertThat(value(metrics, "landscape.eval_worst_class")).isEqualTo(3.0);
        MetricData perClass = metrics.stream().filter(m -> m.getName().equals("landscape.eval_class_loss")).findFirst().orElseThrow();
        assertThat(perClass.getDoubleGaugeData().getPoints())
                .extracting(p -> p.getAttributes().get(SidecarTelemetry.CLASS), p -> p.getValue())
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("0", 0.5), org.assertj.core.groups.Tuple.tuple("3", 1.25));
    }

    @Test
    void prometheusEndpointServesTheSameMetrics() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (MetricsExport export = new MetricsExport("landscape-probe-sidecar", port, Optional.empty(), Duration.ofSeconds(30))) {
            SidecarTelemetry t = new SidecarTelemetry(export.provider().get("test"), "ml", "bert-1", "bert", 1, () -> 2, () -> 5, () -> 0, () -> 1, () -> 4);
            t.analysed(report(100, 2.5, 0.4), 0.8);

            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();

            assertThat(body).containsPattern("(?m)^landscape_loss\\{[^}]*landscape_rank=\"1\"[^}]*\\} 2\\.5$");
            assertThat(body).containsPattern("(?m)^landscape_reports_pending\\{[^}]*\\} 2(\\.0)?$");
            assertThat(body).containsPattern("(?m)^landscape_checkpoints_analysed_total\\{[^}]*k8s_pod_name=\"bert-1\"[^}]*\\} 1(\\.0)?$");
            assertThat(body).containsPattern("(?m)^landscape_reports_dead_lettered_total\\{[^}]*\\} 4(\\.0)?$");
        }
    }

    private static double value(Collection<MetricData> metrics, String name) {
        return metrics.stream().filter(m -> m.getName().equals(name)).findFirst().orElseThrow()
                .getDoubleGaugeData().getPoints().iterator().next().getValue();
    }
}
