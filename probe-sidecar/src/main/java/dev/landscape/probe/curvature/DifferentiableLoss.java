package dev.landscape.probe.curvature;

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
}
