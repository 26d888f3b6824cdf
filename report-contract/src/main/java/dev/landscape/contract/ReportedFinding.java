package dev.landscape.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * A finding the sidecar raised from its own rank's history (NonFiniteValues, GradientSpike, LossSpike,
 * UpdateOscillation, Plateau, EdgeOfStability). Cross-rank and infrastructure findings are the operator's.
 *
 * @param reason   CamelCase reason
 * @param severity {@code info}, {@code warning} or {@code critical}
 * @param step     the step it was raised at
 * @param message  a sentence naming tensor, step and values
 * @param values   the numbers behind it (e.g. {@code z}, {@code ratio})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReportedFinding(String reason, String severity, Long step, String message, Map<String, Double> values) {

    public ReportedFinding {
        values = values == null ? Map.of() : Map.copyOf(values);
    }
}
