package dev.landscape.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.RepositoryPaths;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Admission latency benchmark, not a test: excluded from the default run (its name does not end in Test) and run
 * with {@code ./mvnw -B -pl operator -am test -Pbench}. Open loop: requests are sent on a fixed 200/s schedule
 * whatever the previous ones do, and latency is measured from the scheduled send time, so a stall shows up in the
 * percentiles instead of silently slowing the generator (no coordinated omission). Loopback HTTP/1.1 with keep-alive,
 * app and mock API server in one JVM; the pod is a real PyTorchJob worker that gets injected (the expensive path).
 * Rate and duration: {@code -Dbench.rate=200 -Dbench.seconds=20 -Dbench.warmup=10000} (warm-up
 * requests, closed loop); {@code -Dbench.floor=true}
 * measures the HTTP and framework floor with a review the handler rejects at once.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class WebhookLatencyBench {

    static final String NS = "ml-team";

    @Inject
    KubernetesClient client;
    @Inject
    InformedProbeCatalog catalog;
    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void admissionLatencyAtFixedRate() throws Exception {
        long began = System.nanoTime();
        List<JsonNode> docs = AdmissionReviews.documents(InjectionGoldenTest.GOLDEN + "pytorchjob-worker.yaml");
        LandscapeProbe probe = AdmissionReviews.probes(docs).get(0);
        probe.getMetadata().setUid(null);
        probe.getMetadata().setCreationTimestamp(null);
        client.resource(probe).inNamespace(NS).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> catalog.synced() && !catalog.probesIn(NS).isEmpty());
        // -Dbench.floor=true sends a review without a request: the HTTP + framework floor, no injection work.
        boolean floor = Boolean.getBoolean("bench.floor");
        byte[] body = floor ? "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)
                : AdmissionReviews.podCreate("bench", NS, AdmissionReviews.pod(docs));
        int rate = Integer.getInteger("bench.rate", 200);
        int seconds = Integer.getInteger("bench.seconds", 20);
        int warmup = Integer.getInteger("bench.warmup", 10_000);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/mutate"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();

        // Warm-up: closed loop, enough calls for the JIT to compile the hot path (C2 needs ~10k invocations), as a
        // long-running webhook is; without it the "measured" 20 s mostly time the compiler on two shared cores.
        for (int i = 0; i < warmup; i++) {
            http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        double warmupSeconds = (System.nanoTime() - began) / 1e9;
        Result result = run(http, request, rate, seconds);

        String report = String.format(Locale.ROOT, (floor ? "floor (no injection) " : "") + "rate=%d/s duration=%ds requests=%d errors=%d patched=%d"
                        + " p50=%.2fms p90=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms cpus=%d java=%s warmup=%d requests in %.0fs load=%.1f%n",
                rate, seconds, result.latenciesNanos.size(), result.errors, result.patched,
                ms(result, 0.50), ms(result, 0.90), ms(result, 0.99), ms(result, 0.999), ms(result, 1.0),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), warmup, warmupSeconds,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.print("BENCH " + report);
        Files.writeString(RepositoryPaths.root().resolve("operator/target/bench-webhook.txt"), report);
        assertThat(result.errors).isZero();
        assertThat(result.patched).isEqualTo(floor ? 0 : result.latenciesNanos.size());
    }

    private record Result(List<Long> latenciesNanos, int errors, int patched) {
    }

    private static Result run(HttpClient http, HttpRequest request, int rate, int seconds) {
        int total = rate * seconds;
        long interval = 1_000_000_000L / rate;
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger patched = new AtomicInteger();
        List<CompletableFuture<?>> inFlight = new ArrayList<>(total);
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long scheduled = start + i * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            inFlight.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
                latencies.add(System.nanoTime() - scheduled);
                if (failure != null || response.statusCode() != 200) {
                    errors.incrementAndGet();
                } else if (response.body().contains("\"patchType\":\"JSONPatch\"")) {
                    patched.incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).exceptionally(t -> null).join();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Result(sorted, errors.get(), patched.get());
    }

    private static double ms(Result result, double quantile) {
        List<Long> l = result.latenciesNanos;
        int index = (int) Math.min(l.size() - 1, Math.max(0, Math.ceil(quantile * l.size()) - 1));
        return l.get(index) / 1e6;
    }
}
