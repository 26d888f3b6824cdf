package dev.landscape.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The model-free scalars of one checkpoint (the sidecar's tier 1; derivations in its metrics package). Every
 * value may be absent: the first checkpoint has no update, SGD checkpoints have no Adam moments, a checkpoint
 * without a trainer log has no loss.
 *
 * @param paramNorm       ‖θ‖ over finite model elements
 * @param nonFinite       NaN/±Inf count over weights and optimizer state
 * @param updateNorm      ‖θ_t − θ_{t−1}‖
 * @param relativeUpdate  updateNorm / ‖θ_{t−1}‖
 * @param updateCosine    cosine between this update and the previous one
 * @param gradNormProxy   ‖m̂‖, the bias-corrected Adam first moment (a smoothed gradient norm)
 * @param fisherTrace     Σ v̂, the bias-corrected second moment (empirical Fisher trace)
 * @param secantCurvature curvature along the update direction from consecutive checkpoints
 * @param sharpness       the sharpness estimate compared with the edge-of-stability threshold
 * @param eosRatio        sharpness / threshold (≥ 1: at or past the edge of stability)
 * @param loss            training loss logged by the trainer at or before this step
 * @param gradNorm        gradient norm logged by the trainer
 * @param learningRate    learning rate in force
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Tier1Summary(
        Double paramNorm,
        Long nonFinite,
        Double updateNorm,
        Double relativeUpdate,
        Double updateCosine,
        Double gradNormProxy,
        Double fisherTrace,
        Double secantCurvature,
        Double sharpness,
        Double eosRatio,
        Double loss,
        Double gradNorm,
        Double learningRate) {
}
