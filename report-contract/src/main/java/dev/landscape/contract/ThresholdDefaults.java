package dev.landscape.contract;

/**
 * The defaults of a LandscapeProbe's {@code spec.thresholds}, written once. The CRD's {@code @Default} annotations
 * name these constants (so {@code kubectl explain} and the schema show them), the sidecar's detector thresholds
 * start from them, and the operator's correlation reads the schema defaults, which are these. Values are the
 * spec's decimal or duration strings (Kubernetes API conventions avoid floats in specs); each constant is named
 * after its {@code spec.thresholds} field.
 */
public final class ThresholdDefaults {

    /** EdgeOfStability warns when sharpness / stability threshold reaches this ratio. */
    public static final String EDGE_OF_STABILITY_WARNING = "1";
    /** EdgeOfStability turns critical at this ratio. */
    public static final String EDGE_OF_STABILITY_CRITICAL = "2";
    /** Consecutive checkpoints above the ratio before EdgeOfStability is raised. */
    public static final String EDGE_OF_STABILITY_CHECKPOINTS = "2";
    /** Robust z-score of a GradientSpike or LossSpike (the logarithm against its Theil-Sen trend, in Qn scales of the residuals). */
    public static final String SPIKE_Z_SCORE = "6";
    /** Checkpoints in the window of the spike detectors (trend and scale). */
    public static final String SPIKE_WINDOW = "20";
    /**
     * Cosine between consecutive updates at or below which an update counts as oscillating (provided its cosine with
     * the update two before is at least the negative of this: the sidecar's UpdateOscillation rule).
     */
    public static final String UPDATE_OSCILLATION_COSINE = "-0.5";
    /** Consecutive oscillating updates that make an UpdateOscillation. */
    public static final String UPDATE_OSCILLATION_CHECKPOINTS = "3";
    /** Relative loss change at or below which training counts as on a Plateau. */
    public static final String PLATEAU_RELATIVE_CHANGE = "1e-4";
    /** Checkpoints over which the Plateau change is measured. */
    public static final String PLATEAU_CHECKPOINTS = "10";
    /** Replicated-tensor sketch distance across ranks, relative to its norm, that makes WorkerDivergence. */
    public static final String DIVERGENCE = "1e-3";
    /** Checkpoint intervals between ranks' latest steps that make StepSkew. */
    public static final String STEP_SKEW_INTERVALS = "2";
    /** Observed checkpoint intervals without a fresh checkpoint, pods running, that make StaleCheckpoints. */
    public static final String STALE_INTERVALS = "3";
    /** Restarts of one rank within {@link #RESTART_LOOP_WINDOW} that make a RestartLoop. */
    public static final String RESTART_LOOP_RESTARTS = "3";
    /** Window of the RestartLoop count. */
    public static final String RESTART_LOOP_WINDOW = "30m";
    /** How long after a metric anomaly an infrastructure failure on the same rank is joined to it. */
    public static final String INSTABILITY_WINDOW = "30m";

    private ThresholdDefaults() {
    }
}
