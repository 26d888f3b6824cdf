package dev.landscape.probe.groundtruth;

import dev.landscape.probe.curvature.linalg.SymmetricEigen;
import dev.landscape.probe.testing.TestTrainer;

import java.util.Random;

/**
 * The generating problem of the tier-1 ground truth: {@code f(θ) = f0 + ½ (θ − θ*)ᵀ H (θ − θ*)} over
 * {@link #DIM} parameters, with {@code H = Qᵀ diag(λ) Q} for a random rotation {@code Q}, eigenvalues geometric from
 * {@code λmax = 1} down to {@code 1/50}, a random optimum {@code θ*}, {@code f0 = 1} (an irreducible loss, so that
 * the loss levels off as real losses do) and a start {@code θ0} at excess loss 2. Its Hessian is known exactly,
 * so the sharpness every optimizer faces at every step is computed, not estimated: {@code λmax(H)} for SGD and
 * heavy ball, {@code λmax(P⁻¹H) = λmax(P^-½ H P^-½)} for Adam with the diagonal {@code P} of that step.
 */
final class KnownQuadratic {

    static final int DIM = 24;
    static final double LAMBDA_MAX = 1;
    static final double CONDITION = 50;
    static final double F0 = 1;
    static final double INITIAL_EXCESS = 2;

    final double[][] hessian;
    final double[] optimum;
    final double[] start;

    KnownQuadratic(long seed) {
        Random r = new Random(seed);
        double[] lambda = new double[DIM];
        for (int i = 0; i < DIM; i++) {
            lambda[i] = LAMBDA_MAX * Math.pow(1 / CONDITION, i / (double) (DIM - 1));
        }
        double[][] q = TestTrainer.Quadratic.randomRotation(DIM, r);
        hessian = new double[DIM][DIM];
        for (int i = 0; i < DIM; i++) {
            for (int j = 0; j < DIM; j++) {
                double s = 0;
                for (int k = 0; k < DIM; k++) {
                    s += q[k][i] * lambda[k] * q[k][j];
                }
                hessian[i][j] = s;
            }
        }
        optimum = new double[DIM];
        double[] delta = new double[DIM];
        for (int i = 0; i < DIM; i++) {
            optimum[i] = r.nextGaussian();
            delta[i] = r.nextGaussian();
        }
        double scale = Math.sqrt(INITIAL_EXCESS / (0.5 * quadraticForm(delta)));
        start = new double[DIM];
        for (int i = 0; i < DIM; i++) {
            start[i] = optimum[i] + scale * delta[i];
        }
    }

    double loss(double[] theta) {
        double[] d = minus(theta, optimum);
        return F0 + 0.5 * quadraticForm(d);
    }

    /** The full-batch gradient {@code H(θ − θ*)}. */
    double[] gradient(double[] theta) {
        return times(minus(theta, optimum));
    }

    /** {@code λmax(P^-½ H P^-½)}, the sharpness Adam with diagonal preconditioner {@code p} (√v̂ + ε) faces. */
    double preconditionedLambdaMax(double[] p) {
        double[][] m = new double[DIM][DIM];
        for (int i = 0; i < DIM; i++) {
            for (int j = 0; j < DIM; j++) {
                m[i][j] = hessian[i][j] / Math.sqrt(p[i] * p[j]);
            }
        }
        return largestEigenvalue(m);
    }

    /**
     * The largest eigenvalue of a symmetric matrix: Householder reduction to tridiagonal form (Golub and Van Loan,
     * algorithm 8.3.1), then the tridiagonal QL solver. A tenth of the cost of Jacobi, which matters at one
     * eigen-problem per Adam step.
     */
    static double largestEigenvalue(double[][] matrix) {
        int n = matrix.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = matrix[i].clone();
        }
        double[] alpha = new double[n];
        double[] beta = new double[n];
        for (int k = 0; k < n - 2; k++) {
            double norm = 0;
            for (int i = k + 1; i < n; i++) {
                norm += a[i][k] * a[i][k];
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                beta[k] = 0;
                continue;
            }
            double[] u = new double[n];
            double sign = a[k + 1][k] >= 0 ? 1 : -1;
            u[k + 1] = a[k + 1][k] + sign * norm;
            for (int i = k + 2; i < n; i++) {
                u[i] = a[i][k];
            }
            double uu = 0;
            for (int i = k + 1; i < n; i++) {
                uu += u[i] * u[i];
            }
            // A ← (I − 2uuᵀ/uᵀu) A (I − 2uuᵀ/uᵀu) on rows and columns k.. n−1.
            double[] p = new double[n];
            for (int i = k; i < n; i++) {
                double sum = 0;
                for (int j = k + 1; j < n; j++) {
                    sum += a[i][j] * u[j];
                }
                p[i] = 2 * sum / uu;
            }
            double up = 0;
            for (int i = k + 1; i < n; i++) {
                up += u[i] * p[i];
            }
            double c = up / uu;
            for (int i = k; i < n; i++) {
                double w = p[i] - c * u[i];
                p[i] = w;
            }
            for (int i = k; i < n; i++) {
                for (int j = k; j < n; j++) {
                    a[i][j] -= u[i] * p[j] + p[i] * u[j];
                }
            }
            beta[k] = a[k + 1][k];
        }
        for (int i = 0; i < n; i++) {
            alpha[i] = a[i][i];
        }
        if (n > 1) {
            beta[n - 2] = a[n - 1][n - 2];
        }
        return SymmetricEigen.tridiagonal(alpha, java.util.Arrays.copyOf(beta, Math.max(n - 1, 1))).values()[0];
    }

    private double quadraticForm(double[] d) {
        double[] hd = times(d);
        double s = 0;
        for (int i = 0; i < DIM; i++) {
            s += d[i] * hd[i];
        }
        return s;
    }

    private double[] times(double[] x) {
        double[] y = new double[DIM];
        for (int i = 0; i < DIM; i++) {
            double s = 0;
            for (int j = 0; j < DIM; j++) {
                s += hessian[i][j] * x[j];
            }
            y[i] = s;
        }
        return y;
    }

    private static double[] minus(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }
}
