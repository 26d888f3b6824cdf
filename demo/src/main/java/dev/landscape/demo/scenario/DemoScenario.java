package dev.landscape.demo.scenario;

import dev.landscape.demo.cluster.Admission;
import dev.landscape.demo.cluster.EmbeddedApiServer;
import dev.landscape.demo.cluster.Kubelet;
import dev.landscape.demo.cluster.Layout;
import dev.landscape.demo.cluster.OperatorProcess;
import dev.landscape.demo.cluster.SidecarProcess;
import dev.landscape.demo.cluster.TokenAuthority;
import dev.landscape.demo.report.ReportImage;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The whole product on one machine: embedded API server with the CRDs, the real operator, a LandscapeProbe, four
 * worker pods admitted through the operator's webhook and run by the demo kubelet (each with its injected sidecar
 * as a process), the ND4J training job with its scripted faults, and what an on-call engineer would then read.
 */
public final class DemoScenario {

    public static final String NAMESPACE = "ml-demo";
    public static final String OPERATOR_NAMESPACE = "landscape-system";
    public static final String PROBE = "demo-train";
    public static final int RANKS = 4;
    /** The longest the trainer waits for its sidecars to analyse a checkpoint before it goes on regardless. */
    static final Duration ANALYSIS_WAIT = Duration.ofSeconds(60);

    /** What a run produced: the observations, the score, where the report and the detection section (Markdown) are. */
    public record Outcome(ProbeWatcher watcher, DetectionQuality.Result quality, Path report, Path detection, Duration took) {
    }

    private final Layout layout;
    private final Path out;
    private final boolean quick;
    private final Timings timings;
    private final Progress progress;
    private final Clock clock = Clock.systemUTC();
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
        progress.say("embedded Kubernetes API (Fabric8 mock server, CRUD mode) with the CRDs from %s", layout.crds());
        try (EmbeddedApiServer api = EmbeddedApiServer.start(layout.crds(), tokens)) {
            api.createNamespace(NAMESPACE);
            api.createNamespace(OPERATOR_NAMESPACE);
            progress.say("API server at %s", api.url());
            progress.say("starting the operator (%s), log %s", layout.root().relativize(layout.operatorJar()), out.resolve("logs/operator.log"));
            try (OperatorProcess operator = OperatorProcess.start(layout, api.url(), NAMESPACE, OPERATOR_NAMESPACE,
                    timings.rescan(), out.resolve("logs/operator.log"))) {
                operator.awaitReady(Duration.ofSeconds(90));
                progress.say("operator ready: webhook and report ingest at %s", operator.baseUrl());
                return withOperator(api, operator);
            }
        }
    }

    private Outcome withOperator(EmbeddedApiServer api, OperatorProcess operator) throws Exception {
        Path volumes = out.resolve("volumes");
        TrainingRun training = TrainingRun.create(volumes, RANKS, quick);
        progress.say("training job: %s", training.describe());

        api.client().genericKubernetesResources(ProbeWatcher.PROBES).inNamespace(NAMESPACE)
                .resource(DemoObjects.probe(NAMESPACE, PROBE, timings)).create();
        progress.say("applied LandscapeProbe %s/%s (selector training.kubeflow.org/job-name=%s, tier 1 + tier 2)",
                NAMESPACE, PROBE, DemoObjects.JOB);

        Admission admission = new Admission(operator.baseUrl());
        ProbeWatcher watcher = new ProbeWatcher(api.client(), NAMESPACE, PROBE, clock);
        try (Kubelet kubelet = new Kubelet(api.client(), api.tokens(), layout, out.resolve("node"), javacppCache(), clock)) {
            for (int rank = 0; rank < RANKS; rank++) {
                Pod worker = DemoObjects.worker(NAMESPACE, rank, RANKS, training.volume(rank));
                Admission.Result admitted = admission.admit(worker);
                admitted.warnings().forEach(w -> progress.say("  webhook warning: %s", w));
                if (!admitted.patched()) {
                    throw new IllegalStateException("the webhook did not inject pod " + worker.getMetadata().getName()
                            + "; operator log: " + operator.log());
                }
                kubelet.run(admitted.pod());
                progress.say("pod %s admitted: sidecar injected by the webhook, started (log %s)",
                        worker.getMetadata().getName(), out.relativize(kubelet.sidecars().get(worker.getMetadata().getName()).log()));
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
                        while (s.isAlive() && s.analysedStep() < step && System.nanoTime() < deadline) {
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
                    w -> w.seen().stream().anyMatch(s -> s.reason().equals("StaleCheckpoints")
                            && s.rank() != null && s.rank() == TrainingRun.STALLED_RANK));
            for (int rank = 0; rank < RANKS; rank++) {
                kubelet.complete(NAMESPACE, DemoObjects.JOB + "-worker-" + rank);
            }
            progress.say("kubelet: the job's pods completed (exit 0)");
            watcher.awaitPolling(Duration.ofSeconds(10), Duration.ofSeconds(1), this::announce,
                    w -> training.expectations().stream().allMatch(e -> w.seen().stream()
                            .anyMatch(s -> s.reason().equals(e.reason()) && s.rank() != null && s.rank() == e.rank())));
            poller.shutdownNow();
            watcher.poll(this::announce);
            for (SidecarProcess s : kubelet.sidecars().values()) {
                if (!s.isAlive()) {
                    progress.say("  sidecar of %s exited early, see %s", s.pod(), s.log());
                }
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
            return new Outcome(watcher, quality, report, detection, progress.elapsed());
        }
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
