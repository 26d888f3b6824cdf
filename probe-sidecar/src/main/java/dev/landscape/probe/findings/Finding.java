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

    /** This finding carried to a later checkpoint at which its condition was not met (hysteresis hold). */
    Finding heldAt(long laterStep, int cleanSoFar, int clearAfter) {
        return new Finding(reason, severity, laterStep, since, values, message + " Not seen at step " + laterStep
                + " (" + cleanSoFar + " of " + clearAfter + " clean checkpoints needed to clear).");
    }
}
