package dev.landscape.probe.findings;

import dev.landscape.contract.Reason;
import dev.landscape.contract.Severity;
import java.util.Map;
import java.util.Objects;

/**
 * One thing wrong with a training run at one checkpoint, named by a report-contract {@link Reason}.
 *
 * @param reason   what ({@code NonFiniteValues}, {@code EdgeOfStability}, ...)
 * @param severity how urgent
 * @param step     the checkpoint step this finding is reported at
 * @param since    the step at which the condition was first raised (equal to {@code step} when new)
 * @param values   the numbers that triggered it, by name (ordered)
 * @param message  a sentence naming the step, the tensor or series and the values, and what usually helps
 */
public record Finding(Reason reason, Severity severity, long step, long since, Map<String, Double> values,
                      String message) {

    public Finding {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(severity, "severity");
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
        Objects.requireNonNull(message, "message");
    }

    /**
     * A checkpoint that could not be read or analysed ({@code analyze} and {@code watch} alike): the run goes on
     * without it.
     */
    public static Finding unreadableCheckpoint(java.nio.file.Path path, java.util.OptionalLong step, String error) {
        return new Finding(Reason.UnreadableCheckpoint, Severity.WARNING, step.orElse(-1), step.orElse(-1), Map.of(),
                "Checkpoint " + path + " could not be read and was skipped (later checkpoints are still analysed): "
                        + error);
    }

    /** The most of a failure's own text a finding carries: enough for the memory guard's whole refusal. */
    static final int MAX_ERROR_CHARS = 1000;

    /**
     * Tier 2 failed on a checkpoint that tier 1 still reported: a held condition, raised at every checkpoint while
     * tier 2 keeps failing, with the step of its first failure as {@code since}, and gone at the first checkpoint
     * tier 2 measures again (its own measurement, so no hysteresis). Never an event: one failing model fails on every
     * checkpoint, and on-call is told once.
     *
     * @param error what failed and why (the exception's message), cut to {@link #MAX_ERROR_CHARS}
     */
    public static Finding curvatureUnavailable(java.nio.file.Path path, long step, long since, String error) {
        String why = error.length() <= MAX_ERROR_CHARS ? error : error.substring(0, MAX_ERROR_CHARS - 1) + "…";
        return new Finding(Reason.CurvatureUnavailable, Severity.WARNING, step, since, Map.of(),
                "Tier 2 (curvature) failed on checkpoint " + path + " at step " + step
                        + (since < step ? " (failing since step " + since + ")" : "")
                        + "; tier 1 is still reported: " + why);
    }

    /** This finding carried to a later checkpoint at which its condition was not met (hysteresis hold). */
    Finding heldAt(long laterStep, int cleanSoFar, int clearAfter) {
        return new Finding(reason, severity, laterStep, since, values, message + " Not seen at step " + laterStep
                + " (" + cleanSoFar + " of " + clearAfter + " clean checkpoints needed to clear).");
    }
}
