package dev.landscape.probe.metrics;

/**
 * The largest sharpness an optimizer step tolerates on a quadratic, written once for tier 1
 * ({@link OptimizerSetup#stabilityThreshold}) and tier 2 ({@code curvature/EdgeOfStability}). Gradient descent is
 * stable along an eigenvector iff {@code λ < 2/η} (Cohen et al. 2021, "Gradient descent on neural networks typically
 * occurs at the edge of stability"); heavy ball with momentum {@code μ} iff {@code λ < 2(1+μ)/η}; Adam, viewed as
 * heavy ball on the preconditioned problem with step {@code η(1−β1)}, momentum {@code β1} and a frozen
 * preconditioner {@code P = diag(√v̂ + ε)}, iff {@code λ(P⁻¹H) < (2 + 2β1)/((1 − β1) η)}, {@code 38/η} at
 * {@code β1 = 0.9} (Cohen et al. 2022, "Adaptive gradient methods at the edge of stability"). Pure arithmetic: an
 * unknown ({@code NaN}) input gives {@code NaN}.
 */
public final class StabilityLimit {

    private StabilityLimit() {
    }

    /** {@code 2/η}. */
    public static double sgd(double learningRate) {
        return 2 / learningRate;
    }

    /** {@code 2(1+μ)/η}. */
    public static double momentum(double learningRate, double momentum) {
        return 2 * (1 + momentum) / learningRate;
    }

    /** {@code (2 + 2β1)/((1 − β1) η)}, for the preconditioned sharpness {@code λmax(P⁻¹H)}. */
    public static double adam(double learningRate, double beta1) {
        return (2 + 2 * beta1) / ((1 - beta1) * learningRate);
    }
}
