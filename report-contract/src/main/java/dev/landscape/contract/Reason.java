package dev.landscape.contract;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Every finding the product raises, sidecar and operator alike (docs/operator.md, "What the operator tells on-call", lists them), with the condition it
 * counts against and what usually fixes it. The sidecar names its findings with these constants and the operator
 * parses reported reasons with {@link #of}, so a reason is spelled once. The remedies are what an experienced
 * ML/platform engineer would try first, not a guarantee.
 */
public enum Reason {
    NonFiniteValues(Family.TRAINING, "Stop the run and restart from the last checkpoint without NaN/Inf; lower the learning rate, enable gradient clipping, and check for fp16 overflow (use bf16 or a loss scaler)."),
    EdgeOfStability(Family.TRAINING, "Sharpness is at or past 2/lr-type stability limits: lower the learning rate (or lengthen warm-up), or add gradient clipping; expect loss spikes if it persists."),
    GradientSpike(Family.TRAINING, "Check the data batch around this step for outliers; enable gradient clipping; if it repeats, lower the learning rate."),
    LossSpike(Family.TRAINING, "Restart from the checkpoint before the spike with a lower learning rate or skip the offending data; enable gradient clipping."),
    UpdateOscillation(Family.TRAINING, "Consecutive updates point in opposite directions: the step size is too large along the top curvature direction; lower the learning rate or raise momentum damping."),
    Plateau(Family.TRAINING, "Loss has stopped improving: check the learning-rate schedule (too low or decayed to zero), data loader exhaustion, or consider stopping early."),
    ClassLossDrift(Family.TRAINING, "One class's eval loss is rising while the mean is not: check that class's training data (a shard missing or mislabelled, a changed sampling mix or filter) and its share of recent batches; rebalance or fix the data before the mean shows it."),
    WorkerDivergence(Family.WORKERS, "Replicated weights differ across ranks: check for a rank with different data/seed/config, a failed all-reduce, or silent hardware corruption (run GPU diagnostics on that node); restart the job from a consistent checkpoint."),
    StepSkew(Family.WORKERS, "One rank is behind the others: check its node for throttling, a slow disk or network, or a straggling data loader."),
    StaleCheckpoints(Family.WORKERS, "No fresh checkpoint for several intervals while pods run: the job may be hung (NCCL timeout, deadlock, stuck I/O); inspect the trainer logs and py-spy dump the processes."),
    OOMKilled(Family.INFRASTRUCTURE, "The container exceeded its memory limit: raise the limit, lower the batch size or sequence length, or enable activation checkpointing."),
    ErrorExit(Family.INFRASTRUCTURE, "The trainer exited with an error: read the previous container's logs (kubectl logs --previous) for the stack trace."),
    Evicted(Family.INFRASTRUCTURE, "The pod was evicted (node pressure or preemption): use a PriorityClass, reserve node resources, or make the job tolerate rescheduling."),
    RestartLoop(Family.INFRASTRUCTURE, "The rank keeps restarting: stop the job, fix the cause of the first failure (see the previous container's logs) and resume from the last good checkpoint."),
    InstabilityBeforeFailure(Family.INFRASTRUCTURE, "The failure followed a training anomaly on the same rank: restart from the checkpoint before the anomaly, lower the learning rate and enable gradient clipping rather than only raising resources."),
    UnreadableCheckpoint(Family.WORKERS, "The sidecar could not read this checkpoint and skipped it (later checkpoints are still analysed): check that the trainer writes it completely (atomic rename) in a supported format, and that the disk is not full."),
    CurvatureUnavailable(Family.INFRASTRUCTURE, "Tier 2 (curvature) fails on this rank; tier 1 still reports. The message says what failed: for a memory refusal, raise the sidecar's memory limit (spec.sidecar.resources) or set spec.metrics.modelParameters and subsetParameters to the counts it names; for an ONNX import or batch error, re-export the model or fix the eval batch (input names, shapes, target) to match the checkpoint.");

    /** Which condition a finding counts against. */
    public enum Family { TRAINING, WORKERS, INFRASTRUCTURE }

    private final Family family;
    private final String remedy;

    Reason(Family family, String remedy) {
        this.family = family;
        this.remedy = remedy;
    }

    public Family family() {
        return family;
    }

    public String remedy() {
        return remedy;
    }

    /** Metric anomalies that, followed by an infrastructure failure on the same rank, make an InstabilityBeforeFailure. */
    public static final Set<Reason> ANOMALIES = EnumSet.of(NonFiniteValues, EdgeOfStability, GradientSpike, LossSpike, UpdateOscillation);

    /** Infrastructure failures that can follow an anomaly. */
    public static final Set<Reason> FAILURES = EnumSet.of(OOMKilled, ErrorExit);

    /**
     * Findings the sidecar raises from one rank's own history that the operator correlates. {@code UnreadableCheckpoint}
     * is the sidecar's note about its own input (in {@code analyze} output and the report) and is not among them;
     * {@code CurvatureUnavailable} is: a configured tier 2 that does not run is a rank that is not watched as asked,
     * which on-call must learn from the operator, not from the sidecar's log.
     */
    public static final Set<Reason> FROM_SIDECAR = EnumSet.of(NonFiniteValues, EdgeOfStability, GradientSpike, LossSpike, UpdateOscillation, Plateau, ClassLossDrift, CurvatureUnavailable);

    /** The reason named by {@code name}, if the product knows it. */
    public static Optional<Reason> of(String name) {
        try {
            return Optional.of(valueOf(name));
        } catch (IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }
}
