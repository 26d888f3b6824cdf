package dev.landscape.demo.report;

import java.util.Objects;

/**
 * How well one scripted fault was caught: the demo knows the ground truth, the operator does not.
 *
 * @param fault          the fault's label, e.g. {@code lr spike x50}
 * @param rank           the rank it was injected on
 * @param expectedReason the finding reason that should report it
 * @param detected       whether that finding was raised for that rank
 * @param leadTimeSteps  steps between the finding and what it preceded (a later finding or a failure; negative
 *                       when it came after), or {@code null} when not detected or when nothing follows it
 * @param falseAlarms    findings on this rank that no fault explains (premature, late, unexpected)
 */
public record DetectionRow(String fault, int rank, String expectedReason, boolean detected, Long leadTimeSteps,
                           int falseAlarms) {
    public DetectionRow {
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(expectedReason, "expectedReason");
        if (falseAlarms < 0) {
            throw new IllegalArgumentException("falseAlarms must be >= 0, was " + falseAlarms);
        }
    }
}
