package dev.landscape.probe.curvature.linalg;

/**
 * The training loss on one fixed batch as a function of the flattened parameter vector. Implemented over a SameDiff
 * graph by {@link SameDiffLoss}; tests implement it in closed form.
 */
public interface DifferentiableLoss {

    /** Number of parameters. */
    int dimension();

    /** Loss at {@code w} (forward pass only). */
    double loss(double[] w);

    /** Loss at {@code w}; writes the gradient into {@code grad}. */
    double lossAndGradient(double[] w, double[] grad);

    /** Loss and gradient at {@code w0 + t v}; implementations may avoid forming that point as a vector. */
    default double lossAndGradientAlong(double[] w0, double t, double[] v, double[] grad) {
        double[] w = new double[w0.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = w0[i] + t * v[i];
        }
        return lossAndGradient(w, grad);
    }
}
