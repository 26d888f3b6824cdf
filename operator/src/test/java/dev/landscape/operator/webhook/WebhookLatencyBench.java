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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Admission latency benchmark, not a test: excluded from the default run (its name does not end in Test) and run
 * with {@code ./mvnw -B -pl operator -am test -Pbench -Dtest=WebhookLatencyBench}. The app (with the mock API server it
 * needs for the probe) runs here; the load comes from {@link AdmissionLoadGenerator} in a separate JVM, open loop at
 * a fixed rate over loopback HTTP/1.1 keep-alive, latency from each request's due time to the end of its response.
 * The pod is a real PyTorchJob worker that gets injected (the expensive path).
 * Settings: {@code -Dbench.rate=200 -Dbench.seconds=60 -Dbench.runs=1 -Dbench.connections=8}
 * {@code -Dbench.warmup=5000} (closed-loop requests per warm-up round; rounds repeat until the server's JIT is
 * quiet); {@code -Dbench.paths=/mutate} (comma-separated endpoints measured in turn, {@code bench.runs} times each, to
 * compare variants under the same load); {@code -Dbench.floor=true} measures the HTTP and framework floor with a
 * review the handler rejects at once. Alongside the client's figures it reports what the server JVM (this one) did in
 * the measured window: CPU and context switches per request by thread group, GC pauses, JIT time.
 */
@Tag("bench")
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class WebhookLatencyBench {

    static final String NS = "ml-team";
    /** Closed-loop requests each measuring generator JVM sends first, to compile its own few hot methods. */
    static final int CLIENT_WARMUP = 2_000;
    static final int MAX_WARMUP_ROUNDS = 20;

    @Inject
    KubernetesClient client;
    @Inject
    InformedProbeCatalog catalog;
    @ConfigProperty(name = "quarkus.http.test-port")
    int port;
    @ConfigProperty(name = "quarkus.http.test-ssl-port", defaultValue = "0")
    int httpsPort;
    @ConfigProperty(name = "landscape.webhook.tls.mode")
    String tlsMode;

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
        boolean tls = "self-signed".equals(tlsMode);
        List<String> endpoint = endpoint(tls, target);
        Path bodyFile = target.resolve("bench-webhook-body.json");
        Files.write(bodyFile, body);
        int rate = Integer.getInteger("bench.rate", 200);
        int seconds = Integer.getInteger("bench.seconds", 60);
        int warmup = Integer.getInteger("bench.warmup", 5_000);
        int connections = Integer.getInteger("bench.connections", 8);
        int runs = Integer.getInteger("bench.runs", 1);
        String paths = System.getProperty("bench.paths", "/mutate");

        String warmedUp = warmUp(endpoint, bodyFile, warmup, paths.split(","));
        System.out.println("BENCH warm-up: " + warmedUp);
        StringBuilder reports = new StringBuilder();
        int run = 0;
        for (int r = 0; r < runs; r++) {
            for (String path : paths.split(",")) {
                run++;
                String load = measure(endpoint, bodyFile, path, rate, seconds, CLIENT_WARMUP, connections, floor,
                        target.resolve("bench-webhook-requests" + (run == 1 ? "" : "-" + run) + ".csv"));
                String report = String.format(Locale.ROOT, "%s%s%s %s cpus=%d java=%s; server warm-up %s%n",
                        tls ? "TLS " : "", floor ? "floor (no injection) " : "", path, load, Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version"), warmedUp);
                System.out.print("BENCH " + report);
                reports.append(report);
                assertThat(load).contains(" errors=0 ").contains(" matched=" + rate * seconds + " ");
            }
        }
        Files.writeString(target.resolve("bench-webhook.txt"), reports);
    }

    /**
     * Closed-loop rounds of {@code chunk} requests until the server's JIT compiler is quiet (under 2% of a round's
     * wall time spent compiling), as in a webhook that has been up a while. On two busy cores C2 can take a minute
     * or more after the first 10,000 requests to compile the request path, and a measurement taken meanwhile times
     * the compiler, not the webhook.
     */
    private static String warmUp(List<String> endpoint, Path bodyFile, int chunk, String... paths) throws Exception {
        var jit = ManagementFactory.getCompilationMXBean();
        long began = System.nanoTime();
        int rounds = 0;
        long compiled;
        long wall;
        do {
            long jitBefore = jit.getTotalCompilationTime();
            long t = System.nanoTime();
            for (String path : paths) {
                List<String> output = generator(with(endpoint, "path=" + path, "body=" + bodyFile, "seconds=0",
                        "warmup=" + chunk, "connections=1"));
                assertThat(output).anyMatch(l -> l.startsWith("WARMED"));
            }
            compiled = jit.getTotalCompilationTime() - jitBefore;
            wall = (System.nanoTime() - t) / 1_000_000;
            rounds++;
        } while ((rounds < 2 || compiled * 50 > wall) && rounds < MAX_WARMUP_ROUNDS);
        return String.format(Locale.ROOT, "%d requests in %.0fs, JIT %d ms in the last %.1fs", rounds * chunk * paths.length,
                (System.nanoTime() - began) / 1e9, compiled, wall / 1e3);
    }

    /** One generator run against {@code path}; its LOAD figures plus what the server JVM did meanwhile. */
    private static String measure(List<String> endpoint, Path bodyFile, String path, int rate, int seconds, int warmup, int connections,
                           boolean floor, Path csv) throws Exception {
        ServerActivity activity = ServerActivity.watch();
        List<String> output = generator(line -> {
                    if (line.startsWith("MEASURING")) {
                        activity.begin();
                    }
                }, with(endpoint, "path=" + path, "body=" + bodyFile, "rate=" + rate, "seconds=" + seconds,
                "warmup=" + warmup, "connections=" + connections,
                "expect=" + (floor ? "\"allowed\":true" : "\"patchType\":\"JSONPatch\""), "out=" + csv));
        activity.end();
        activity.close();
        String load = output.stream().filter(l -> l.startsWith("LOAD ")).findFirst()
                .orElseThrow(() -> new AssertionError("generator printed no LOAD line:\n" + String.join("\n", output)));
        return load.substring("LOAD ".length()) + " server: " + activity.summary(rate * seconds);
    }

    /** How the generator reaches the webhook: plain HTTP, or HTTPS trusting the CA in the operator's Secret. */
    private List<String> endpoint(boolean tls, Path target) throws Exception {
        if (!tls) {
            return List.of("port=" + port);
        }
        // The CA the operator created and patched into the webhook configuration's caBundle, as the API server trusts it.
        String namespace = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("landscape.webhook.operator-namespace", String.class).orElse(client.getNamespace());
        String ca = client.secrets().inNamespace(namespace).withName("landscape-webhook-tls").get().getData().get("ca.crt");
        Path caFile = target.resolve("bench-webhook-ca.pem");
        Files.write(caFile, java.util.Base64.getDecoder().decode(ca));
        return List.of("port=" + httpsPort, "ca=" + caFile);
    }

    private static String[] with(List<String> first, String... rest) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    private static List<String> generator(String... args) throws Exception {
        return generator(line -> {
        }, args);
    }

    /** Runs {@link AdmissionLoadGenerator} in its own small JVM; returns its output lines as they came. */
    private static List<String> generator(Consumer<String> onLine, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xms64m", "-Xmx64m", "-cp",
                Path.of(AdmissionLoadGenerator.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                AdmissionLoadGenerator.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                output.add(line);
                onLine.accept(line);
            }
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("generator finished").isTrue();
        assertThat(process.exitValue()).as("generator exit status; output:%n%s", String.join("\n", output)).isZero();
        return output;
    }

    /** GC pauses and JIT time in this JVM (the server's) while the generator measures (after its warm-up). */
    private static final class ServerActivity {
        private final List<long[]> pauses = new ArrayList<>();  // {start, duration}, JVM uptime ms
        private NotificationListener listener;
        private long from;
        private long to;
        private long jitFrom;
        private long jitTo;
        private long cpuFrom;
        private long cpuTo;
        private Map<String, long[]> threadsFrom;
        private Map<String, long[]> threadsTo;

        static ServerActivity watch() {
            ServerActivity activity = new ServerActivity();
            activity.listener = (notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    GcInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
                    synchronized (activity.pauses) {
                        activity.pauses.add(new long[]{info.getStartTime(), info.getDuration()});
                    }
                }
            };
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc).addNotificationListener(activity.listener, null, null);
            }
            return activity;
        }

        void close() throws Exception {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc).removeNotificationListener(listener);
            }
        }

        void begin() {
            from = ManagementFactory.getRuntimeMXBean().getUptime();
            jitFrom = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            cpuFrom = processCpuNanos();
            threadsFrom = threads();
        }

        void end() throws InterruptedException {
            to = ManagementFactory.getRuntimeMXBean().getUptime();
            jitTo = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            cpuTo = processCpuNanos();
            threadsTo = threads();
            Thread.sleep(200); // GC notifications arrive asynchronously
        }

        private static long processCpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        }

        /**
         * Per thread (Linux {@code /proc/self/task}): key {@code tid name}, value {CPU ticks, context switches}; a
         * thread that ends meanwhile drops out, so deltas are summed over the threads alive at the end.
         */
        private static Map<String, long[]> threads() {
            Map<String, long[]> threads = new HashMap<>();
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                tasks.forEach(task -> {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
                        long switches = Files.readAllLines(task.resolve("status")).stream().filter(l -> l.contains("ctxt_switches:"))
                                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim())).sum();
                        threads.put(task.getFileName() + " " + name, new long[]{ticks, switches});
                    } catch (java.io.IOException | RuntimeException e) {
                        // thread ended meanwhile
                    }
                });
            } catch (java.io.IOException e) {
                // not Linux
            }
            return threads;
        }

        /** CPU ms and context switches per request by thread group (name without its number), busiest first. */
        private String threadProfile(int requests) {
            Map<String, long[]> groups = new TreeMap<>();
            long switches = 0;
            for (Map.Entry<String, long[]> t : threadsTo.entrySet()) {
                long[] before = threadsFrom.getOrDefault(t.getKey(), new long[2]);
                String group = t.getKey().substring(t.getKey().indexOf(' ') + 1).replaceAll("[0-9]+", "#");
                long[] g = groups.computeIfAbsent(group, k -> new long[2]);
                g[0] += t.getValue()[0] - before[0];
                g[1] += t.getValue()[1] - before[1];
                switches += t.getValue()[1] - before[1];
            }
            double msPerTick = 1000.0 / 100; // USER_HZ
            String top = groups.entrySet().stream().filter(e -> e.getValue()[0] > 0)
                    .sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0])).limit(6)
                    .map(e -> String.format(Locale.ROOT, "%s %.3f/%.1f", e.getKey(), e.getValue()[0] * msPerTick / requests,
                            e.getValue()[1] / (double) requests))
                    .collect(java.util.stream.Collectors.joining(", "));
            return String.format(Locale.ROOT, "switches=%.1f/request; by thread, cpu ms/switches per request: %s",
                    switches / (double) requests, top);
        }

        String summary(int requests) {
            synchronized (pauses) {
                List<long[]> in = pauses.stream().filter(p -> p[0] >= from && p[0] <= to).toList();
                return String.format(Locale.ROOT, "cpu=%.3f ms/request %s; uptime %d-%d ms gc=%d collections (%d ms in all, max %d ms) jit=%d ms, collector %s, heap max %d MiB",
                        (cpuTo - cpuFrom) / 1e6 / requests, threadProfile(requests),
                        from, to, in.size(), in.stream().mapToLong(p -> p[1]).sum(), in.stream().mapToLong(p -> p[1]).max().orElse(0),
                        jitTo - jitFrom, ManagementFactory.getGarbageCollectorMXBeans().stream()
                                .map(GarbageCollectorMXBean::getName).toList(),
                        Runtime.getRuntime().maxMemory() >> 20);
            }
        }
    }
}
