package dev.landscape.demo.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.landscape.contract.CheckpointReport;
import dev.landscape.contract.Tier1Metrics;
import dev.landscape.demo.cluster.Admission;
import dev.landscape.demo.cluster.EmbeddedApiServer;
import dev.landscape.demo.cluster.Layout;
import dev.landscape.demo.cluster.OperatorProcess;
import dev.landscape.demo.cluster.TokenAuthority;
import dev.landscape.probe.report.Backoff;
import dev.landscape.probe.report.Delivery;
import dev.landscape.probe.report.ReportSender;
import dev.landscape.probe.report.ReportSpool;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * Delivery soak (a benchmark, not a test; {@code bench/delivery-soak.sh}): the sidecar's spool and delivery
 * ({@link ReportSpool}, {@link Delivery}, {@link ReportSender}, production backoff and dead-letter limits, one per
 * rank as in one sidecar per pod) send {@code N} reports to the real operator ({@code quarkus-run.jar} as built, in
 * its own JVM, against the demo's embedded API server with TokenReviews, pods admitted through the operator's own
 * webhook) while the operator is restarted 5 times and the route to it fails 3 times (connections dropped,
 * 404 from a route that is not ready, 503). Between them sits a recording proxy, the only thing that is not
 * production: it forwards every request and notes each answer, so that loss, duplication and order can be counted
 * from what the operator said, and it plays the outages.
 *
 * <p>Passes (exit 0) when every report was accepted exactly once, in step order per rank, nothing is left in any
 * spool (pending, rejected, dead-letter or overflow), and the ProbeReport of every rank counts exactly its reports.
 */
public final class DeliverySoak {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAMESPACE = "soak";
    private static final String PROBE = "soak";

    /** What the operator answered to one forwarded request. */
    record Answer(int rank, long step, int code, String status, Instant at) {
    }

    /** Forwards to the operator, records the answers, and fails on purpose during an outage. */
    static final class RecordingProxy implements AutoCloseable {
        enum Mode { FORWARD, DROP, NOT_FOUND, UNAVAILABLE }

        private final HttpServer server;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        private volatile String backend;
        private volatile Mode mode = Mode.FORWARD;
        private volatile long requests;

        RecordingProxy(String backend) throws IOException {
            this.backend = backend;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            server.setExecutor(Executors.newFixedThreadPool(8));
            server.createContext("/api/v1alpha1/reports", this::handle);
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1alpha1/reports");
        }

        private void handle(HttpExchange ex) throws IOException {
            requests++;
            byte[] body = ex.getRequestBody().readAllBytes();
            Mode m = mode;
            if (m == Mode.DROP) {
                ex.close(); // the connection ends with no answer, as when no endpoint is left behind the Service
                return;
            }
            if (m != Mode.FORWARD) {
                reply(ex, m == Mode.NOT_FOUND ? 404 : 503, "{\"status\":\"outage\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            CheckpointReport r = JSON.readValue(body, CheckpointReport.class);
            int code;
            byte[] answer;
            try {
                HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create(backend + "/api/v1alpha1/reports"))
                        .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                        .header("Authorization", ex.getRequestHeaders().getFirst("Authorization"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
                code = resp.statusCode();
                answer = resp.body();
            } catch (IOException | InterruptedException e) {
                code = 503; // the operator is restarting: what a Service with no ready endpoint answers through a proxy
                answer = "{\"status\":\"backend-down\"}".getBytes(StandardCharsets.UTF_8);
            }
            String status = "";
            try {
                JsonNode n = JSON.readTree(answer);
                status = n == null ? "" : n.path("status").asText();
            } catch (IOException notJson) {
                // recorded with an empty status
            }
            answers.add(new Answer(r.rank(), r.step(), code, status, Instant.now()));
            reply(ex, code, answer);
        }

        private static void reply(HttpExchange ex, int code, byte[] body) throws IOException {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(code, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int ranks = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        double rate = args.length > 2 ? Double.parseDouble(args[2]) : 40;
        Duration outage = Duration.ofSeconds(args.length > 3 ? Long.parseLong(args[3]) : 15);
        Path out = Files.createTempDirectory("landscape-soak");
        System.exit(new DeliverySoak().run(total, ranks, rate, outage, out) ? 0 : 1);
    }

    boolean run(int total, int ranks, double rate, Duration outage, Path out) throws Exception {
        Layout layout = Layout.discover();
        Instant started = Instant.now();
        TokenAuthority tokens = new TokenAuthority();
        try (EmbeddedApiServer api = EmbeddedApiServer.start(layout.crds(), tokens)) {
            api.createNamespace(NAMESPACE);
            api.createNamespace("landscape-system");
            OperatorProcess[] operator = {startOperator(layout, api, out, 0)};
            api.client().genericKubernetesResources(ProbeWatcher.PROBES).inNamespace(NAMESPACE).resource(probe()).create();
            Admission admission = new Admission(operator[0].baseUrl());
            List<Pod> pods = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                Admission.Result admitted = admission.admit(DemoObjects.worker(NAMESPACE, r, ranks, out.resolve("volume-" + r)));
                if (!admitted.patched()) {
                    throw new IllegalStateException("the webhook did not inject worker " + r + ": " + admitted.warnings());
                }
                pods.add(api.client().pods().resource(admitted.pod()).create());
            }
            try (RecordingProxy proxy = new RecordingProxy(operator[0].baseUrl())) {
                List<ReportSpool> spools = new ArrayList<>();
                List<Delivery> deliveries = new ArrayList<>();
                for (int r = 0; r < ranks; r++) {
                    Path token = Files.writeString(out.resolve("token-" + r), tokens.issue(pods.get(r), "landscape-probe"));
                    ReportSpool spool = new ReportSpool(out.resolve("spool-" + r));
                    ReportSender sender = ReportSender.forOperator(proxy.uri(), token, java.util.Optional.empty());
                    Delivery d = new Delivery(spool, sender, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(2), new Random(r)),
                            Duration.ofSeconds(30), Delivery.Limits.DEFAULT, Clock.systemUTC());
                    Thread t = new Thread(d, "delivery-" + r);
                    t.setDaemon(true);
                    t.start();
                    spools.add(spool);
                    deliveries.add(d);
                }
                Map<String, Instant> spooledAt = new ConcurrentHashMap<>();
                List<String> chaos = Collections.synchronizedList(new ArrayList<>());
                java.util.concurrent.atomic.AtomicInteger spooled = new java.util.concurrent.atomic.AtomicInteger();
                Thread chaosThread = new Thread(() -> chaos(total, spooled, outage, proxy, operator, layout, api, out, chaos),
                        "chaos");
                chaosThread.start();
                int perRank = total / ranks;
                Instant spoolStart = Instant.now();
                long nanosPerReport = (long) (1e9 / rate);
                long t0 = System.nanoTime();
                for (int i = 0; i < perRank; i++) {
                    for (int r = 0; r < ranks; r++) {
                        long due = t0 + (long) (i * ranks + r) * nanosPerReport;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                        long step = 10L * (i + 1);
                        spools.get(r).add(report(pods.get(r), r, step));
                        spooledAt.put(r + "/" + step, Instant.now());
                        spooled.incrementAndGet();
                        deliveries.get(r).nudge();
                    }
                }
                Instant produced = Instant.now();
                chaosThread.join();
                Instant deadline = Instant.now().plus(Duration.ofMinutes(20));
                while (pending(spools) > 0 && Instant.now().isBefore(deadline)) {
                    deliveries.forEach(Delivery::nudge);
                    Thread.sleep(500);
                }
                Instant drained = Instant.now();
                deliveries.forEach(Delivery::stop);
                boolean ok = verify(total, ranks, perRank, proxy, spools, deliveries, api, spooledAt, out);
                System.out.printf(Locale.ROOT, "timeline: %d reports spooled in %.0f s (asked for %.0f/s), drained %.0f s"
                        + " after the last; whole run %.0f s%n", spooled.get(), secs(spoolStart, produced), rate,
                        secs(produced, drained), secs(started, drained));
                chaos.forEach(c -> System.out.println("chaos: " + c));
                System.out.println("operator log: " + out.resolve("operator-*.log") + "; spools under " + out);
                return ok;
            } finally {
                operator[0].close();
            }
        }
    }

    /** Five operator restarts and three outages, each when a given share of the reports has been spooled. */
    private static void chaos(int total, java.util.concurrent.atomic.AtomicInteger spooled, Duration outage,
                              RecordingProxy proxy, OperatorProcess[] operator, Layout layout, EmbeddedApiServer api,
                              Path out, List<String> log) {
        List<double[]> plan = List.of(new double[] {0.08, 0}, new double[] {0.18, 1}, new double[] {0.30, 0},
                new double[] {0.42, 2}, new double[] {0.54, 0}, new double[] {0.66, 3}, new double[] {0.78, 0},
                new double[] {0.90, 0});
        long t0 = System.nanoTime();
        int restarts = 0;
        try {
            for (double[] event : plan) {
                // event[1]: 0 restart the operator, 1 drop connections, 2 answer 404, 3 answer 503
                while (spooled.get() < event[0] * total) {
                    Thread.sleep(50);
                }
                if (event[1] == 0) {
                    Instant from = Instant.now();
                    restarts++;
                    operator[0].close();
                    operator[0] = startOperator(layout, api, out, restarts);
                    proxy.backend = operator[0].baseUrl();
                    log.add(String.format(Locale.ROOT, "operator restart %d at %.0f s (%d spooled): down %.1f s (SIGTERM, new JVM,"
                            + " ready)", restarts, (System.nanoTime() - t0) / 1e9, spooled.get(), secs(from, Instant.now())));
                } else {
                    RecordingProxy.Mode m = event[1] == 1 ? RecordingProxy.Mode.DROP
                            : event[1] == 2 ? RecordingProxy.Mode.NOT_FOUND : RecordingProxy.Mode.UNAVAILABLE;
                    double at = (System.nanoTime() - t0) / 1e9;
                    proxy.mode = m;
                    Thread.sleep(outage.toMillis());
                    proxy.mode = RecordingProxy.Mode.FORWARD;
                    log.add(String.format(Locale.ROOT, "receiver outage (%s) at %.0f s (%d spooled) for %d s",
                            m == RecordingProxy.Mode.DROP ? "connections dropped" : m == RecordingProxy.Mode.NOT_FOUND
                                    ? "404: route not ready" : "503", at, spooled.get(), outage.toSeconds()));
                }
            }
        } catch (Exception e) {
            log.add("chaos failed: " + e);
        }
    }

    private static OperatorProcess startOperator(Layout layout, EmbeddedApiServer api, Path out, int n) throws Exception {
        OperatorProcess p = OperatorProcess.start(layout, api.url(), NAMESPACE, "landscape-system", Duration.ofSeconds(30),
                out.resolve("operator-" + n + ".log"));
        p.awaitReady(Duration.ofMinutes(3));
        return p;
    }

    private static boolean verify(int total, int ranks, int perRank, RecordingProxy proxy, List<ReportSpool> spools,
                                  List<Delivery> deliveries, EmbeddedApiServer api, Map<String, Instant> spooledAt,
                                  Path out) throws IOException {
        List<Answer> answers = new ArrayList<>(proxy.answers);
        int produced = perRank * ranks;
        Map<String, Integer> accepted = new java.util.HashMap<>();
        long duplicates = 0;
        int outOfOrder = 0;
        long[] lastAccepted = new long[ranks];
        List<Double> latency = new ArrayList<>();
        for (Answer a : answers) {
            if (a.code() == 200 && a.status().equals("accepted")) {
                accepted.merge(a.rank() + "/" + a.step(), 1, Integer::sum);
                if (a.step() <= lastAccepted[a.rank()]) {
                    outOfOrder++;
                }
                lastAccepted[a.rank()] = a.step();
                Instant s = spooledAt.get(a.rank() + "/" + a.step());
                if (s != null) {
                    latency.add(Duration.between(s, a.at()).toMillis() / 1e3);
                }
            } else if (a.code() == 200 && a.status().equals("duplicate")) {
                duplicates++;
            }
        }
        long lost = produced - accepted.size();
        long storedTwice = accepted.values().stream().filter(c -> c > 1).count();
        int left = pending(spools);
        long setAside = 0;
        for (int r = 0; r < ranks; r++) {
            for (String folder : List.of("rejected", "dead-letter", "overflow")) {
                Path f = out.resolve("spool-" + r).resolve(folder);
                if (Files.isDirectory(f)) {
                    try (var s = Files.list(f)) {
                        setAside += s.filter(p -> p.toString().endsWith(".json")).count();
                    }
                }
            }
        }
        long counted = 0;
        boolean statusOk = true;
        for (GenericKubernetesResource pr : api.client().genericKubernetesResources(ProbeWatcher.REPORTS).inNamespace(NAMESPACE).list().getItems()) {
            Object status = pr.getAdditionalProperties().get("status");
            long n = status instanceof Map<?, ?> m && m.get("reportsAccepted") instanceof Number num ? num.longValue() : 0;
            counted += n;
            statusOk &= n == perRank;
        }
        Map<String, Long> byAnswer = new java.util.TreeMap<>();
        answers.forEach(a -> byAnswer.merge(a.code() + " " + a.status(), 1L, Long::sum));
        Collections.sort(latency);
        System.out.printf(Locale.ROOT, "reports: %d produced over %d ranks, %d accepted once, %d lost, %d stored twice, "
                        + "%d out of step order, %d left in spools, %d set aside (rejected/dead-letter/overflow)%n",
                produced, ranks, accepted.size(), lost, storedTwice, outOfOrder, left, setAside);
        System.out.printf(Locale.ROOT, "requests: %d through the proxy, %d answered by the operator (%d duplicate: re-sends the"
                        + " operator recognised), retries counted by the sidecars %d, dead-lettered %d, rejected %d%n",
                proxy.requests, answers.size(), duplicates, deliveries.stream().mapToLong(Delivery::retries).sum(),
                deliveries.stream().mapToLong(Delivery::deadLettered).sum(), deliveries.stream().mapToLong(Delivery::rejected).sum());
        System.out.println("answers through the proxy by code and status: " + byAnswer
                + " (outage answers are not recorded)");
        System.out.printf(Locale.ROOT, "spooled -> accepted: p50 %.2f s, p99 %.1f s, max %.1f s%n",
                pct(latency, 0.5), pct(latency, 0.99), latency.isEmpty() ? Double.NaN : latency.get(latency.size() - 1));
        System.out.printf(Locale.ROOT, "ProbeReports: reportsAccepted sums to %d (expected %d), every rank %d: %s%n",
                counted, produced, perRank, statusOk ? "yes" : "NO");
        boolean ok = lost == 0 && storedTwice == 0 && outOfOrder == 0 && left == 0 && setAside == 0 && statusOk
                && counted == produced;
        System.out.println(ok ? "PASS: 0 lost, 0 duplicated, step order kept per rank" : "FAIL");
        return ok;
    }

    private static int pending(List<ReportSpool> spools) throws IOException {
        int n = 0;
        for (ReportSpool s : spools) {
            n += s.size();
        }
        return n;
    }

    private static double pct(List<Double> sorted, double q) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
    }

    private static double secs(Instant a, Instant b) {
        return Duration.between(a, b).toMillis() / 1e3;
    }

    private static GenericKubernetesResource probe() {
        return Serialization.unmarshal("""
                apiVersion: landscape.dev/v1alpha1
                kind: LandscapeProbe
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  selector:
                    matchLabels:
                      training.kubeflow.org/job-name: %s
                  checkpoints:
                    volume: checkpoints
                  history:
                    checkpoints: 20
                """.formatted(PROBE, NAMESPACE, DemoObjects.JOB), GenericKubernetesResource.class);
    }

    private static CheckpointReport report(Pod pod, int rank, long step) {
        String now = Instant.now().toString();
        return new CheckpointReport(CheckpointReport.API_VERSION, PROBE, NAMESPACE, pod.getMetadata().getName(), rank, step,
                new CheckpointReport.CheckpointRef("/mnt/checkpoints/checkpoint-" + step, "hf-trainer", now), now,
                new Tier1Metrics(100.0 + step * 1e-3, 0L, 0.5, 0.005, 0.9, 1.0, 2.0, 3.0, 3.0, 0.1, 2.0 / Math.sqrt(step), 1.0, 1e-3),
                null, List.of(), List.of(), List.of());
    }
}
