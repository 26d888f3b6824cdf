package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.landscape.contract.ThresholdDefaults;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * When findings are raised. The defaults are {@link ThresholdDefaults} (report-contract, which the sidecar reads
 * too) and sit in the schema, so {@code kubectl explain} shows them; decimal values are strings (Kubernetes API
 * conventions avoid floats in specs).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "double(self.edgeOfStabilityCritical) >= double(self.edgeOfStabilityWarning)",
        message = "thresholds.edgeOfStabilityCritical must not be below edgeOfStabilityWarning")
public class ThresholdsSpec {

    @Default(ThresholdDefaults.EDGE_OF_STABILITY_WARNING)
    @Pattern(Patterns.DECIMAL)
    @ValidationRule(value = "double(self) > 0.0", message = "must be positive")
    @JsonPropertyDescription("EdgeOfStability warning when sharpness / stability threshold reaches this ratio.")
    private String edgeOfStabilityWarning;

    @Default(ThresholdDefaults.EDGE_OF_STABILITY_CRITICAL)
    @Pattern(Patterns.DECIMAL)
    @ValidationRule(value = "double(self) > 0.0", message = "must be positive")
    @JsonPropertyDescription("EdgeOfStability becomes critical at this ratio.")
    private String edgeOfStabilityCritical;

    @Default(ThresholdDefaults.EDGE_OF_STABILITY_CHECKPOINTS)
    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Consecutive checkpoints above the ratio before EdgeOfStability is raised.")
    private Integer edgeOfStabilityCheckpoints;

    @Default(ThresholdDefaults.SPIKE_Z_SCORE)
    @Pattern(Patterns.DECIMAL)
    @ValidationRule(value = "double(self) > 0.0", message = "must be positive")
    @JsonPropertyDescription("Robust z-score that makes a GradientSpike or LossSpike: the logarithm against its Theil-Sen trend, in units of the Qn scale of the residuals.")
    private String spikeZScore;

    @Default(ThresholdDefaults.SPIKE_WINDOW)
    @Min(5)
    @Max(1000)
    @JsonPropertyDescription("Checkpoints in the window of the spike detectors (trend and scale).")
    private Integer spikeWindow;

    @Default(ThresholdDefaults.UPDATE_OSCILLATION_COSINE)
    @Pattern(Patterns.DECIMAL)
    @ValidationRule(value = "double(self) >= -1.0 && double(self) <= 1.0", message = "must lie in [-1, 1] (a cosine)")
    @JsonPropertyDescription("Cosine between consecutive updates at or below which an update counts as oscillating, when its cosine"
            + " with the update two before is at least the negative of this (the period-two return).")
    private String updateOscillationCosine;

    @Default(ThresholdDefaults.UPDATE_OSCILLATION_CHECKPOINTS)
    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Consecutive oscillating updates that make an UpdateOscillation.")
    private Integer updateOscillationCheckpoints;

    @Default(ThresholdDefaults.PLATEAU_RELATIVE_CHANGE)
    @Pattern(Patterns.DECIMAL)
    @ValidationRule(value = "double(self) >= 0.0", message = "must not be negative")
    @JsonPropertyDescription("Relative loss change at or below which training counts as on a Plateau.")
    private String plateauRelativeChange;

    @Default(ThresholdDefaults.PLATEAU_CHECKPOINTS)
    @Min(2)
    @Max(1000)
    @JsonPropertyDescription("Checkpoints over which the Plateau change is measured.")
    private Integer plateauCheckpoints;

    @Default(ThresholdDefaults.DIVERGENCE)
    @Pattern(Patterns.DECIMAL)
    @ValidationRule(value = "double(self) > 0.0", message = "must be positive")
    @JsonPropertyDescription("WorkerDivergence when a replicated tensor's sketch distance across ranks, relative to its norm, reaches this.")
    private String divergence;

    @Default(ThresholdDefaults.STEP_SKEW_INTERVALS)
    @Pattern(Patterns.DECIMAL)
    @ValidationRule(value = "double(self) > 0.0", message = "must be positive")
    @JsonPropertyDescription("StepSkew when ranks' latest steps differ by this many checkpoint intervals.")
    private String stepSkewIntervals;

    @Default(ThresholdDefaults.STALE_INTERVALS)
    @Pattern(Patterns.DECIMAL)
    @ValidationRule(value = "double(self) > 0.0", message = "must be positive")
    @JsonPropertyDescription("StaleCheckpoints when no fresh checkpoint arrives for this many observed intervals while pods run.")
    private String staleIntervals;

    @Default(ThresholdDefaults.RESTART_LOOP_RESTARTS)
    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Restarts of one rank within restartLoopWindow that make a RestartLoop.")
    private Integer restartLoopRestarts;

    @Default(ThresholdDefaults.RESTART_LOOP_WINDOW)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("Window of the RestartLoop count.")
    private String restartLoopWindow;

    @Default(ThresholdDefaults.INSTABILITY_WINDOW)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("How long after a metric anomaly an infrastructure failure on the same rank is joined to it (InstabilityBeforeFailure).")
    private String instabilityWindow;

    public String getEdgeOfStabilityWarning() {
        return edgeOfStabilityWarning;
    }

    public void setEdgeOfStabilityWarning(String edgeOfStabilityWarning) {
        this.edgeOfStabilityWarning = edgeOfStabilityWarning;
    }

    public String getEdgeOfStabilityCritical() {
        return edgeOfStabilityCritical;
    }

    public void setEdgeOfStabilityCritical(String edgeOfStabilityCritical) {
        this.edgeOfStabilityCritical = edgeOfStabilityCritical;
    }

    public Integer getEdgeOfStabilityCheckpoints() {
        return edgeOfStabilityCheckpoints;
    }

    public void setEdgeOfStabilityCheckpoints(Integer edgeOfStabilityCheckpoints) {
        this.edgeOfStabilityCheckpoints = edgeOfStabilityCheckpoints;
    }

    public String getSpikeZScore() {
        return spikeZScore;
    }

    public void setSpikeZScore(String spikeZScore) {
        this.spikeZScore = spikeZScore;
    }

    public Integer getSpikeWindow() {
        return spikeWindow;
    }

    public void setSpikeWindow(Integer spikeWindow) {
        this.spikeWindow = spikeWindow;
    }

    public String getUpdateOscillationCosine() {
        return updateOscillationCosine;
    }

    public void setUpdateOscillationCosine(String updateOscillationCosine) {
        this.updateOscillationCosine = updateOscillationCosine;
    }

    public Integer getUpdateOscillationCheckpoints() {
        return updateOscillationCheckpoints;
    }

    public void setUpdateOscillationCheckpoints(Integer updateOscillationCheckpoints) {
        this.updateOscillationCheckpoints = updateOscillationCheckpoints;
    }

    public String getPlateauRelativeChange() {
        return plateauRelativeChange;
    }

    public void setPlateauRelativeChange(String plateauRelativeChange) {
        this.plateauRelativeChange = plateauRelativeChange;
    }

    public Integer getPlateauCheckpoints() {
        return plateauCheckpoints;
    }

    public void setPlateauCheckpoints(Integer plateauCheckpoints) {
        this.plateauCheckpoints = plateauCheckpoints;
    }

    public String getDivergence() {
        return divergence;
    }

    public void setDivergence(String divergence) {
        this.divergence = divergence;
    }

    public String getStepSkewIntervals() {
        return stepSkewIntervals;
    }

    public void setStepSkewIntervals(String stepSkewIntervals) {
        this.stepSkewIntervals = stepSkewIntervals;
    }

    public String getStaleIntervals() {
        return staleIntervals;
    }

    public void setStaleIntervals(String staleIntervals) {
        this.staleIntervals = staleIntervals;
    }

    public Integer getRestartLoopRestarts() {
        return restartLoopRestarts;
    }

    public void setRestartLoopRestarts(Integer restartLoopRestarts) {
        this.restartLoopRestarts = restartLoopRestarts;
    }

    public String getRestartLoopWindow() {
        return restartLoopWindow;
    }

    public void setRestartLoopWindow(String restartLoopWindow) {
        this.restartLoopWindow = restartLoopWindow;
    }

    public String getInstabilityWindow() {
        return instabilityWindow;
    }

    public void setInstabilityWindow(String instabilityWindow) {
        this.instabilityWindow = instabilityWindow;
    }
}
