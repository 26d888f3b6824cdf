package dev.landscape.probe.curvature;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The largest (algebraic) eigenvalues of a symmetric operator by the Lanczos iteration with full
 * reorthogonalisation (Golub and Van Loan, Matrix Computations, 4th ed., sections 10.1 and 10.3.1).
 *
 * <p>After m steps, A Q_m = Q_m T_m + beta_m q_{m+1} e_m^T with T_m tridiagonal. For a Ritz pair (theta, Q_m y) of
 * T_m the residual is exactly ||A Q_m y - theta Q_m y|| = |beta_m| |y_m| (the last component of y), computable
 * without touching A; by Kahan's theorem some eigenvalue of A lies within that residual of theta, and within
 * residual^2 / gap once the pair is isolated. The iteration stops when the k top Ritz residuals are all at most
 * {@code tol * max|theta|} (relative to the spectral scale, so that near-zero eigenvalues among the top k can
 * converge), when beta_m vanishes (an invariant subspace: the Ritz values are exact), or at {@code maxIterations}.
 *
 * <p>Every new vector is Gram-Schmidt-orthogonalised twice against all previous ones ("twice is enough", Giraud et
 * al. 2005), which keeps Q orthonormal to working precision: no ghost copies of converged eigenvalues, at the price
 * of storing the m basis vectors (m * n * 8 bytes) and O(m^2 n) flops, negligible next to m Hessian-vector products.
 *
 * <p>Compared with power iteration (PyHessian, Yao et al. 2020), whose error shrinks like (lambda_2/lambda_1)^(2m),
 * Lanczos converges like a Chebyshev polynomial in sqrt of the relative gap (Kaniel-Paige-Saad bound), typically
 * several times fewer products for the same accuracy; {@code bench/curvature.sh} measures both on the same model.
 */
public final class Lanczos {

    /**
     * @param eigenvalues the top Ritz values, descending (at most k; fewer when the operator has smaller dimension)
     * @param residuals   their residual norms |beta_m y_m|
     * @param iterations  Lanczos steps taken = operator applications
     * @param converged   whether the residual test passed (or an invariant subspace was found)
     */
    public record Result(double[] eigenvalues, double[] residuals, int iterations, boolean converged) {
    }

    /** Called after every step with the current top Ritz values, for benchmarks and progress. */
    @FunctionalInterface
    public interface Listener {
        void step(int iteration, double[] topRitzValues);
    }

    private Lanczos() {
    }

    public static Result topEigenvalues(SymmetricOperator op, int k, double tol, int maxIterations, long seed) {
        return topEigenvalues(op, k, tol, maxIterations, seed, (i, r) -> { });
    }

    public static Result topEigenvalues(SymmetricOperator op, int k, double tol, int maxIterations, long seed,
                                        Listener listener) {
        int n = op.dimension();
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        int maxSteps = Math.min(n, Math.max(maxIterations, k));
        List<double[]> basis = new ArrayList<>();
        double[] alpha = new double[maxSteps];
        double[] beta = new double[maxSteps];
        double[] q = Vectors.gaussian(n, new Random(seed));
        Vectors.scale(1 / Vectors.norm(q), q);
        double[] w = new double[n];
        Result last = null;
        for (int j = 0; j < maxSteps; j++) {
            basis.add(q);
            op.apply(q, w);
            alpha[j] = Vectors.dot(q, w);
            for (int pass = 0; pass < 2; pass++) {
                for (double[] b : basis) {
                    Vectors.axpy(-Vectors.dot(b, w), b, w);
                }
            }
            beta[j] = Vectors.norm(w);
            SymmetricEigen t = SymmetricEigen.tridiagonal(Arrays.copyOf(alpha, j + 1), Arrays.copyOf(beta, j + 1));
            int top = Math.min(k, j + 1);
            double scale = 0;
            for (double v : t.values()) {
                scale = Math.max(scale, Math.abs(v));
            }
            double[] values = Arrays.copyOf(t.values(), top);
            double[] residuals = new double[top];
            boolean ok = j + 1 >= k;
            for (int i = 0; i < top; i++) {
                residuals[i] = Math.abs(beta[j] * t.vectors()[i][j]);
                ok &= residuals[i] <= tol * scale;
            }
            boolean invariant = beta[j] <= 1e-13 * Math.max(scale, Double.MIN_NORMAL);
            listener.step(j + 1, values);
            last = new Result(values, residuals, j + 1, ok || invariant);
            if (ok || invariant) {
                return last;
            }
            q = w.clone();
            Vectors.scale(1 / beta[j], q);
        }
        return last;
    }
}
