package dev.landscape.probe.metrics;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * Everything tier 1 says about one checkpoint, without a model. {@code NaN} marks a figure that could not be
 * computed (first checkpoint, optimizer hyper-parameter unknown, no Adam state): absent, never zero. How each figure
 * is obtained, and when it misleads, is documented on {@link Tier1Analyzer}.
 *
 * @param step                    training step of the checkpoint
 * @param optimizer               {@code sgd}, {@code momentum}, {@code adam} or {@code unknown}
 * @param learningRate            learning rate in force ({@code NaN} when neither the checkpoint nor the probe says)
 * @param stepsSincePrevious      optimizer steps since the previous checkpoint, {@code -1} for the first
 * @param parameterNorm           {@code ‖θ_t‖} over finite elements of every floating-point model tensor
 * @param nonFinite               NaN/±Inf elements in weights and optimizer state of this checkpoint
 * @param nonFiniteTensors        the tensors holding them, with counts
 * @param updateNorm              {@code ‖θ_t − θ_{t−1}‖}
 * @param relativeUpdate          {@code ‖θ_t − θ_{t−1}‖ / ‖θ_{t−1}‖}
 * @param updateCosine            cosine between this update and the previous one (sketch estimate)
 * @param gradientNorm            norm of the gradient recovered from the optimizer state over the interval
 * @param firstMomentNorm         {@code ‖m / (1 − β1^n)‖}, the bias-corrected first moment (Adam)
 * @param fisherTrace             {@code Σ v / (1 − β2^n)} (Adam), the empirical-Fisher trace
 * @param secantSharpness         {@code ⟨ḡ_t − ḡ_{t−1}, Δθ_{t−1}⟩ / ‖Δθ_{t−1}‖²}: curvature along the last update
 * @param preconditionedSharpness the same over {@code Σ (√v̂ + ε) Δθ²}: curvature of {@code P⁻¹H} (Adam)
 * @param curvatureBound          {@code ‖ḡ_t − ḡ_{t−1}‖ / ‖Δθ_{t−1}‖ = ‖H̄Δθ‖/‖Δθ‖}: a tighter lower bound on
 *                                {@code λmax(H)} than the secant (see {@link Tier1Analyzer})
 * @param preconditionedCurvatureBound {@code ‖P^-½(ḡ_t − ḡ_{t−1})‖ / ‖P^½ Δθ_{t−1}‖}, the same for {@code P⁻¹H}
 * @param trajectorySharpness     {@code λ̂}, the top curvature of a least-squares fit of the recovered gradients on the
 *                                weights over the last checkpoints ({@link TrajectoryRegression}; SGD and heavy ball
 *                                only, {@code NaN} until its window is full)
 * @param trajectorySharpnessError its standard error, from the fit's residuals
 * @param stabilityThreshold      {@code 2/η}, {@code 2(1+μ)/η} or {@code (2+2β1)/((1−β1)η)}
 * @param stabilityRatio          sharpness (preconditioned for Adam; the larger of the secant and the bound) over
 *                                that threshold; ≥ 1 is past the edge
 * @param loss                    loss the trainer logged for this checkpoint (may be NaN: a logged NaN)
 * @param loggedGradNorm          gradient norm the trainer logged (before clipping, as trainers log it)
 * @param layers                  per layer group (tensor name up to its last {@code .})
 * @param tensors                 per model tensor
 * @param fingerprints            per model tensor, a fixed-seed {@link CountSketch} of its weights for cross-rank
 *                                comparison
 * @param measuredSharpness       whether the sharpness and stability ratio are tier 2's Lanczos λmax on the eval
 *                                batch ({@link #withMeasuredSharpness}) rather than the secant along the update
 * @param evalLoss                tier 2's loss on the eval batch, per class ({@link #withEvalLoss}); null without tier 2
 */
public record Tier1Metrics(long step, String optimizer, double learningRate, long stepsSincePrevious,
                           double parameterNorm, long nonFinite, Map<String, Long> nonFiniteTensors,
                           double updateNorm, double relativeUpdate, double updateCosine,
                           double gradientNorm, double firstMomentNorm, double fisherTrace,
                           double secantSharpness, double preconditionedSharpness,
                           double curvatureBound, double preconditionedCurvatureBound,
                           double trajectorySharpness, double trajectorySharpnessError,
                           double stabilityThreshold, double stabilityRatio,
                           OptionalDouble loss, OptionalDouble loggedGradNorm,
                           Map<String, GroupMetrics> layers, Map<String, GroupMetrics> tensors,
                           Map<String, CountSketch> fingerprints, boolean measuredSharpness, EvalLoss evalLoss) {

    public Tier1Metrics {
        nonFiniteTensors = Map.copyOf(nonFiniteTensors);
        layers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(layers));
        tensors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tensors));
        fingerprints = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fingerprints));
    }

    /**
     * These metrics with the sharpness tier 2 measured (λmax of {@code P⁻¹H} for Adam, of {@code H} otherwise, by
     * Lanczos on the eval batch) in place of the secant estimate. The secant sees only the curvature along the last
     * update, a lower bound of λmax that can sit far below the edge while the top direction is already past it;
     * when the model is available the measured value is the one the edge-of-stability rule should judge.
     */
    public Tier1Metrics withMeasuredSharpness(double sharpness, double ratio) {
        boolean adam = optimizer.equals("adam");
        return new Tier1Metrics(step, optimizer, learningRate, stepsSincePrevious, parameterNorm, nonFinite,
                nonFiniteTensors, updateNorm, relativeUpdate, updateCosine, gradientNorm, firstMomentNorm, fisherTrace,
                adam ? secantSharpness : sharpness, adam ? sharpness : preconditionedSharpness, curvatureBound,
                preconditionedCurvatureBound, trajectorySharpness, trajectorySharpnessError, stabilityThreshold, ratio,
                loss, loggedGradNorm, layers, tensors, fingerprints, true, evalLoss);
    }

    /** These metrics with tier 2's loss on the eval batch. */
    public Tier1Metrics withEvalLoss(EvalLoss e) {
        return new Tier1Metrics(step, optimizer, learningRate, stepsSincePrevious, parameterNorm, nonFinite,
                nonFiniteTensors, updateNorm, relativeUpdate, updateCosine, gradientNorm, firstMomentNorm, fisherTrace,
                secantSharpness, preconditionedSharpness, curvatureBound, preconditionedCurvatureBound,
                trajectorySharpness, trajectorySharpnessError, stabilityThreshold,
                stabilityRatio, loss, loggedGradNorm, layers,
                tensors, fingerprints, measuredSharpness, e);
    }

    /** {@code trajectorySharpness} over the stability threshold; {@code NaN} where either is absent. */
    public double trajectoryRatio() {
        return trajectorySharpness / stabilityThreshold;
    }

    /** The standard error of {@link #trajectoryRatio()}. */
    public double trajectoryRatioError() {
        return trajectorySharpnessError / stabilityThreshold;
    }

    /** The gradient norm spikes are judged on: the trainer's own when logged, else the recovered one. */
    public double spikeGradNorm() {
        return loggedGradNorm.isPresent() ? loggedGradNorm.getAsDouble() : gradientNorm;
    }
}
