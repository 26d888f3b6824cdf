package dev.landscape.probe.curvature;

import java.util.Random;

/**
 * PyHessian's top-eigenvalue method (Yao et al. 2020, {@code hessian.eigenvalues}: power iteration, stop when the
 * Rayleigh quotient changes by less than {@code tol} relative, at most {@code maxIterations} products). Kept as the
 * baseline that {@link Lanczos} is benchmarked against; it converges to the eigenvalue of largest magnitude.
 */
public final class PowerIteration {

    /** @param eigenvalue the last Rayleigh quotient; @param iterations operator applications */
    public record Result(double eigenvalue, int iterations, boolean converged) {
    }

    private PowerIteration() {
    }

    public static Result topEigenvalue(SymmetricOperator op, double tol, int maxIterations, long seed,
                                       Lanczos.Listener listener) {
        int n = op.dimension();
        double[] v = Vectors.gaussian(n, new Random(seed));
        Vectors.scale(1 / Vectors.norm(v), v);
        double[] hv = new double[n];
        double eigenvalue = Double.NaN;
        for (int i = 1; i <= maxIterations; i++) {
            op.apply(v, hv);
            double rayleigh = Vectors.dot(v, hv);
            listener.step(i, new double[] {rayleigh});
            double norm = Vectors.norm(hv);
            if (norm == 0) {
                return new Result(0, i, true);
            }
            for (int k = 0; k < n; k++) {
                v[k] = hv[k] / norm;
            }
            if (!Double.isNaN(eigenvalue) && Math.abs(eigenvalue - rayleigh) / (Math.abs(eigenvalue) + 1e-6) < tol) {
                return new Result(rayleigh, i, true);
            }
            eigenvalue = rayleigh;
        }
        return new Result(eigenvalue, maxIterations, false);
    }
}
