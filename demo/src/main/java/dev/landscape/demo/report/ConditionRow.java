package dev.landscape.demo.report;

import java.util.Objects;

/**
 * One status condition of the LandscapeProbe as the report shows it.
 *
 * @param type    {@code Ready}, {@code TrainingStable}, {@code WorkersInSync}, {@code InfrastructureHealthy}
 * @param status  {@code True}, {@code False} or {@code Unknown}
 * @param reason  one CamelCase word
 * @param message the sentence naming rank, pod and step
 */
public record ConditionRow(String type, String status, String reason, String message) {
    public ConditionRow {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        reason = reason == null ? "" : reason;
        message = message == null ? "" : message;
    }
}
