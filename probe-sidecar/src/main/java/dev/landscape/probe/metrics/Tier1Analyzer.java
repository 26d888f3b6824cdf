package dev.landscape.probe.metrics;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.OptimizerHints;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tier-1 metrics of a sequence of checkpoints, fed in step order, one streaming pass each ({@link Tier1Pass}): the
 * current checkpoint {@code t} is read side by side with {@code t−1}. Between checkpoints only scalars and three
 * sketches are kept: of the last update, of the last recovered gradient and of its preconditioned form
 * (3 × {@code directionWidth} doubles, 1.5 MiB at the default 2^16).
 *
 * <p><b>Why sketches for the quantities that span three checkpoints.</b> The cosine between consecutive updates
 * {@code ⟨Δθ_t, Δθ_{t−1}⟩} and the secant curvature need {@code θ_{t−2}} while {@code t} is read. Keeping
 * {@code t−2} open would triple the reads and, in a pod, pin a checkpoint the trainer's rotation
 * ({@code save_total_limit}) has already deleted; storing {@code Δθ_{t−1}} whole would make memory grow with the
 * model. Instead the pass keeps a CountSketch {@code S(Δθ_{t−1})} (linear, one hash per element) plus the exact
 * scalars {@code ‖Δθ_{t−1}‖²}, {@code ⟨ḡ_{t−1}, Δθ_{t−1}⟩} and {@code Σ P Δθ_{t−1}²}, and estimates only the one
 * cross term {@code ⟨x_t, Δθ_{t−1}⟩ ≈ cos(S x_t, S Δθ_{t−1})·‖x_t‖·‖Δθ_{t−1}‖} with exact norms. Its error is the
 * sketch cosine's, standard deviation ≈ {@code (1 − cos²)/√W} ≤ 0.004 at W = 2^16: exact in the oscillating limit
 * {@code cos → −1} that matters, and exact whenever the model has far fewer parameters than W (no collisions).
 *
 * <p><b>Update.</b> {@code ‖Δθ_t‖}, relative update {@code ‖Δθ_t‖/‖θ_{t−1}‖} (per tensor and layer too) and the
 * update cosine. Consecutive updates pointing against each other (cosine near −1) is the signature of the
 * period-two oscillation that gradient descent shows along its sharpest direction past {@code 2/η}.
 *
 * <p><b>Adam moments.</b> {@code ‖m/(1 − β1^n)‖}, the bias-corrected first moment, is Adam's running gradient
 * estimate; {@code Σ v/(1 − β2^n)} estimates {@code E[Σ g_i²]}, the trace of the (diagonal) empirical Fisher, an
 * upper bound on the squared mean gradient that is often used as a cheap curvature proxy (it is not the Hessian:
 * they agree only near a well-specified optimum). Per layer also its share of the trace and {@code ‖m̂‖²/Σv̂}.
 *
 * <p><b>Secant curvature.</b> With the gradient recovered from the optimizer state ({@link
 * OptimizerSetup#gradientWeights}), {@code ḡ_t} at {@code k = 1} is the gradient evaluated at {@code θ_{t−1}}
 * (PyTorch steps use the gradient of the current weights, then move), so by the mean-value theorem
 * {@code ḡ_t − ḡ_{t−1} = H̄·Δθ_{t−1}} with {@code H̄} the Hessian averaged over the segment, and
 * {@code s = ⟨ḡ_t − ḡ_{t−1}, Δθ_{t−1}⟩ / ‖Δθ_{t−1}‖²} is the Rayleigh quotient of {@code H̄} along the last update:
 * exact on a quadratic, and equal to {@code λ_max} once the iterate oscillates along the top eigenvector — the
 * direction gradient descent at the edge of stability moves along (Cohen et al. 2021). Over the Adam metric
 * {@code Σ (√v̂+ε)·Δθ²} instead it is the Rayleigh quotient of the pencil {@code (H, P)}, whose maximum is
 * {@code λ_max(P⁻¹H)}, the preconditioned sharpness of Cohen et al. 2022. For plain SGD the recovered gradient is
 * {@code −Δθ/(ηk)} and the formula reduces to {@code s = (1 − ⟨Δθ_t, Δθ_{t−1}⟩/‖Δθ_{t−1}‖²)/η}.
 * Failure modes: it is a lower bound on {@code λ_max} (a Rayleigh quotient) and only along the update; with
 * {@code k > 1} steps between checkpoints the recovered gradient is an average over the interval, and with an
 * even {@code k} a period-two oscillation averages out entirely, so sparse checkpoints under-read sharpness;
 * stochastic gradients add {@code ⟨noise_t − noise_{t−1}, Δθ⟩/‖Δθ‖²}, large when updates are tiny; changing the
 * learning rate or the batch between checkpoints breaks the recovery; gradient clipping rescales {@code ḡ}; a
 * negative value means the loss is locally concave along the update.
 *
 * <p><b>Gradient-difference bound.</b> {@code ‖ḡ_t − ḡ_{t−1}‖ / ‖Δθ_{t−1}‖ = ‖H̄Δθ‖/‖Δθ‖} lies between the secant (the
 * Rayleigh quotient along the update; Cauchy–Schwarz) and {@code λmax} (for positive semi-definite {@code H̄}):
 * where the secant averages the eigenvalues with the update's energy in each direction as weights, the bound
 * averages their squares, so the top direction weighs more and the estimate sits closer to {@code λmax} before an
 * oscillation has taken over the update. Its preconditioned form {@code ‖P^-½Δg‖ / ‖P^½Δθ‖} bounds
 * {@code λmax(P⁻¹H)} the same way, with {@code P_t} on {@code ḡ_t} and {@code P_{t−1}} on {@code ḡ_{t−1}} and the
 * update (exact while Adam's second moment changes slowly, as β2 ≥ 0.95 makes it). Both come from the sketches
 * {@code S(ḡ)} and {@code S(ḡ/√P)} of consecutive passes ({@code ‖S(a) − S(b)‖ = ‖S(a − b)‖}, linearity), so they
 * cost one more sketch per pass and two kept between checkpoints. Gradient noise adds {@code ‖ξ_t − ξ_{t−1}‖} to the
 * numerator: on updates that are pure noise the bound reads {@code √2/η}, 0.71 of the SGD threshold, so it is a
 * lower bound only where the gradient's signal dominates its noise. The stability ratio uses the larger of the
 * secant and the bound.
 *
 * <p><b>Trajectory fit</b> ({@link TrajectoryRegression}; SGD and heavy ball, one optimizer step between
 * checkpoints). The secant and the bound difference two checkpoints, so both share one minibatch's noise in
 * {@code Δg} and {@code Δθ}; the fit regresses the recovered gradients' levels on the weights' levels over the last
 * 32 checkpoints, in the top three principal directions of those gradients, from the same two sketches folded to
 * 1,024 buckets.
 * It reads the curvature itself, with a standard error, rather than a noise-inflated lower bound: on the tier-1 ground
 * truth (bench/results/tier1-signals.md) SGD at the exact crossing reads 0.96 ± 0.09 (standard error 0.08), clean
 * noisy SGD 0.47 where the bound reads 0.77. It is reported beside the stability ratio
 * ({@link Tier1Metrics#trajectorySharpness}) and judged by its own rule, not folded into the ratio. Not for Adam:
 * the fit gives {@code H}'s curvature, and {@code P⁻¹H}'s top direction lies outside the few directions the updates
 * span (the results page has the measurement).
 *
 * <p>Training-log figures (loss, logged grad norm, learning rate) are copied from the checkpoint's
 * {@code TrainingLog}.
 */
public final class Tier1Analyzer {

    public static final int DEFAULT_FINGERPRINT_WIDTH = 256;
    public static final int DEFAULT_DIRECTION_WIDTH = 1 << 16;

    private final OptimizerHints overrides;
    private final int fingerprintWidth;
    private final int directionWidth;
    private Previous previous;
    private final TrajectoryRegression trajectory = new TrajectoryRegression();

    /** What is kept of checkpoint {@code t−1} once its pass is done. */
    private record Previous(Path path, long step, double stepCount, CountSketch updateSketch, double updateSq,
                            double gradDotUpdate, double preconditionedUpdateSq, CountSketch gradientSketch,
                            CountSketch preconditionedGradientSketch) {
    }

    public Tier1Analyzer(OptimizerHints overrides) {
        this(overrides, DEFAULT_FINGERPRINT_WIDTH, DEFAULT_DIRECTION_WIDTH);
    }

    public Tier1Analyzer(OptimizerHints overrides, int fingerprintWidth, int directionWidth) {
        this.overrides = overrides;
        this.fingerprintWidth = fingerprintWidth;
        this.directionWidth = directionWidth;
    }

    /**
     * Analyses {@code current} (at {@code step}) against {@code prior}, the checkpoint analysed just before it (or
     * {@code null} for the first of a run). Both stay open and owned by the caller.
     */
    public Tier1Metrics analyze(Checkpoint current, long step, Checkpoint prior) throws IOException {
        OptimizerSetup opt = OptimizerSetup.resolve(current, overrides);
        Previous last = prior != null && previous != null && previous.path.equals(prior.path()) ? previous : null;
        long k = -1;
        if (prior != null && last != null) {
            k = Double.isFinite(opt.stepCount()) && Double.isFinite(last.stepCount)
                    ? (long) (opt.stepCount() - last.stepCount) : step - last.step;
        } else if (prior != null) {
            k = prior.step().isPresent() ? step - prior.step().getAsLong() : -1;
            OptimizerSetup before = OptimizerSetup.resolve(prior, overrides);
            if (Double.isFinite(opt.stepCount()) && Double.isFinite(before.stepCount())) {
                k = (long) (opt.stepCount() - before.stepCount());
            }
        }
        Tier1Pass.Result r = new Tier1Pass(opt, fingerprintWidth, directionWidth).run(current, prior, k);

        TensorSums total = new TensorSums();
        Map<String, TensorSums> layerSums = new LinkedHashMap<>();
        r.tensors.forEach((name, sums) -> {
            total.merge(sums);
            layerSums.computeIfAbsent(layerOf(name), x -> new TensorSums()).merge(sums);
        });
        double totalFisher = total.hasFisher ? total.fisher : Double.NaN;
        Map<String, GroupMetrics> tensors = new LinkedHashMap<>();
        r.tensors.forEach((name, sums) -> tensors.put(name, sums.toMetrics(totalFisher)));
        Map<String, GroupMetrics> layers = new LinkedHashMap<>();
        layerSums.forEach((name, sums) -> layers.put(name, sums.toMetrics(totalFisher)));
        GroupMetrics all = total.toMetrics(totalFisher);

        double cosine = Double.NaN;
        double secant = Double.NaN;
        double preconditioned = Double.NaN;
        if (last != null && r.hasUpdate && last.updateSq > 0) {
            cosine = r.updateSketch.cosine(last.updateSketch);
            if (r.hasGradient && Double.isFinite(last.gradDotUpdate)) {
                double cross = r.gradientSketch.cosine(last.updateSketch) * Math.sqrt(r.gradSq * last.updateSq);
                double numerator = (r.gradSq == 0 ? 0 : cross) - last.gradDotUpdate;
                secant = numerator / last.updateSq;
                if (last.preconditionedUpdateSq > 0) {
                    preconditioned = numerator / last.preconditionedUpdateSq;
                }
            }
        }
        double bound = Double.NaN;
        double preconditionedBound = Double.NaN;
        if (last != null && r.hasGradient && last.gradientSketch != null && last.updateSq > 0) {
            bound = r.gradientSketch.distance(last.gradientSketch) / Math.sqrt(last.updateSq);
            if (r.hasPreconditioner && last.preconditionedGradientSketch != null && last.preconditionedUpdateSq > 0) {
                preconditionedBound = r.preconditionedGradientSketch.distance(last.preconditionedGradientSketch)
                        / Math.sqrt(last.preconditionedUpdateSq);
            }
        }
        TrajectoryRegression.Estimate fit = null;
        boolean plainOrHeavyBall = opt.kind() == OptimizerSetup.Kind.SGD || opt.kind() == OptimizerSetup.Kind.MOMENTUM;
        if (last != null && k == 1 && plainOrHeavyBall && r.hasUpdate && r.hasGradient && r.nonFinite == 0) {
            trajectory.add(r.updateSketch, r.gradientSketch);
            fit = trajectory.estimate();
        } else {
            trajectory.reset();
        }
        double threshold = opt.stabilityThreshold();
        double sharpness = opt.kind() == OptimizerSetup.Kind.ADAM ? atLeast(preconditioned, preconditionedBound)
                : atLeast(secant, bound);
        double ratio = sharpness / threshold;

        previous = new Previous(current.path(), step, opt.stepCount(), r.updateSketch,
                r.hasUpdate ? total.updateSq : 0,
                r.hasGradient ? r.gradDotUpdate : Double.NaN,
                r.hasPreconditioner ? r.preconditionedUpdateSq : Double.NaN,
                r.hasGradient ? r.gradientSketch : null,
                r.hasGradient && r.hasPreconditioner ? r.preconditionedGradientSketch : null);

        return new Tier1Metrics(step, opt.kind().label(), opt.learningRate(), prior == null ? -1 : k,
                all.parameterNorm(), r.nonFinite, r.nonFiniteTensors,
                all.updateNorm(), all.relativeUpdate(), cosine,
                r.hasGradient ? Math.sqrt(r.gradSq) : Double.NaN, all.firstMomentNorm(), all.fisherTrace(),
                secant, preconditioned, bound, preconditionedBound,
                fit == null ? Double.NaN : fit.sharpness(), fit == null ? Double.NaN : fit.standardError(), threshold, ratio,
                current.log().latestLoss(), current.log().latestGradNorm(),
                layers, tensors, r.fingerprints, false, null);
    }

    /** The larger of two estimates of one sharpness, either of which may be missing ({@code NaN}). */
    private static double atLeast(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }

    /** Layer group of a tensor: its name up to the last {@code .} ({@code model.fc1.weight} → {@code model.fc1}). */
    public static String layerOf(String tensor) {
        int dot = tensor.lastIndexOf('.');
        return dot > 0 ? tensor.substring(0, dot) : tensor;
    }
}
