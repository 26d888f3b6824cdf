package dev.landscape.probe.metrics;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Dense arithmetic on the few-by-few matrices of {@link TrajectoryRegression} (at most the window's size): tier 1
 * carries no linear-algebra library, and at this size the textbook methods are exact enough and fast. The symmetric
 * eigen-solver is cyclic Jacobi (Golub and Van Loan, §8.5), which converges quadratically and keeps eigenvectors
 * orthonormal to round-off; tier 2's {@code curvature.linalg.SymmetricEigen#jacobi} is this one.
 */
public final class SmallMatrices {

    private SmallMatrices() {
    }

    /** Eigenvalues in descending order with their unit eigenvectors ({@code vectors[k]} belongs to {@code values[k]}). */
    public record Eigen(double[] values, double[][] vectors) {
        public double value(int k) {
            return values[k];
        }

        public double[] vector(int k) {
            return vectors[k].clone();
        }
    }

    public static Eigen symmetricEigen(double[][] m) {
        int n = m.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = m[i].clone();
        }
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            double diag = 0;
            for (int p = 0; p < n; p++) {
                diag += a[p][p] * a[p][p];
                for (int q = p + 1; q < n; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off <= 1e-30 * Math.max(diag, Double.MIN_NORMAL)) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] == 0) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> a[i][i]).reversed());
        double[] values = new double[n];
        double[][] vectors = new double[n][n];
        for (int k = 0; k < n; k++) {
            values[k] = a[order[k]][order[k]];
            for (int i = 0; i < n; i++) {
                vectors[k][i] = v[i][order[k]];
            }
        }
        return new Eigen(values, vectors);
    }

    /** The inverse by Gauss–Jordan elimination with partial pivoting, or {@code null} when (numerically) singular. */
    static double[][] inverse(double[][] m) {
        int n = m.length;
        double[][] a = new double[n][2 * n];
        double scale = 0;
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], 0, a[i], 0, n);
            a[i][n + i] = 1;
            for (double x : m[i]) {
                scale = Math.max(scale, Math.abs(x));
            }
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int i = col + 1; i < n; i++) {
                if (Math.abs(a[i][col]) > Math.abs(a[pivot][col])) {
                    pivot = i;
                }
            }
            if (!(Math.abs(a[pivot][col]) > 1e-14 * scale)) {
                return null;
            }
            double[] tmp = a[col];
            a[col] = a[pivot];
            a[pivot] = tmp;
            double d = a[col][col];
            for (int j = 0; j < 2 * n; j++) {
                a[col][j] /= d;
            }
            for (int i = 0; i < n; i++) {
                if (i != col && a[i][col] != 0) {
                    double f = a[i][col];
                    for (int j = 0; j < 2 * n; j++) {
                        a[i][j] -= f * a[col][j];
                    }
                }
            }
        }
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], n, out[i], 0, n);
        }
        return out;
    }

    static double[][] multiply(double[][] x, double[][] y) {
        int n = x.length;
        int k = y.length;
        int m = y[0].length;
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < m; j++) {
                    out[i][j] += x[i][p] * y[p][j];
                }
            }
        }
        return out;
    }

    /** {@code vᵀ M v}. */
    static double quadraticForm(double[][] m, double[] v) {
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < v.length; j++) {
                s += v[i] * m[i][j] * v[j];
            }
        }
        return s;
    }
}
