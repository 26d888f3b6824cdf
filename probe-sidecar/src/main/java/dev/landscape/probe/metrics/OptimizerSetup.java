package dev.landscape.probe.metrics;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.OptimizerHints;
import dev.landscape.probe.checkpoint.Tensor;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The optimizer behind a checkpoint, resolved once per checkpoint: what the checkpoint says first, then the
 * probe's {@code spec.optimizer} for what it does not say, never a guess. Unknown numbers stay {@code NaN} and the
 * metrics that need them are reported as absent.
 *
 * <p>It answers two questions tier 1 needs:
 * <ul>
 * <li><b>The gradient between two checkpoints</b> ({@link #gradientWeights}): an optimizer's state is a linear
 * recurrence in the gradients, so the gradients of the {@code k} steps since the previous checkpoint can be read
 * back from two consecutive states. Adam: {@code m_t = β1^k m_{t−k} + (1−β1) Σ_j β1^{k−1−j} g_j}, hence
 * {@code ḡ = (m_t − β1^k m_{t−k}) / (1 − β1^k)} is the exponentially weighted mean of those {@code k} gradients
 * (weights sum to one) and, at {@code k = 1}, exactly the gradient of that step. Heavy-ball SGD (PyTorch,
 * dampening 0: {@code b_t = μ b_{t−1} + g_t}): {@code ḡ = (1−μ)(b_t − μ^k b_{t−k}) / (1 − μ^k)}. Plain SGD keeps no
 * state, but {@code θ_t − θ_{t−k} = −η Σ g_j}, so {@code ḡ = −Δθ / (η k)} (exact for constant η; includes weight
 * decay, i.e. the gradient of the regularised loss). The subtraction amplifies storage rounding by
 * {@code 1/(1 − β1) = 10}: exact enough from F32 state, a few percent noisy from BF16 state. Gradient clipping
 * and, for plain SGD, a learning-rate change inside the interval fall
 * outside the recurrence and bias the recovered gradient.</li>
 * <li><b>The edge-of-stability threshold</b> ({@link #stabilityThreshold}): the {@link StabilityLimit} of this
 * optimizer and its hyper-parameters.</li>
 * </ul>
 */
public record OptimizerSetup(Kind kind, double learningRate, double beta1, double beta2, double momentum, double eps,
                             double stepCount) {

    public enum Kind {
        SGD, MOMENTUM, ADAM, UNKNOWN;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param overrides the probe's {@code spec.optimizer} (or CLI flags): used only where the checkpoint is silent
     */
    public static OptimizerSetup resolve(Checkpoint cp, OptimizerHints overrides) {
        OptimizerHints h = cp.optimizer();
        String type = !h.type().isEmpty() ? h.type() : overrides.type();
        double momentum = first(h.momentum(), overrides.momentum());
        Kind kind = switch (type.toLowerCase(Locale.ROOT)) {
            case "adam", "adamw" -> Kind.ADAM;
            case "sgd-momentum" -> Kind.MOMENTUM;
            case "sgd" -> momentum > 0 ? Kind.MOMENTUM : Kind.SGD;
            default -> inferFromState(cp);
        };
        double lr = first(cp.log().latestLearningRate(), first(h.learningRate(), overrides.learningRate()));
        double steps = h.stepCount().isPresent() ? h.stepCount().getAsLong()
                : cp.step().isPresent() ? cp.step().getAsLong() : Double.NaN;
        double eps = first(h.eps(), overrides.eps());
        return new OptimizerSetup(kind, lr, first(h.beta1(), overrides.beta1()), first(h.beta2(), overrides.beta2()),
                momentum, Double.isNaN(eps) ? 0 : eps, steps);
    }

    /** Adam or heavy-ball state in the checkpoint is evidence of the optimizer; its absence is not evidence of SGD. */
    private static Kind inferFromState(Checkpoint cp) {
        for (Tensor t : cp.tensors()) {
            String g = t.info().group();
            if (g.equals("optimizer.exp_avg") || g.equals("optimizer.exp_avg_sq")) {
                return Kind.ADAM;
            }
            if (g.equals("optimizer.momentum_buffer")) {
                return Kind.MOMENTUM;
            }
        }
        return Kind.UNKNOWN;
    }

    private static double first(OptionalDouble a, OptionalDouble b) {
        return a.isPresent() ? a.getAsDouble() : b.isPresent() ? b.getAsDouble() : Double.NaN;
    }

    private static double first(OptionalDouble a, double b) {
        return a.isPresent() ? a.getAsDouble() : b;
    }

    /** {@code 1 − β1^n}, Adam's first-moment bias correction; {@code NaN} when β1 or the step count is unknown. */
    public double firstMomentCorrection() {
        return 1 - Math.pow(beta1, stepCount);
    }

    public double secondMomentCorrection() {
        return 1 - Math.pow(beta2, stepCount);
    }

    /**
     * Weights {@code (a, c)} such that {@code ḡ = a·state_t + c·state_{t−k}} for Adam ({@code exp_avg}) and heavy
     * ball ({@code momentum_buffer}), or {@code ḡ = a·(θ_t − θ_{t−k})} for SGD; {@code null} when the gradient
     * cannot be recovered (unknown optimizer or hyper-parameter, {@code k < 1}).
     */
    public double[] gradientWeights(long k) {
        if (k < 1) {
            return null;
        }
        return switch (kind) {
            case ADAM -> finite(1 / (1 - Math.pow(beta1, k)), -Math.pow(beta1, k) / (1 - Math.pow(beta1, k)));
            case MOMENTUM -> finite((1 - momentum) / (1 - Math.pow(momentum, k)),
                    -(1 - momentum) * Math.pow(momentum, k) / (1 - Math.pow(momentum, k)));
            case SGD -> finite(-1 / (learningRate * k), 0);
            case UNKNOWN -> null;
        };
    }

    private static double[] finite(double a, double c) {
        return Double.isFinite(a) && Double.isFinite(c) ? new double[] {a, c} : null;
    }

    /** Sharpness above which the optimizer's linearised dynamics diverge along that direction (see class doc). */
    public double stabilityThreshold() {
        return switch (kind) {
            case SGD -> StabilityLimit.sgd(learningRate);
            case MOMENTUM -> StabilityLimit.momentum(learningRate, momentum);
            case ADAM -> StabilityLimit.adam(learningRate, beta1);
            case UNKNOWN -> Double.NaN;
        };
    }

    /** The optimizer-state group that holds the recurrence {@link #gradientWeights} reads, or {@code null}. */
    String gradientStateGroup() {
        return switch (kind) {
            case ADAM -> "optimizer.exp_avg";
            case MOMENTUM -> "optimizer.momentum_buffer";
            default -> null;
        };
    }
}
