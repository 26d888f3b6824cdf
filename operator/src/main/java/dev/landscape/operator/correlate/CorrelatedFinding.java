package dev.landscape.operator.correlate;

import dev.landscape.contract.Severity;
import dev.landscape.contract.Reason;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A correlated finding: what, how bad, where (rank, pod, step), since when, the numbers behind it, and a sentence
 * for on-call. Identity for deduplication is (reason, rank, since): the same ongoing problem keeps its identity
 * across reconciles, a new occurrence gets a new one.
 */
public record CorrelatedFinding(Reason reason, Severity severity, OptionalInt rank, String pod, OptionalLong step,
                      Instant since, String message, Map<String, Double> values) {

    public CorrelatedFinding {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(message, "message");
        values = values == null ? Map.of() : Map.copyOf(values);
    }

    public String remedy() {
        return reason.remedy();
    }

    /** Stable identity of one occurrence, for Event deduplication. */
    public String key() {
        return reason + "/" + (rank.isPresent() ? rank.getAsInt() : "job") + "/" + since.getEpochSecond();
    }
}
