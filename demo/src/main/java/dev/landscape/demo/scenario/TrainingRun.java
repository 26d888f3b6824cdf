package dev.landscape.demo.scenario;

import dev.landscape.contract.Reason;
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

    static final String LR_FAULT = "learning rate raised";
    static final String PERTURBED = "rank 2 perturbed";
    static final String SPIKE = "rank 3 gradient spike";
    static final String OOM = "rank 3 OOMKilled";
    static final String STALLED = "rank 1 stalled";

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
        fault(LR_FAULT, List.of(0, 1, 2, 3), String.format(Locale.ROOT,
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
        fault(PERTURBED, List.of(DIVERGING_RANK), String.format(Locale.ROOT,
                "rank %d's weights moved by %.1g·‖θ‖ (a bad restore): its replica no longer matches", DIVERGING_RANK, PERTURBATION),
                listener);
        steps(script.divergence(), pace);

        training.spikeGradient(OOM_RANK, GRADIENT_SPIKE);
        fault(SPIKE, List.of(OOM_RANK), String.format(Locale.ROOT,
                "rank %d's next gradient ×%.0f (a loss scale not divided back out)", OOM_RANK, GRADIENT_SPIKE), listener);
        steps(2, pace);
        listener.oomKill(OOM_RANK, training.globalStep());
        faults.add(new Fault(OOM, List.of(OOM_RANK), training.globalStep(), "the trainer container of rank 3 was OOM-killed"));
        long resumed = training.restart(OOM_RANK);
        listener.phase("restart", training.globalStep(), "rank " + OOM_RANK + " resumed from its checkpoint of step " + resumed);
        steps(script.afterSpike() - 2, pace);

        training.stall(STALLED_RANK);
        fault(STALLED, List.of(STALLED_RANK), "rank " + STALLED_RANK
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

    /** Steps after the learning rate is lowered back during which the loss may still spike. */
    static final int AFTER_REMEDY = 2;
    /** Steps after a fault during which its effect on the all-reduced gradient may show on any rank. */
    static final int ALL_REDUCE_AFTERMATH = 10;
    /** Steps after its injection in which a fault's own finding must come (the next checkpoint at the latest). */
    static final int PROMPT = 1;

    private Fault fault(String label) {
        return faults.stream().filter(f -> f.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the script has not injected '" + label + "' yet"));
    }

    private long lastStep() {
        return training.globalStep();
    }

    /**
     * What the operator should publish for each fault, rank by rank, and in which steps (see {@link DetectionQuality}).
     * Call after {@link #run}.
     */
    public List<DetectionQuality.Expectation> expectations() {
        List<DetectionQuality.Expectation> out = new ArrayList<>();
        DetectionQuality.Window lrPhase = new DetectionQuality.Window(lrFaultStep, remedyStep);
        DetectionQuality.Window lrAftermath = new DetectionQuality.Window(lrFaultStep, remedyStep + AFTER_REMEDY);
        // Tier 2 (the measured λmax behind EdgeOfStability) runs on rank 0 only; the loss spikes on every rank.
        out.add(new DetectionQuality.Expectation(LR_FAULT, 0, Reason.EdgeOfStability, lrPhase,
                DetectionQuality.Lead.overFinding(Reason.LossSpike)));
        for (int r = 0; r < training.config().ranks(); r++) {
            out.add(new DetectionQuality.Expectation(LR_FAULT, r, Reason.LossSpike, lrAftermath, null));
        }
        Fault perturbed = fault(PERTURBED);
        out.add(new DetectionQuality.Expectation(PERTURBED, DIVERGING_RANK, Reason.WorkerDivergence, prompt(perturbed), null));
        Fault spike = fault(SPIKE);
        Fault oom = fault(OOM);
        out.add(new DetectionQuality.Expectation(SPIKE, OOM_RANK, Reason.GradientSpike, prompt(spike), null));
        // InstabilityBeforeFailure names the step of the anomaly it joined the kill to: the injected spike, not an
        // earlier anomaly of the rank; its lead is counted over the step the kill came at.
        out.add(new DetectionQuality.Expectation(OOM, OOM_RANK, Reason.InstabilityBeforeFailure, prompt(spike),
                DetectionQuality.Lead.overStep("the OOM kill", oom.step())));
        // StaleCheckpoints names the last checkpoint the stalled rank wrote.
        Fault stalled = fault(STALLED);
        out.add(new DetectionQuality.Expectation(STALLED, STALLED_RANK, Reason.StaleCheckpoints,
                new DetectionQuality.Window(stalled.step() - 1, stalled.step() - 1), null));
        return out;
    }

    private static DetectionQuality.Window prompt(Fault f) {
        return new DetectionQuality.Window(f.step(), f.step() + PROMPT);
    }

    /** Findings that are right although no expectation names them, each on its fault's ranks and in its window. */
    public List<DetectionQuality.Tolerated> tolerated() {
        List<DetectionQuality.Tolerated> out = new ArrayList<>();
        DetectionQuality.Window lrAftermath = new DetectionQuality.Window(lrFaultStep, remedyStep + AFTER_REMEDY);
        for (int r = 0; r < training.config().ranks(); r++) {
            out.add(new DetectionQuality.Tolerated(LR_FAULT, r, Reason.UpdateOscillation, lrAftermath,
                    "the oscillation is the edge of stability's symptom"));
            out.add(new DetectionQuality.Tolerated(LR_FAULT, r, Reason.GradientSpike, lrAftermath,
                    "the gradient blows up with the loss past the edge"));
            if (r != 0) {
                out.add(new DetectionQuality.Tolerated(LR_FAULT, r, Reason.EdgeOfStability, lrAftermath,
                        "tier 1's own estimate on the ranks without tier 2"));
            }
        }
        // Tier 2 (rank 0) sees the eval batch class by class: the blow-up sets one class back more than the others,
        // which recovers more slowly once the learning rate is lowered.
        out.add(new DetectionQuality.Tolerated(LR_FAULT, 0, Reason.ClassLossDrift,
                new DetectionQuality.Window(lrFaultStep, remedyStep + script.recovery()),
                "the instability set one class back more than the others"));
        Fault perturbed = fault(PERTURBED);
        DetectionQuality.Window diverged = new DetectionQuality.Window(perturbed.step(), lastStep());
        out.add(new DetectionQuality.Tolerated(PERTURBED, DIVERGING_RANK, Reason.WorkerDivergence, diverged,
                "rank 2 stays apart from the others after it was first named"));
        out.add(new DetectionQuality.Tolerated(PERTURBED, null, Reason.WorkerDivergence, diverged,
                "when only two ranks are at the same step, the pair that differs is named, not one rank"));
        // Gradients are all-reduced: what rank 2's perturbed weights and rank 3's spiked gradient do to the averaged
        // gradient moves every rank's weights, and so every rank's own gradient norm, for a few steps.
        Fault spike = fault(SPIKE);
        for (Fault f : List.of(perturbed, spike)) {
            for (int r = 0; r < training.config().ranks(); r++) {
                out.add(new DetectionQuality.Tolerated(f.label(), r, Reason.GradientSpike,
                        new DetectionQuality.Window(f.step(), f.step() + ALL_REDUCE_AFTERMATH),
                        "the all-reduce carries the fault into every rank's update"));
            }
        }
        DetectionQuality.Window spikeAftermath = new DetectionQuality.Window(spike.step(), fault(OOM).step() + PROMPT);
        out.add(new DetectionQuality.Tolerated(SPIKE, OOM_RANK, Reason.LossSpike, spikeAftermath,
                "the spiked gradient's step raises the loss"));
        out.add(new DetectionQuality.Tolerated(SPIKE, OOM_RANK, Reason.UpdateOscillation, spikeAftermath,
                "the spiked gradient's step overshoots"));
        out.add(new DetectionQuality.Tolerated(OOM, OOM_RANK, Reason.OOMKilled, new DetectionQuality.Window(fault(OOM).step(), lastStep()),
                "the bare kill, before it is joined to the spike"));
        out.add(new DetectionQuality.Tolerated(STALLED, STALLED_RANK, Reason.StepSkew,
                new DetectionQuality.Window(fault(STALLED).step() - 1, lastStep()), "a stalled rank falls behind the others"));
        return out;
    }
}
