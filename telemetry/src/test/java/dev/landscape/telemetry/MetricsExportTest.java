package dev.landscape.telemetry;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The bootstrap both processes use, run on the oldest OpenTelemetry they run it on (see this module's pom). */
class MetricsExportTest {

    @Test
    void portZeroServesPrometheusOnAFreePortWithTheServiceName() throws Exception {
        try (MetricsExport export = new MetricsExport("landscape-test", 0, Optional.empty(), Duration.ofSeconds(30))) {
            export.provider().get("test").counterBuilder("landscape.things").build().add(3);

            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + export.prometheusPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();

            assertThat(export.prometheusPort()).isPositive();
            assertThat(body).containsPattern("(?m)^landscape_things_total(\\{[^}]*\\})? 3(\\.0)?$");
            assertThat(body).containsPattern("target_info\\{[^}]*service_name=\"landscape-test\"");
        }
    }

    @Test
    void minusOneDisablesTheEndpoint() {
        try (MetricsExport export = new MetricsExport("landscape-test", -1, Optional.of(" "), Duration.ofSeconds(30))) {
            assertThat(export.prometheusPort()).isEqualTo(-1);
        }
    }

    @Test
    void anOtlpEndpointReceivesTheMetricsWhenTheExportCloses() throws Exception {
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> received = new CopyOnWriteArrayList<>();
        collector.createContext("/v1/metrics", exchange -> {
            byte[] payload = exchange.getRequestBody().readAllBytes();
            received.add(exchange.getRequestHeaders().getFirst("Content-Type") + " " + new String(payload, java.nio.charset.StandardCharsets.ISO_8859_1));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try {
            String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/metrics";
            try (MetricsExport export = new MetricsExport("landscape-test", -1, Optional.of(endpoint), Duration.ofHours(1))) {
                export.provider().get("test").counterBuilder("landscape.things").build().add(1);
            }

            assertThat(received).singleElement().satisfies(r ->
                    assertThat(r).startsWith("application/x-protobuf").contains("landscape.things").contains("landscape-test"));
        } finally {
            collector.stop(0);
        }
    }
}
