package dev.landscape.operator.correlate;

import java.time.Duration;

/**
 * The effective thresholds of one probe (spec values or the schema defaults, which are report-contract's
 * {@code ThresholdDefaults}), already parsed by {@code observe/EffectiveThresholds}.
 *
 * @param divergence          relative sketch distance that makes WorkerDivergence
 * @param stepSkewIntervals   lag, in checkpoint intervals, that makes StepSkew
 * @param staleIntervals      silence, in observed checkpoint intervals, that makes StaleCheckpoints
 * @param restartLoopRestarts restarts within {@code restartLoopWindow} that make a RestartLoop
 * @param restartLoopWindow   window of the restart count; also how long an OOM/exit/eviction stays active
 * @param instabilityWindow   how long after an anomaly a failure on the same rank is joined to it
 */
public record CorrelationThresholds(double divergence, double stepSkewIntervals, double staleIntervals,
                                    int restartLoopRestarts, Duration restartLoopWindow, Duration instabilityWindow) {
}
