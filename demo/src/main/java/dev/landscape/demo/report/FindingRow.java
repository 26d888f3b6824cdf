package dev.landscape.demo.report;

import dev.landscape.contract.Severity;
import java.time.Instant;
import java.util.Objects;

/**
 * One finding in the findings table.
 *
 * @param reason   CamelCase reason, e.g. {@code InstabilityBeforeFailure}
 * @param severity its severity
 * @param rank     the rank it is about, or {@code null} for a job-wide finding (StepSkew, WorkerDivergence)
 * @param pod      the pod it is about; empty for a job-wide finding
 * @param step     the step it was raised at, or {@code null} when it is not tied to one
 * @param since    when it was first raised, or {@code null} when unknown
 * @param message  the sentence naming rank, pod, step and values
 * @param remedy   what usually fixes it; empty when there is no advice
 */
public record FindingRow(String reason, Severity severity, Integer rank, String pod, Long step, Instant since,
                         String message, String remedy) {
    public FindingRow {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(severity, "severity");
        pod = pod == null ? "" : pod;
        message = message == null ? "" : message;
        remedy = remedy == null ? "" : remedy;
    }
}
