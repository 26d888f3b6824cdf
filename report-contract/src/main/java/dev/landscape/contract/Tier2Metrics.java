package dev.landscape.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
 * @param classLosses             mean loss of each class of the batch, by class index (at most
 *                                {@link ReportValidator#MAX_CLASS_LOSSES} classes; beyond, only the worst class; empty without classes)
 * @param worstClass              the class with the highest mean loss
 * @param lossP95                 95th percentile of the batch's per-example loss
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
        Integer hvpCount,
        Map<String, Double> classLosses,
        Integer worstClass,
        Double lossP95) {

    public Tier2Metrics {
        eigenvalues = eigenvalues == null ? List.of() : List.copyOf(eigenvalues);
        classLosses = classLosses == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(classLosses));
    }

    /** The worst class's mean loss, if reported. */
    public Double worstClassLoss() {
        return worstClass == null ? null : classLosses.get(Integer.toString(worstClass));
    }
}
