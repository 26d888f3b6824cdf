package dev.landscape.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Curvature on the evaluation batch at the checkpoint's weights (the sidecar's tier 2).
 *
 * @param loss                    loss on the evaluation batch
 * @param gradNorm                ‖∇L‖ on the batch
 * @param eigenvalues             top Hessian eigenvalues, descending (Lanczos)
 * @param trace                   Hutchinson trace estimate
 * @param traceCi95               half-width of its 95% confidence interval
 * @param preconditionedSharpness λmax(P⁻¹H) with P from Adam's second moment
 * @param eosRatio                sharpness / edge-of-stability threshold
 * @param hvpCount                Hessian-vector products spent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Tier2Metrics(
        Double loss,
        Double gradNorm,
        List<Double> eigenvalues,
        Double trace,
        Double traceCi95,
        Double preconditionedSharpness,
        Double eosRatio,
        Integer hvpCount) {

    public Tier2Metrics {
        eigenvalues = eigenvalues == null ? List.of() : List.copyOf(eigenvalues);
    }
}
