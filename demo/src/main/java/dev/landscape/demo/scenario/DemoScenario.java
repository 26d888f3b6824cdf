package dev.landscape.demo.scenario;

import dev.landscape.apiserver.admission.MutatingAdmission;
import dev.landscape.apiserver.network.ServiceProxy;
import dev.landscape.contract.Reason;
import dev.landscape.demo.cluster.EmbeddedApiServer;
import dev.landscape.demo.cluster.InstallManifest;
import dev.landscape.demo.cluster.Kubelet;
import dev.landscape.demo.cluster.Layout;
import dev.landscape.demo.cluster.Logs;
import dev.landscape.demo.cluster.OperatorProcess;
import dev.landscape.demo.cluster.SidecarProcess;
import dev.landscape.demo.cluster.TokenAuthority;
import dev.landscape.demo.report.ReportImage;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The whole product on one machine: the strict embedded API server with what {@code kubectl kustomize deploy/}
 * renders installed, the real operator run as its Deployment says (self-signed TLS: it makes a CA, keeps it in a
 * Secret and patches the webhook's caBundle), a LandscapeProbe, four worker pods that the API server admits through
 * the operator's webhook over HTTPS and the demo kubelet runs (each with its injected sidecar as a process, which
 * reports over HTTPS trusting the CA it finds in its pod), the ND4J training job with its scripted faults, and what
 * an on-call engineer would then read.
 */
public final class DemoScenario {

    public static final String NAMESPACE = "ml-demo";
    public static final String OPERATOR_NAMESPACE = "landscape-system";
    public static final String PROBE = "demo-train";
    static final String OPERATOR_SERVICE = "landscape-operator";
    static final String WEBHOOK_CONFIGURATION = "landscape-probe";
    static final String CA_CONFIG_MAP = "landscape-probe-ca";
    private static final String INJECTION_STATUS = "landscape.dev/injection-status";
    public static final int RANKS = 4;
    /**
     * The longest the trainer waits for its sidecars to analyse a checkpoint and deliver the report before it goes on
     * regardless. The demo compresses minutes between checkpoints into about a second, so it paces the trainer by the
     * slowest stage of the pipeline: analysis, and delivery over TLS (handshake, TokenReview), which at a real job's
     * pace take a negligible share of the interval but here would put a rank's reports checkpoints behind the others.
     */
    static final Duration ANALYSIS_WAIT = Duration.ofSeconds(60);

    /**
     * What a run produced: the observations, the score, where the report and the detection section (Markdown) are,
     * and how each sidecar reported.
     */
    public record Outcome(ProbeWatcher watcher, DetectionQuality.Result quality, Path report, Path detection, Duration took,
                          List<SidecarTransport> sidecars) {
    }

    /** The URL a sidecar was given to report to, and the TLS failures its log records (none expected). */
    public record SidecarTransport(String pod, String reportUrl, List<String> tlsErrors) {
    }

    private final Layout layout;
    private final Path out;
    private final boolean quick;
    private final Timings timings;
    private final Progress progress;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, MutatingAdmission.Call> admissions = new ConcurrentHashMap<>();
    private Instant started;

    public DemoScenario(Layout layout, Path out, boolean quick, Timings timings, PrintStream console) {
        this.layout = layout;
        this.out = out;
        this.quick = quick;
        this.timings = timings;
        this.progress = new Progress(console, clock);
    }

    public Outcome run() throws Exception {
        started = Instant.now(clock);
        Files.createDirectories(out);
        TokenAuthority tokens = new TokenAuthority();
        InstallManifest install = InstallManifest.read(layout.rendered());
        progress.say("embedded Kubernetes API (strict: CRD schemas and CEL rules, admission webhooks over HTTPS)");
        try (EmbeddedApiServer api = EmbeddedApiServer.start(tokens); ServiceProxy services = new ServiceProxy(api.services())) {
            api.install(install);
            api.createNamespace(NAMESPACE);
            progress.say("API server at %s; installed %d objects from %s (kubectl kustomize deploy/)", api.url(),
                    install.objects().size(), layout.root().relativize(install.file()));
            api.onAdmission(this::admitted);
            progress.say("starting the operator (%s) as Deployment %s/%s says, log %s", layout.root().relativize(layout.operatorJar()),
                    OPERATOR_NAMESPACE, install.operatorDeployment().getMetadata().getName(), out.resolve("logs/operator.log"));
            try (OperatorProcess operator = OperatorProcess.start(layout, api, install.operatorDeployment(),
                    install.service(OPERATOR_SERVICE), timings.rescan(), out.resolve("node/operator"), out.resolve("logs/operator.log"))) {
                operator.awaitReady(Duration.ofSeconds(90));
                awaitCaBundle(api, operator);
                progress.say("operator ready: webhook and report ingest at https://%s.%s.svc (self-signed CA, caBundle patched)",
                        OPERATOR_SERVICE, OPERATOR_NAMESPACE);
                return withOperator(api, operator, services);
            }
        }
    }

    /** The operator patches the webhook's caBundle at start-up; until then the API server cannot trust the webhook. */
    static void awaitCaBundle(EmbeddedApiServer api, OperatorProcess operator) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            MutatingWebhookConfiguration c = api.client().admissionRegistration().v1().mutatingWebhookConfigurations()
                    .withName(WEBHOOK_CONFIGURATION).get();
            if (c != null && c.getWebhooks().stream().allMatch(w -> w.getClientConfig().getCaBundle() != null
                    && !w.getClientConfig().getCaBundle().isEmpty())) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the operator did not patch the caBundle of MutatingWebhookConfiguration "
                + WEBHOOK_CONFIGURATION + " within 30 s:\n" + Logs.tail(operator.log(), 40));
    }

    private void admitted(MutatingAdmission.Call call) {
        call.warnings().forEach(w -> progress.say("  webhook warning (%s): %s", call.pod(), w));
        admissions.put(call.pod(), call);
    }

    private Outcome withOperator(EmbeddedApiServer api, OperatorProcess operator, ServiceProxy services) throws Exception {
        Path volumes = out.resolve("volumes");
        TrainingRun training = TrainingRun.create(volumes, RANKS, quick);
        progress.say("training job: %s", training.describe());

        api.client().genericKubernetesResources(ProbeWatcher.PROBES).inNamespace(NAMESPACE)
                .resource(DemoObjects.probe(NAMESPACE, PROBE, timings)).create();
        progress.say("applied LandscapeProbe %s/%s (selector training.kubeflow.org/job-name=%s, tier 1 + tier 2)",
                NAMESPACE, PROBE, DemoObjects.JOB);

        awaitCaConfigMap(api, NAMESPACE, operator);
        ProbeWatcher watcher = new ProbeWatcher(api.client(), NAMESPACE, PROBE, clock);
        try (Kubelet kubelet = new Kubelet(api.client(), api.tokens(), layout, out.resolve("node"), javacppCache(), clock, services.port())) {
            for (int rank = 0; rank < RANKS; rank++) {
                Pod worker = DemoObjects.worker(NAMESPACE, rank, RANKS, training.volume(rank));
                String name = worker.getMetadata().getName();
                Pod stored = api.client().pods().inNamespace(NAMESPACE).resource(worker).create();
                if (stored.getMetadata().getAnnotations() == null || !stored.getMetadata().getAnnotations().containsKey(INJECTION_STATUS)) {
                    MutatingAdmission.Call call = admissions.get(name);
                    throw new IllegalStateException("the API server admitted pod " + name + " without the sidecar ("
                            + (call == null ? "the webhook was not called" : call.result() + ": " + call.detail())
                            + "); operator log: " + operator.log());
                }
                kubelet.run(stored);
                progress.say("pod %s admitted: the API server called the webhook over HTTPS, sidecar injected and started (log %s)",
                        name, out.relativize(kubelet.sidecars().get(name).log()));
            }

            ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "probe-watcher");
                t.setDaemon(true);
                return t;
            });
            poller.scheduleWithFixedDelay(() -> {
                try {
                    watcher.poll(this::announce);
                } catch (RuntimeException e) {
                    progress.say("  (status read failed: %s)", e.getMessage());
                }
            }, 1, 1, TimeUnit.SECONDS);

            training.run(timings.checkpointPace(), new TrainingRun.Listener() {
                @Override
                public void phase(String name, long step, String description) {
                    progress.say("step %4d  %s: %s", step, name, description);
                }

                @Override
                public void written(long step, List<Integer> ranks) throws InterruptedException {
                    long deadline = System.nanoTime() + ANALYSIS_WAIT.toNanos();
                    for (int rank : ranks) {
                        SidecarProcess s = kubelet.sidecars().get(DemoObjects.JOB + "-worker-" + rank);
                        while (s.isAlive() && (s.analysedStep() < step || !s.spoolEmpty()) && System.nanoTime() < deadline) {
                            Thread.sleep(50);
                        }
                    }
                }

                @Override
                public void oomKill(int rank, long step) {
                    String pod = DemoObjects.JOB + "-worker-" + rank;
                    kubelet.oomKill(NAMESPACE, pod, "pytorch", Duration.ofSeconds(1));
                    progress.say("step %4d  kubelet: container pytorch of %s OOMKilled (exit 137), restarted in place", step, pod);
                }
            });
            progress.say("training finished; waiting for the last reports and for silence to be noticed");
            watcher.awaitPolling(Duration.ofSeconds(quick ? 20 : 30), Duration.ofSeconds(1), this::announce,
                    w -> w.seen().stream().anyMatch(s -> DetectionQuality.names(Reason.StaleCheckpoints, s)
                            && s.rank() != null && s.rank() == TrainingRun.STALLED_RANK));
            for (int rank = 0; rank < RANKS; rank++) {
                kubelet.complete(NAMESPACE, DemoObjects.JOB + "-worker-" + rank);
            }
            progress.say("kubelet: the job's pods completed (exit 0)");
            watcher.awaitPolling(Duration.ofSeconds(10), Duration.ofSeconds(1), this::announce,
                    w -> training.expectations().stream().allMatch(e -> w.seen().stream()
                            .anyMatch(s -> DetectionQuality.names(e.reason(), s) && s.rank() != null && s.rank() == e.rank())));
            poller.shutdownNow();
            watcher.poll(this::announce);
            for (SidecarProcess s : kubelet.sidecars().values()) {
                if (!s.isAlive()) {
                    progress.say("  sidecar of %s exited early, see %s", s.pod(), s.log());
                }
            }
            List<SidecarTransport> transports = transports(kubelet);
            for (SidecarTransport t : transports) {
                progress.say("sidecar of %s reported to %s%s", t.pod(), t.reportUrl(),
                        t.tlsErrors().isEmpty() ? " (TLS verified against the CA in its pod)" : "; TLS errors: " + t.tlsErrors());
            }
            DetectionQuality.Result quality = DetectionQuality.score(training.expectations(), training.tolerated(), watcher.seen());
            progress.say("drawing the loss landscape around the instability (rank 0, steps %d and %d)",
                    training.stepBeforeInstability(), training.instabilityPeak());
            List<ReportImage> images = LandscapeImages.render(training.volume(0), training.stepBeforeInstability(),
                    training.instabilityPeak(), out.resolve("landscape"));
            Path report = new DemoReport(watcher, training, quality, started, progress.elapsed(), images)
                    .write(out.resolve("report"));
            Path detection = out.resolve("detection.md");
            Files.writeString(detection, DetectionDoc.markdown(quality, watcher.checkpoints(), training.stepBeforeInstability() + 1));
            new Summary(watcher).print(progress);
            progress.section("Detection quality (what the script injected vs what the operator published)");
            progress.print(quality.table());
            return new Outcome(watcher, quality, report, detection, progress.elapsed(), transports);
        }
    }

    /** The operator publishes its CA to each namespace with a probe; pods mount it (optional: absent, a sidecar could not verify). */
    static void awaitCaConfigMap(EmbeddedApiServer api, String namespace, OperatorProcess operator) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (api.client().configMaps().inNamespace(namespace).withName(CA_CONFIG_MAP).get() != null) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the operator did not publish ConfigMap " + namespace + "/" + CA_CONFIG_MAP
                + " within 30 s:\n" + Logs.tail(operator.log(), 40));
    }

    private static List<SidecarTransport> transports(Kubelet kubelet) throws IOException {
        List<SidecarTransport> out = new ArrayList<>();
        for (SidecarProcess s : kubelet.sidecars().values().stream().sorted(java.util.Comparator.comparing(SidecarProcess::pod)).toList()) {
            List<String> tls = Files.readAllLines(s.log()).stream()
                    .filter(l -> l.contains("TLS handshake with") || l.contains("no CA to verify")).toList();
            out.add(new SidecarTransport(s.pod(), s.reportUrl(), tls));
        }
        return out;
    }

    private void announce(ProbeWatcher.Seen s) {
        progress.say("operator: %s %s%s at step %s — %s", s.severity(), s.reason(),
                s.rank() == null ? "" : " on rank " + s.rank(), s.step() == null ? "-" : s.step(),
                s.message() == null ? "" : s.message());
    }

    /** One javacpp native cache per host (see {@link Kubelet}), kept between runs so later runs start faster. */
    private static Path javacppCache() throws IOException {
        Path dir = Path.of(System.getProperty("user.home"), ".javacpp", "cache");
        Files.createDirectories(dir);
        return dir;
    }
}
