package dev.landscape.probe.metrics;

/**
 * Tier-1 figures for one tensor or one layer group (tensor names up to their last {@code .}), so that a problem can
 * be pinned to the layer it starts in. {@code NaN} means "not available" (no previous checkpoint, no Adam state).
 *
 * @param parameterNorm   {@code ‖θ_t‖} over finite elements
 * @param updateNorm      {@code ‖θ_t − θ_{t−1}‖}
 * @param relativeUpdate  {@code ‖θ_t − θ_{t−1}‖ / ‖θ_{t−1}‖}: the fraction of the weights rewritten per interval
 * @param firstMomentNorm {@code ‖m / (1 − β1^n)‖}, Adam's bias-corrected first moment, a gradient proxy
 * @param fisherTrace     {@code Σ v / (1 − β2^n)}: the diagonal empirical Fisher's trace (mean squared gradient)
 * @param fisherShare     this group's share of the model's {@code fisherTrace}: where the gradient energy sits
 * @param signalToNoise   {@code ‖m̂‖² / Σ v̂}: with gradients of mean {@code μ} and variance {@code σ²} per
 *                        coordinate it tends to {@code Σμ² / Σ(μ² + σ²)}, the part of the second moment the mean
 *                        gradient explains; near 0 the group is driven by gradient noise
 * @param nonFinite       NaN and ±Inf elements in the group's weights and optimizer state
 */
public record GroupMetrics(double parameterNorm, double updateNorm, double relativeUpdate, double firstMomentNorm,
                           double fisherTrace, double fisherShare, double signalToNoise, long nonFinite) {
}
