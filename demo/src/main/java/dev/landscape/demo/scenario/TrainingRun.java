package dev.landscape.demo.scenario;

import dev.landscape.demo.training.DemoTraining;
import dev.landscape.demo.training.TrainingConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The training job of the scenario and its script: the faults, in order, each injected the way it happens in real
 * jobs (see {@link DemoTraining}), and what the operator is expected to say about each.
 *
 * <ol>
 * <li>warm-up at the base learning rate (the detectors need a history);</li>
 * <li>the learning rate raised step by step until the preconditioned sharpness crosses the edge of stability and
 * the loss spikes; then lowered back, the usual remedy;</li>
 * <li>rank 2's weights perturbed (a bad restore, a skipped all-reduce): it stays apart from the other replicas;</li>
 * <li>a gradient spike on rank 3 (a loss scale not divided back out), and right after it rank 3's pod OOM-killed and restarted from its
 * latest checkpoint;</li>
 * <li>rank 1's checkpoint storage hangs: its checkpoints go stale while the others carry on.</li>
 * </ol>
 */
public final class TrainingRun {

    /** A fault as injected: a short label, the ranks it touches, the step, and a sentence for people. */
    public record Fault(String label, List<Integer> ranks, long step, String description) {
    }

    /** Callbacks the scenario reacts to: progress, the OOM kill the kubelet must report, and pacing. */
    public interface Listener {
        void phase(String name, long step, String description);

        void oomKill(int rank, long step);

        /**
         * The checkpoints of {@code step} were written by {@code ranks}; returns when the job may go on. The demo
         * waits for the sidecars to have analysed them, so that checkpoints come no faster than they are analysed,
         * as in real jobs, where minutes pass between checkpoints and tier 2 takes seconds.
         */
        void written(long step, List<Integer> ranks) throws InterruptedException;
    }

    /** The script's lengths, in optimizer steps (one checkpoint per step). */
    record Script(int warmup, int ramp, double rampFactor, int hold, int recovery, int divergence, int afterSpike,
                  int stall) {
        static Script full() {
            return new Script(10, 22, 1.35, 2, 22, 6, 6, 8);
        }

        static Script quick() {
            return new Script(9, 22, 1.35, 2, 21, 5, 5, 7);
        }

        int steps() {
            return warmup + ramp + hold + recovery + divergence + afterSpike + stall;
        }
    }

    static final int DIVERGING_RANK = 2;
    static final int OOM_RANK = 3;
    static final int STALLED_RANK = 1;
    static final double PERTURBATION = 5e-3;
    static final double GRADIENT_SPIKE = 8;

    private final DemoTraining training;
    private final Script script;
    private final Path volumes;
    private final List<Fault> faults = new ArrayList<>();
    private long lrFaultStep = -1;
    private Listener listener;
    private long remedyStep = -1;
    private final java.util.TreeMap<Long, Double> rank0Loss = new java.util.TreeMap<>();

    private TrainingRun(DemoTraining training, Script script, Path volumes) {
        this.training = training;
        this.script = script;
        this.volumes = volumes;
    }

    /**
     * The job with {@code ranks} ranks, rank {@code r} writing into {@code volumes/rank-<r>/}, which is that pod's
     * checkpoint volume; the tier-2 model and batch are exported into each volume's {@code probe/}, where the probe
     * spec points.
     */
    public static TrainingRun create(Path volumes, int ranks, boolean quick) throws IOException {
        Script script = quick ? Script.quick() : Script.full();
        TrainingConfig base = TrainingConfig.demo();
        if (base.ranks() != ranks) {
            throw new IllegalArgumentException("the demo job is tuned for " + base.ranks() + " ranks, not " + ranks);
        }
        DemoTraining training = new DemoTraining(base.withMaxSteps(script.steps()), volumes);
        for (int r = 0; r < ranks; r++) {
            Path probe = Files.createDirectories(training.runDir(r).resolve("probe"));
            training.exportTier2(probe.resolve("model.onnx"), probe.resolve("eval-batch.safetensors"));
        }
        return new TrainingRun(training, script, volumes);
    }

    public Path volume(int rank) {
        return training.runDir(rank);
    }

    public String describe() {
        TrainingConfig c = training.config();
        return String.format(Locale.ROOT, "%d ranks, MLP %d-%d-%d (%d parameters), Adam lr %.3g, a checkpoint every step, "
                        + "%d steps, checkpoints under %s", c.ranks(), c.inputs(), c.hidden(), c.classes(), c.parameterCount(),
                c.learningRate(), script.steps(), volumes);
    }

    /**
     * Runs the whole script; each step takes at least {@code pace} of wall-clock time and waits for
     * {@link Listener#written}.
     */
    public void run(Duration pace, Listener listener) throws IOException, InterruptedException {
        this.listener = listener;
        double base = training.learningRate();
        listener.phase("warm-up", training.globalStep(), String.format(Locale.ROOT, "%d steps at lr %.3g", script.warmup(), base));
        steps(script.warmup(), pace);

        lrFaultStep = training.globalStep() + 1;
        fault("learning rate raised", List.of(0, 1, 2, 3), String.format(Locale.ROOT,
                "lr ×%.2f per step from %.3g: the preconditioned sharpness will cross the edge of stability", script.rampFactor(), base),
                listener);
        for (int i = 0; i < script.ramp(); i++) {
            training.setLearningRate(training.learningRate() * script.rampFactor());
            steps(1, pace);
        }
        steps(script.hold(), pace);
        listener.phase("remedy", training.globalStep(), String.format(Locale.ROOT, "lr %.3g → %.3g (lowered back)",
                training.learningRate(), base));
        remedyStep = training.globalStep();
        training.setLearningRate(base);
        steps(script.recovery(), pace);

        training.perturb(DIVERGING_RANK, PERTURBATION);
        fault("rank 2 perturbed", List.of(DIVERGING_RANK), String.format(Locale.ROOT,
                "rank %d's weights moved by %.1g·‖θ‖ (a bad restore): its replica no longer matches", DIVERGING_RANK, PERTURBATION),
                listener);
        steps(script.divergence(), pace);

        training.spikeGradient(OOM_RANK, GRADIENT_SPIKE);
        fault("rank 3 gradient spike", List.of(OOM_RANK), String.format(Locale.ROOT,
                "rank %d's next gradient ×%.0f (a loss scale not divided back out)", OOM_RANK, GRADIENT_SPIKE), listener);
        steps(2, pace);
        listener.oomKill(OOM_RANK, training.globalStep());
        faults.add(new Fault("rank 3 OOMKilled", List.of(OOM_RANK), training.globalStep(), "the trainer container of rank 3 was OOM-killed"));
        long resumed = training.restart(OOM_RANK);
        listener.phase("restart", training.globalStep(), "rank " + OOM_RANK + " resumed from its checkpoint of step " + resumed);
        steps(script.afterSpike() - 2, pace);

        training.stall(STALLED_RANK);
        fault("rank 1 stalled", List.of(STALLED_RANK), "rank " + STALLED_RANK
                + "'s checkpoint storage hangs: no new checkpoints from it", listener);
        steps(script.stall(), pace);
        listener.phase("end", training.globalStep(), "training stopped");
    }

    private void fault(String label, List<Integer> ranks, String description, Listener listener) {
        faults.add(new Fault(label, ranks, training.globalStep() + 1, description));
        listener.phase("fault", training.globalStep() + 1, label + ": " + description);
    }

    private void steps(int n, Duration pace) throws IOException, InterruptedException {
        for (int i = 0; i < n; i++) {
            long started = System.nanoTime();
            DemoTraining.StepResult r = training.step();
            rank0Loss.put(r.step(), r.ranks().get(0).loss());
            listener.written(r.step(), r.ranks().stream().filter(x -> x.checkpoint().isPresent())
                    .map(DemoTraining.RankStep::rank).toList());
            long left = pace.toNanos() - (System.nanoTime() - started);
            if (left > 0) {
                Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
            }
        }
    }

    /** The last step before the learning-rate fault. */
    public long stepBeforeInstability() {
        return lrFaultStep - 1;
    }

    /** The step of rank 0's highest training loss between the learning-rate fault and the remedy. */
    public long instabilityPeak() {
        return rank0Loss.subMap(lrFaultStep, true, remedyStep, true).entrySet().stream()
                .filter(e -> Double.isFinite(e.getValue()))
                .max(java.util.Map.Entry.comparingByValue()).map(java.util.Map.Entry::getKey).orElse(remedyStep);
    }

    public List<Fault> faults() {
        return List.copyOf(faults);
    }

    /** What the operator should publish for each fault, rank by rank. */
    public List<DetectionQuality.Expectation> expectations() {
        List<DetectionQuality.Expectation> out = new ArrayList<>();
        long lr = lrFaultStep;
        // Tier 2 (the measured λmax behind EdgeOfStability) runs on rank 0 only; the loss spikes on every rank.
        out.add(new DetectionQuality.Expectation("learning rate raised", 0, lr, "EdgeOfStability", "LossSpike"));
        for (int r = 0; r < training.config().ranks(); r++) {
            out.add(new DetectionQuality.Expectation("learning rate raised", r, lr, "LossSpike", null));
        }
        for (Fault f : faults) {
            switch (f.label()) {
                case "rank 2 perturbed" -> out.add(new DetectionQuality.Expectation(f.label(), DIVERGING_RANK, f.step(), "WorkerDivergence", null));
                case "rank 3 gradient spike" -> out.add(new DetectionQuality.Expectation(f.label(), OOM_RANK, f.step(), "GradientSpike", "InstabilityBeforeFailure"));
                // The operator's findings name the step they are about: the anomaly's for InstabilityBeforeFailure,
                // the last checkpoint written for StaleCheckpoints.
                case "rank 3 OOMKilled" -> out.add(new DetectionQuality.Expectation(f.label(), OOM_RANK, 0, "InstabilityBeforeFailure", null));
                case "rank 1 stalled" -> out.add(new DetectionQuality.Expectation(f.label(), STALLED_RANK, f.step() - 1, "StaleCheckpoints", null));
                default -> {
                }
            }
        }
        return out;
    }

    /** Findings that are right although no expectation names them. */
    public List<DetectionQuality.Tolerated> tolerated() {
        List<DetectionQuality.Tolerated> out = new ArrayList<>();
        for (int r = 0; r < training.config().ranks(); r++) {
            out.add(new DetectionQuality.Tolerated(r, "UpdateOscillation", "the oscillation is the edge of stability's symptom"));
            out.add(new DetectionQuality.Tolerated(r, "GradientSpike", "the gradient blows up with the loss past the edge"));
        }
        out.add(new DetectionQuality.Tolerated(OOM_RANK, "LossSpike", "rank 3 had loss spikes of its own in the learning-rate phase"));
        out.add(new DetectionQuality.Tolerated(OOM_RANK, "OOMKilled", "the bare kill, before it is joined to the spike"));
        out.add(new DetectionQuality.Tolerated(STALLED_RANK, "StepSkew", "a stalled rank falls behind the others"));
        out.add(new DetectionQuality.Tolerated(null, "WorkerDivergence",
                "when only two ranks are at the same step, the pair that differs is named, not one rank"));
        return out;
    }
}
