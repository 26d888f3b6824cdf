package dev.landscape.probe.curvature.linalg;

import dev.landscape.probe.curvature.linalg.Lanczos;
import dev.landscape.probe.curvature.linalg.SymmetricOperator;
import dev.landscape.probe.curvature.linalg.Vectors;
import java.util.Random;

/**
 * PyHessian's top-eigenvalue method, step for step (Yao et al. 2020, {@code pyhessian/hessian.py},
 * {@code hessian.eigenvalues} with {@code top_n=1}): power iteration on the Rayleigh quotient, stopping when it
 * changes by less than {@code tol} relative to the previous one ({@code |prev - rq| / (|prev| + 1e-6) < tol}) and
 * then returning the <em>previous</em> quotient, as PyHessian does; at most {@code maxIterations} products. Vectors
 * are normalised as PyHessian's {@code normalization} does, by {@code norm + 1e-6}, before and after each product.
 * Kept as the baseline that {@link Lanczos} is benchmarked against; it converges to the eigenvalue of largest
 * magnitude, and its stopping rule measures progress, not error, so on close top eigenvalues it stops early.
 */
public final class PowerIteration {

    /** PyHessian's guard against division by a zero norm, added to every norm it divides by. */
    private static final double NORM_GUARD = 1e-6;

    /** @param eigenvalue the estimate PyHessian returns; @param iterations operator applications */
    public record Result(double eigenvalue, int iterations, boolean converged) {
    }

    private PowerIteration() {
    }

    /**
     * @param listener called after every product with the Rayleigh quotient of that step, so that a benchmark can
     *                 see when the iterate first reaches a given accuracy
     */
    public static Result topEigenvalue(SymmetricOperator op, double tol, int maxIterations, long seed,
                                       Lanczos.Listener listener) {
        int n = op.dimension();
        double[] v = Vectors.gaussian(n, new Random(seed));
        normalize(v);
        double[] hv = new double[n];
        double eigenvalue = Double.NaN;
        for (int i = 1; i <= maxIterations; i++) {
            normalize(v);
            op.apply(v, hv);
            double rayleigh = Vectors.dot(hv, v);
            listener.step(i, new double[] {rayleigh});
            System.arraycopy(hv, 0, v, 0, n);
            normalize(v);
            if (Double.isNaN(eigenvalue)) {
                eigenvalue = rayleigh;
            } else if (Math.abs(eigenvalue - rayleigh) / (Math.abs(eigenvalue) + NORM_GUARD) < tol) {
                return new Result(eigenvalue, i, true);
            } else {
                eigenvalue = rayleigh;
            }
        }
        return new Result(eigenvalue, maxIterations, false);
    }

    private static void normalize(double[] v) {
        Vectors.scale(1 / (Vectors.norm(v) + NORM_GUARD), v);
    }
}
