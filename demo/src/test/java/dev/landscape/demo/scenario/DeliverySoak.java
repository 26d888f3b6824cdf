package dev.landscape.demo.scenario;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.landscape.apiserver.network.ServiceEndpoints;
import dev.landscape.apiserver.network.ServiceProxy;
import dev.landscape.contract.CheckpointReport;
import dev.landscape.contract.Tier1Summary;
import dev.landscape.demo.cluster.EmbeddedApiServer;
import dev.landscape.demo.cluster.InstallManifest;
import dev.landscape.demo.cluster.Kubelet;
import dev.landscape.demo.cluster.Layout;
import dev.landscape.demo.cluster.OperatorProcess;
import dev.landscape.demo.cluster.TokenAuthority;
import dev.landscape.probe.report.Delivery;
import dev.landscape.probe.report.ReportSender;
import dev.landscape.probe.report.ReportSpool;
import dev.landscape.probe.runtime.SidecarConfig;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Delivery soak (a benchmark, not a test; {@code bench/delivery-soak.sh}). The demo's cluster as
 * {@link DemoScenario} builds it: the strict embedded API server with the rendered install
 * ({@code deploy/rendered/default.yaml}), the real operator run as its Deployment says (self-signed TLS, profile
 * prod), worker pods admitted by the API server through the operator's webhook over HTTPS and run by the demo
 * {@link Kubelet}, which materialises each injected sidecar's projected token (for the audience the webhook put in
 * the pod), the operator's CA bundle and config file. Each rank's sidecar delivery runs in this JVM from the settings
 * the sidecar itself would load from that environment ({@link SidecarConfig}): its {@link ReportSpool}, the
 * production {@link Delivery} ({@link Delivery#forSidecar}) and {@link ReportSender#forOperator} to
 * {@code https://landscape-operator.landscape-system.svc}, trusting exactly the CA file, through the
 * {@link ServiceProxy} that stands in for cluster DNS and kube-proxy (as the demo gives each sidecar JVM).
 *
 * <p>What differs from a cluster: the sidecars' analysis is replaced by reports spooled at a fixed rate (the delivery
 * is what is soaked), and between the Service and the operator sits a relay ({@link Route}) that plays the receiver's
 * outages: it cuts every open connection and then refuses new ones (no endpoint), or routes them to a server
 * that presents the operator's own serving certificate and answers 404 (a route not ready) or 503. Every answer is
 * recorded on the sender's side, as the sidecar received it, so loss, duplication and order are counted from what
 * the operator answered; the ProbeReports are counted on the API server too.
 *
 * <p>Passes (exit 0) when every report was accepted exactly once, in step order per rank, nothing is left in any
 * spool (pending, rejected, dead-letter or overflow), and the ProbeReport of every rank counts exactly its reports.
 */
public final class DeliverySoak {

    private static final String NAMESPACE = "soak";
    private static final String PROBE = "soak";
    private static final int HTTPS_PORT = 443;
    private static final Pattern ANSWER = Pattern.compile("^(\\d{3}) (.*)$", Pattern.DOTALL);
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([A-Za-z-]+)\"");

    /** What one delivery attempt got back ({@code code} 0: no HTTP answer). */
    record Answer(int rank, long step, int code, String status, Instant at) {
    }

    /** Records what each delivery attempt of the sidecar's own sender got back. */
    static final class Recorder {
        private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());

        Delivery.Sender wrap(ReportSender sender) {
            return report -> {
                ReportSender.Outcome o = sender.send(report);
                Matcher m = ANSWER.matcher(o.detail());
                int code = m.matches() ? Integer.parseInt(m.group(1)) : 0;
                Matcher s = m.matches() ? STATUS.matcher(m.group(2)) : null;
                answers.add(new Answer(report.rank(), report.step(), code, s != null && s.find() ? s.group(1) : o.result().name(),
                        Instant.now()));
                return o;
            };
        }

        List<Answer> answers() {
            synchronized (answers) {
                return List.copyOf(answers);
            }
        }
    }

    /**
     * The path from the Service's HTTPS port to the operator: a TCP relay registered as the Service's endpoint.
     * Forwarding, it pipes each connection to the operator's HTTPS port (TLS runs end to end through it). For an
     * outage it first closes every connection open through it, then either leaves the Service with no endpoint (the
     * Service's port is registered at a port nothing listens on, so a new connection is refused, as kube-proxy
     * rejects one to a Service without ready endpoints) or hands new connections to a server with the operator's
     * serving certificate that answers every request with one status code.
     */
    static final class Route implements AutoCloseable {
        private final ServiceEndpoints endpoints;
        private final String service;
        private final ServerSocket listener;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private volatile InetSocketAddress target;
        private volatile InetSocketAddress operator;

        Route(ServiceEndpoints endpoints, String service) throws IOException {
            this.endpoints = endpoints;
            this.service = service;
            this.listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::accept, "soak-route");
            t.setDaemon(true);
            t.start();
        }

        /**
         * Takes over the Service's port from a freshly started operator (OperatorProcess registers its own port at
         * each start) and routes to it.
         */
        void operatorStarted() {
            operator = endpoints.resolve(DemoScenario.OPERATOR_NAMESPACE, service, HTTPS_PORT).orElseThrow(() ->
                    new IllegalStateException("the operator registered no endpoint for Service port " + HTTPS_PORT));
            routeTo(operator);
        }

        /** Back to the operator after an outage. */
        void backToOperator() {
            routeTo(operator);
        }

        /** New connections go to {@code to} through this relay. */
        void routeTo(InetSocketAddress to) {
            target = to;
            endpoints.register(DemoScenario.OPERATOR_NAMESPACE, service, HTTPS_PORT,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()));
            cut();
        }

        /** No ready endpoint: open connections end, new ones are refused. */
        void noEndpoint() throws IOException {
            int refusing;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                refusing = s.getLocalPort(); // closed again at once: nothing listens there
            }
            endpoints.register(DemoScenario.OPERATOR_NAMESPACE, service, HTTPS_PORT,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), refusing));
            cut();
        }

        private void cut() {
            for (Socket s : open) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    InetSocketAddress to = target;
                    Thread t = new Thread(() -> relay(client, to), "soak-route-relay");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void relay(Socket client, InetSocketAddress to) {
            open.add(client);
            try (client; Socket server = new Socket(to.getAddress(), to.getPort())) {
                open.add(server);
                ServiceProxy.splice(client, server);
            } catch (IOException | InterruptedException e) {
                // the operator is gone, or the outage cut the connection
            } finally {
                open.removeIf(Socket::isClosed);
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            cut();
        }
    }

    /** A server with the operator's serving certificate ({@code tls.crt}, {@code tls.key} in its cert dir) answering {@code code}. */
    static HttpsServer answering(int code, Path certDir) throws IOException, GeneralSecurityException {
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        Certificate[] chain;
        try (InputStream in = Files.newInputStream(certDir.resolve("tls.crt"))) {
            chain = x509.generateCertificates(in).toArray(Certificate[]::new);
        }
        String pem = Files.readString(certDir.resolve("tls.key")).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance(chain[0].getPublicKey().getAlgorithm())
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("serving", key, new char[0], chain);
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        byte[] body = "{\"status\":\"outage\"}".getBytes(StandardCharsets.UTF_8);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(code, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        server.start();
        return server;
    }

    private final Layout layout;
    private final Path out;
    private final InstallManifest install;
    private final Deployment deployment;
    private final Service service;

    DeliverySoak(Layout layout, Path out) {
        this.layout = layout;
        this.out = out;
        this.install = InstallManifest.read(layout.rendered());
        this.deployment = install.operatorDeployment();
        this.service = install.service(DemoScenario.OPERATOR_SERVICE);
    }

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int ranks = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        double rate = args.length > 2 ? Double.parseDouble(args[2]) : 40;
        Duration outage = Duration.ofSeconds(args.length > 3 ? Long.parseLong(args[3]) : 15);
        Path out = Files.createTempDirectory("landscape-soak");
        System.exit(new DeliverySoak(Layout.discover(), out).run(total, ranks, rate, outage) ? 0 : 1);
    }

    boolean run(int total, int ranks, double rate, Duration outage) throws Exception {
        Instant started = Instant.now();
        TokenAuthority tokens = new TokenAuthority();
        try (EmbeddedApiServer api = EmbeddedApiServer.start(tokens); ServiceProxy services = new ServiceProxy(api.services())) {
            api.install(install);
            api.createNamespace(NAMESPACE);
            OperatorProcess[] operator = {startOperator(api, 0)};
            try (Route route = new Route(api.services(), service.getMetadata().getName())) {
                route.operatorStarted();
                DemoScenario.awaitCaBundle(api, operator[0]);
                api.client().genericKubernetesResources(ProbeWatcher.PROBES).inNamespace(NAMESPACE).resource(DemoObjects.probe(NAMESPACE, PROBE, Timings.demo())).create();
                DemoScenario.awaitCaConfigMap(api, NAMESPACE, operator[0]);
                // What the demo kubelet gives each sidecar JVM: the ServiceProxy as its HTTPS proxy.
                System.setProperty("https.proxyHost", "127.0.0.1");
                System.setProperty("https.proxyPort", Integer.toString(services.port()));
                Recorder recorder = new Recorder();
                List<ReportSpool> spools = new ArrayList<>();
                List<Delivery> deliveries = new ArrayList<>();
                List<SidecarConfig> sidecars = new ArrayList<>();
                try (Kubelet kubelet = new Kubelet(api.client(), tokens, layout, out.resolve("node"), out.resolve("javacpp"),
                        Clock.systemUTC(), services.port())) {
                    for (int r = 0; r < ranks; r++) {
                        Files.createDirectories(out.resolve("volume-" + r)); // hostPath type DirectoryOrCreate
                        Pod stored = api.client().pods().inNamespace(NAMESPACE)
                                .resource(DemoObjects.worker(NAMESPACE, r, ranks, out.resolve("volume-" + r))).create();
                        SidecarConfig config = SidecarConfig.load(Map.of(), kubelet.runWithSidecarInProcess(stored));
                        ReportSpool spool = new ReportSpool(config.spoolDir());
                        Delivery d = Delivery.forSidecar(spool,
                                recorder.wrap(ReportSender.forOperator(config.reportUrl(), config.tokenFile(), config.caFile())),
                                Clock.systemUTC());
                        Thread t = new Thread(d, "delivery-" + r);
                        t.setDaemon(true);
                        t.start();
                        sidecars.add(config);
                        spools.add(spool);
                        deliveries.add(d);
                    }
                }
                System.out.printf(Locale.ROOT, "%d pods admitted through the webhook; rank 0 reports to %s with the token in %s,"
                                + " trusting %s%n", ranks, sidecars.get(0).reportUrl(), out.relativize(sidecars.get(0).tokenFile()),
                        sidecars.get(0).caFile().map(out::relativize).map(Path::toString).orElse("the JVM's trust store"));

                Map<String, Instant> spooledAt = new ConcurrentHashMap<>();
                List<String> chaos = Collections.synchronizedList(new ArrayList<>());
                AtomicInteger spooled = new AtomicInteger();
                Thread chaosThread = new Thread(() -> chaos(total, spooled, outage, route, operator, api, chaos), "chaos");
                chaosThread.start();
                int perRank = total / ranks;
                Instant spoolStart = Instant.now();
                long nanosPerReport = (long) (1e9 / rate);
                long t0 = System.nanoTime();
                for (int i = 0; i < perRank; i++) {
                    for (int r = 0; r < ranks; r++) {
                        long wait = t0 + (long) (i * ranks + r) * nanosPerReport - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                        long step = 10L * (i + 1);
                        spools.get(r).add(report(sidecars.get(r), step));
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
                boolean ok = verify(ranks, perRank, recorder.answers(), spools, sidecars, deliveries, api, spooledAt);
                System.out.printf(Locale.ROOT, "timeline: %d reports spooled in %.0f s (asked for %.0f/s), drained %.0f s"
                                + " after the last; whole run %.0f s%n", spooled.get(), secs(spoolStart, produced), rate,
                        secs(produced, drained), secs(started, drained));
                chaos.forEach(c -> System.out.println("chaos: " + c));
                System.out.println("operator logs: " + out.resolve("operator-*.log") + "; spools under " + out.resolve("node"));
                return ok;
            } finally {
                operator[0].close();
            }
        }
    }

    private Path certDir() {
        return out.resolve("node/operator/volumes/webhook-tls");
    }

    private OperatorProcess startOperator(EmbeddedApiServer api, int n) throws Exception {
        OperatorProcess p = OperatorProcess.start(layout, api, deployment, service, Duration.ofSeconds(30),
                out.resolve("node/operator"), out.resolve("operator-" + n + ".log"));
        p.awaitReady(Duration.ofMinutes(3));
        return p;
    }

    /** Five operator restarts and three outages, each when a given share of the reports has been spooled. */
    private void chaos(int total, AtomicInteger spooled, Duration outage, Route route, OperatorProcess[] operator,
                       EmbeddedApiServer api, List<String> log) {
        // {share of the reports spooled, event}: 0 restart the operator, 1 no endpoint, 2 answer 404, 3 answer 503
        double[][] plan = {{0.08, 0}, {0.18, 1}, {0.30, 0}, {0.42, 2}, {0.54, 0}, {0.66, 3}, {0.78, 0}, {0.90, 0}};
        long t0 = System.nanoTime();
        int restarts = 0;
        try {
            for (double[] event : plan) {
                while (spooled.get() < event[0] * total) {
                    Thread.sleep(50);
                }
                double at = (System.nanoTime() - t0) / 1e9;
                if (event[1] == 0) {
                    Instant from = Instant.now();
                    restarts++;
                    route.noEndpoint(); // a terminating pod leaves the Service's endpoints first
                    operator[0].close();
                    operator[0] = startOperator(api, restarts); // registers its own port while it starts (refused until it listens)
                    route.operatorStarted();
                    log.add(String.format(Locale.ROOT, "operator restart %d at %.0f s (%d spooled): down %.1f s (SIGTERM, new JVM,"
                            + " ready)", restarts, at, spooled.get(), secs(from, Instant.now())));
                } else {
                    int code = event[1] == 1 ? 0 : event[1] == 2 ? 404 : 503;
                    HttpsServer answering = code == 0 ? null : answering(code, certDir());
                    if (answering == null) {
                        route.noEndpoint();
                    } else {
                        route.routeTo(answering.getAddress());
                    }
                    Thread.sleep(outage.toMillis());
                    route.backToOperator();
                    if (answering != null) {
                        answering.stop(0);
                    }
                    log.add(String.format(Locale.ROOT, "receiver outage (%s) at %.0f s (%d spooled) for %d s",
                            code == 0 ? "no endpoint: connections cut, new ones refused"
                                    : code == 404 ? "404 from a route not ready, operator's certificate" : "503, operator's certificate",
                            at, spooled.get(), outage.toSeconds()));
                }
            }
        } catch (Exception e) {
            log.add("chaos failed: " + e);
        }
    }

    private static boolean verify(int ranks, int perRank, List<Answer> answers, List<ReportSpool> spools,
                                  List<SidecarConfig> sidecars, List<Delivery> deliveries, EmbeddedApiServer api,
                                  Map<String, Instant> spooledAt) throws IOException {
        int produced = perRank * ranks;
        Map<String, Integer> accepted = new HashMap<>();
        Set<String> held = new java.util.HashSet<>();
        long duplicates = 0;
        int outOfOrder = 0;
        long[] lastAccepted = new long[ranks];
        List<Double> latency = new ArrayList<>();
        for (Answer a : answers) {
            String key = a.rank() + "/" + a.step();
            if (a.code() == 200 && a.status().equals("accepted")) {
                accepted.merge(key, 1, Integer::sum);
                held.add(key);
                if (a.step() <= lastAccepted[a.rank()]) {
                    outOfOrder++;
                }
                lastAccepted[a.rank()] = a.step();
                Instant s = spooledAt.get(key);
                if (s != null) {
                    latency.add(Duration.between(s, a.at()).toMillis() / 1e3);
                }
            } else if (a.code() == 200 && a.status().equals("duplicate")) {
                duplicates++;
                held.add(key); // the operator had it already: its first answer was lost with a cut connection
            }
        }
        long lost = produced - held.size();
        long storedTwice = accepted.values().stream().filter(c -> c > 1).count();
        int left = pending(spools);
        long setAside = 0;
        for (SidecarConfig c : sidecars) {
            for (String folder : List.of("rejected", "dead-letter", "overflow")) {
                Path f = c.spoolDir().resolve(folder);
                if (Files.isDirectory(f)) {
                    try (var s = Files.list(f)) {
                        setAside += s.filter(p -> p.toString().endsWith(".json")).count();
                    }
                }
            }
        }
        long counted = 0;
        boolean statusOk = true;
        List<GenericKubernetesResource> reports = api.client().genericKubernetesResources(ProbeWatcher.REPORTS).inNamespace(NAMESPACE)
                .list().getItems();
        for (GenericKubernetesResource pr : reports) {
            Object status = pr.getAdditionalProperties().get("status");
            long n = status instanceof Map<?, ?> m && m.get("reportsAccepted") instanceof Number num ? num.longValue() : 0;
            counted += n;
            statusOk &= n == perRank;
        }
        statusOk &= reports.size() == ranks;
        Map<String, Long> byAnswer = new TreeMap<>();
        answers.forEach(a -> byAnswer.merge((a.code() == 0 ? "no answer" : Integer.toString(a.code())) + " " + a.status(), 1L, Long::sum));
        Collections.sort(latency);
        System.out.printf(Locale.ROOT, "reports: %d produced over %d ranks, %d held by the operator, %d lost, %d stored twice, "
                        + "%d out of step order, %d left in spools, %d set aside (rejected/dead-letter/overflow)%n",
                produced, ranks, held.size(), lost, storedTwice, outOfOrder, left, setAside);
        System.out.printf(Locale.ROOT, "attempts: %d (%d answered duplicate: re-sends the operator recognised), retries counted by"
                        + " the sidecars %d, dead-lettered %d, rejected %d, TLS failures %s%n",
                answers.size(), duplicates, deliveries.stream().mapToLong(Delivery::retries).sum(),
                deliveries.stream().mapToLong(Delivery::deadLettered).sum(), deliveries.stream().mapToLong(Delivery::rejected).sum(),
                deliveries.stream().flatMap(d -> d.tlsFailures().entrySet().stream())
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, Long::sum, TreeMap::new)));
        System.out.println("answers by code and status, as the sidecars received them: " + byAnswer);
        System.out.printf(Locale.ROOT, "spooled -> accepted: p50 %.2f s, p99 %.1f s, max %.1f s%n",
                pct(latency, 0.5), pct(latency, 0.99), latency.isEmpty() ? Double.NaN : latency.get(latency.size() - 1));
        System.out.printf(Locale.ROOT, "ProbeReports: %d, reportsAccepted sums to %d (expected %d), every rank %d: %s%n",
                reports.size(), counted, produced, perRank, statusOk ? "yes" : "NO");
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

    private static CheckpointReport report(SidecarConfig sidecar, long step) {
        String now = Instant.now().toString();
        return new CheckpointReport(CheckpointReport.API_VERSION, sidecar.probe(), sidecar.namespace(), sidecar.pod(), sidecar.rank(),
                step, new CheckpointReport.CheckpointRef(sidecar.dir().resolve("checkpoint-" + step).toString(), "hf-trainer", now), now,
                new Tier1Summary(100.0 + step * 1e-3, 0L, 0.5, 0.005, 0.9, 1.0, 2.0, 3.0, 3.0, 0.1, 2.0 / Math.sqrt(step), 1.0, 1e-3),
                null, List.of(), List.of(), List.of());
    }
}
