package dev.landscape.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.RepositoryPaths;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Admission latency benchmark, not a test: excluded from the default run (its name does not end in Test) and run
 * with {@code ./mvnw -B -pl operator -am test -Pbench -Dtest=WebhookLatencyBench}. The app (with the mock API server it
 * needs for the probe) runs here; the load comes from {@link AdmissionLoadGenerator} in a separate JVM, open loop at
 * a fixed rate over loopback HTTP/1.1 keep-alive, latency from each request's due time to the end of its response.
 * The pod is a real PyTorchJob worker that gets injected (the expensive path).
 * Settings: {@code -Dbench.rate=200 -Dbench.seconds=60 -Dbench.warmup=10000} (closed-loop warm-up requests)
 * {@code -Dbench.connections=8}; {@code -Dbench.floor=true} measures the HTTP and framework floor with a review the
 * handler rejects at once. Alongside the client's figures it reports what happened in this JVM while it was being
 * measured: GC pauses and JIT time.
 */
@Tag("bench")
@Tag("bench")
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
        List<JsonNode> docs = AdmissionReviews.documents(InjectionGoldenTest.GOLDEN + "pytorchjob-worker.yaml");
        LandscapeProbe probe = AdmissionReviews.probes(docs).get(0);
        probe.getMetadata().setUid(null);
        probe.getMetadata().setCreationTimestamp(null);
        client.resource(probe).inNamespace(NS).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> catalog.synced() && !catalog.probesIn(NS).isEmpty());
        // -Dbench.floor=true sends a review without a request: the HTTP + framework floor, no injection work.
        boolean floor = Boolean.getBoolean("bench.floor");
        byte[] body = floor ? "{}".getBytes(StandardCharsets.UTF_8)
                : AdmissionReviews.podCreate("bench", NS, AdmissionReviews.pod(docs));
        Path target = RepositoryPaths.root().resolve("operator/target");
        Path bodyFile = target.resolve("bench-webhook-body.json");
        Files.write(bodyFile, body);
        int rate = Integer.getInteger("bench.rate", 200);
        int seconds = Integer.getInteger("bench.seconds", 60);
        int warmup = Integer.getInteger("bench.warmup", 10_000);
        int connections = Integer.getInteger("bench.connections", 8);

        ServerActivity activity = ServerActivity.watch();
        Process generator = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xms64m", "-Xmx64m",
                "-cp", Path.of(AdmissionLoadGenerator.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                AdmissionLoadGenerator.class.getName(),
                "port=" + port, "body=" + bodyFile, "rate=" + rate, "seconds=" + seconds, "warmup=" + warmup,
                "connections=" + connections, "expect=" + (floor ? "\"allowed\":true" : "\"patchType\":\"JSONPatch\""),
                "out=" + target.resolve("bench-webhook-requests.csv"))
                .redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(generator.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                output.add(line);
                if (line.startsWith("MEASURING")) {
                    activity.begin();
                }
            }
        }
        assertThat(generator.waitFor(60, TimeUnit.SECONDS)).as("generator finished").isTrue();
        activity.end();
        String load = output.stream().filter(l -> l.startsWith("LOAD ")).findFirst()
                .orElseThrow(() -> new AssertionError("generator printed no LOAD line:\n" + String.join("\n", output)));

        String report = String.format(Locale.ROOT, "%s%s server: %s cpus=%d java=%s%n", floor ? "floor (no injection) " : "",
                load.substring("LOAD ".length()), activity.summary(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.print("BENCH " + report);
        Files.writeString(target.resolve("bench-webhook.txt"), report);
        assertThat(load).contains(" errors=0 ").contains(" matched=" + rate * seconds + " ");
    }

    /** GC pauses and JIT time in this JVM (the server's) while the generator measures (after its warm-up). */
    private static final class ServerActivity {
        private final List<long[]> pauses = new ArrayList<>();  // {start, duration}, JVM uptime ms
        private long from;
        private long to;
        private long jitFrom;
        private long jitTo;

        static ServerActivity watch() {
            ServerActivity activity = new ServerActivity();
            NotificationListener listener = (notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    GcInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
                    synchronized (activity.pauses) {
                        activity.pauses.add(new long[]{info.getStartTime(), info.getDuration()});
                    }
                }
            };
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc).addNotificationListener(listener, null, null);
            }
            return activity;
        }

        void begin() {
            from = ManagementFactory.getRuntimeMXBean().getUptime();
            jitFrom = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        }

        void end() throws InterruptedException {
            to = ManagementFactory.getRuntimeMXBean().getUptime();
            jitTo = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            Thread.sleep(200); // GC notifications arrive asynchronously
        }

        String summary() {
            synchronized (pauses) {
                List<long[]> in = pauses.stream().filter(p -> p[0] >= from && p[0] <= to).toList();
                return String.format(Locale.ROOT, "uptime %d-%d ms gc=%d collections (%d ms in all, max %d ms) jit=%d ms, collector %s, heap max %d MiB",
                        from, to, in.size(), in.stream().mapToLong(p -> p[1]).sum(), in.stream().mapToLong(p -> p[1]).max().orElse(0),
                        jitTo - jitFrom, ManagementFactory.getGarbageCollectorMXBeans().stream()
                                .map(GarbageCollectorMXBean::getName).toList(),
                        Runtime.getRuntime().maxMemory() >> 20);
            }
        }
    }
}
