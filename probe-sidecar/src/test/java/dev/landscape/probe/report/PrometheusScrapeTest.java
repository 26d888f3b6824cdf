package dev.landscape.probe.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.telemetry.MetricsExport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Prometheus (Debian's {@code prometheus} package, installed by .ci/run) scrapes the sidecar's endpoint on
 * loopback and answers a query with the sidecar's value and labels: the exposition format is what Prometheus
 * accepts, not just what our own test expects. Skipped with a message when the binary is absent.
 */
class PrometheusScrapeTest {

    @Test
    void realPrometheusScrapesTheSidecarsMetrics(@TempDir Path dir) throws Exception {
        Path binary = Path.of("/usr/bin/prometheus");
        Assumptions.assumeTrue(Files.isExecutable(binary), "prometheus is not installed (apt-get install prometheus): skipping the real scrape");
        int metricsPort = freePort();
        int prometheusPort = freePort();
        try (MetricsExport export = new MetricsExport("landscape-probe-sidecar", metricsPort, Optional.empty(), Duration.ofSeconds(30))) {
            SidecarTelemetry t = new SidecarTelemetry(export.provider().get("test"), "ml", "bert-1", "bert", 1, () -> 0, () -> 3, () -> 0, () -> 0, () -> 0);
            t.analysed(SidecarTelemetryTest.report(100, 2.5, 0.4), 0.8);
            Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: landscape-sidecar
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(metricsPort));
            Process prometheus = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                JsonNode result = awaitQuery(prometheusPort, "landscape_loss");
                assertThat(result.get(0).get("value").get(1).asText()).isEqualTo("2.5");
                JsonNode labels = result.get(0).get("metric");
                assertThat(labels.get("landscape_rank").asText()).isEqualTo("1");
                assertThat(labels.get("landscape_probe").asText()).isEqualTo("bert");
                assertThat(labels.get("k8s_pod_name").asText()).isEqualTo("bert-1");
                assertThat(awaitQuery(prometheusPort, "landscape_reports_delivered_total").get(0).get("value").get(1).asText()).isEqualTo("3");
            } finally {
                prometheus.destroy();
                prometheus.waitFor();
            }
        }
    }

    private static JsonNode awaitQuery(int port, String query) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
                JsonNode result = new ObjectMapper().readTree(last).path("data").path("result");
                if (result.isArray() && !result.isEmpty()) {
                    return result;
                }
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus never returned " + query + "; last answer: " + last);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
