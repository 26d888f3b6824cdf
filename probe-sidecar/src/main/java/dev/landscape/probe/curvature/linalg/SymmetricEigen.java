package dev.landscape.probe.curvature.linalg;

import dev.landscape.probe.metrics.SmallMatrices;

import java.util.Arrays;

/**
 * Eigen-decompositions of small symmetric matrices, in double: the Lanczos tridiagonal matrix (implicit QL with
 * Wilkinson shifts, as in EISPACK {@code tql2} / JAMA), the block-Lanczos projected matrix (Householder reduction,
 * then the same QL) and dense matrices by cyclic Jacobi rotations (slow but simple and accurate to a few ulps, used
 * to check Hessians in tests).
 *
 * @param values  eigenvalues, descending
 * @param vectors {@code vectors[i]} is the unit eigenvector of {@code values[i]}
 */
public record SymmetricEigen(double[] values, double[][] vectors) {

    /** Eigen-decomposition of the symmetric tridiagonal matrix with diagonal {@code alpha} and off-diagonal {@code beta}. */
    public static SymmetricEigen tridiagonal(double[] alpha, double[] beta) {
        int n = alpha.length;
        double[] d = alpha.clone();
        double[] e = new double[n];
        System.arraycopy(beta, 0, e, 0, n - 1);
        double[][] z = new double[n][n];
        for (int i = 0; i < n; i++) {
            z[i][i] = 1;
        }
        return sorted(ql(d, e, z), z);
    }

    /**
     * Eigen-decomposition of the leading {@code n x n} block of a dense symmetric matrix (only its lower triangle is
     * read): Householder reduction to tridiagonal form, then the same implicit QL (EISPACK {@code tred2} +
     * {@code tql2}, as in JAMA); O(n^3), for the block-Lanczos projected matrix.
     */
    public static SymmetricEigen dense(double[][] a, int n) {
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                v[i][j] = a[i][j];
                v[j][i] = a[i][j];
            }
        }
        double[] d = new double[n];
        double[] e = new double[n];
        if (n > 0) {
            householder(v, d, e);
        }
        // householder leaves the sub-diagonal in e[1..n-1]; ql wants it in e[0..n-2]
        for (int i = 1; i < n; i++) {
            e[i - 1] = e[i];
        }
        if (n > 0) {
            e[n - 1] = 0;
        }
        return sorted(ql(d, e, v), v);
    }

    /** Householder tridiagonalisation in place (JAMA's tred2): {@code v} becomes the accumulated transformation. */
    private static void householder(double[][] v, double[] d, double[] e) {
        int n = d.length;
        for (int j = 0; j < n; j++) {
            d[j] = v[n - 1][j];
        }
        for (int i = n - 1; i > 0; i--) {
            double scale = 0;
            double h = 0;
            for (int k = 0; k < i; k++) {
                scale += Math.abs(d[k]);
            }
            if (scale == 0) {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++) {
                    d[j] = v[i - 1][j];
                    v[i][j] = 0;
                    v[j][i] = 0;
                }
            } else {
                for (int k = 0; k < i; k++) {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1];
                double g = Math.sqrt(h);
                if (f > 0) {
                    g = -g;
                }
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                for (int j = 0; j < i; j++) {
                    e[j] = 0;
                }
                for (int j = 0; j < i; j++) {
                    f = d[j];
                    v[j][i] = f;
                    g = e[j] + v[j][j] * f;
                    for (int k = j + 1; k <= i - 1; k++) {
                        g += v[k][j] * d[k];
                        e[k] += v[k][j] * f;
                    }
                    e[j] = g;
                }
                f = 0;
                for (int j = 0; j < i; j++) {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) {
                    e[j] -= hh * d[j];
                }
                for (int j = 0; j < i; j++) {
                    f = d[j];
                    g = e[j];
                    for (int k = j; k <= i - 1; k++) {
                        v[k][j] -= f * e[k] + g * d[k];
                    }
                    d[j] = v[i - 1][j];
                    v[i][j] = 0;
                }
            }
            d[i] = h;
        }
        for (int i = 0; i < n - 1; i++) {
            v[n - 1][i] = v[i][i];
            v[i][i] = 1;
            double h = d[i + 1];
            if (h != 0) {
                for (int k = 0; k <= i; k++) {
                    d[k] = v[k][i + 1] / h;
                }
                for (int j = 0; j <= i; j++) {
                    double g = 0;
                    for (int k = 0; k <= i; k++) {
                        g += v[k][i + 1] * v[k][j];
                    }
                    for (int k = 0; k <= i; k++) {
                        v[k][j] -= g * d[k];
                    }
                }
            }
            for (int k = 0; k <= i; k++) {
                v[k][i + 1] = 0;
            }
        }
        for (int j = 0; j < n; j++) {
            d[j] = v[n - 1][j];
            v[n - 1][j] = 0;
        }
        v[n - 1][n - 1] = 1;
        e[0] = 0;
    }

    /**
     * Implicit QL with Wilkinson shifts on the tridiagonal matrix (diagonal {@code d}, off-diagonal {@code e[i]}
     * coupling i and i+1), accumulating the rotations into {@code z}; returns the eigenvalues (unsorted).
     */
    private static double[] ql(double[] d, double[] e, double[][] z) {
        int n = d.length;
        double f = 0;
        double tst1 = 0;
        double eps = Math.ulp(1.0);
        for (int l = 0; l < n; l++) {
            tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
            int m = l;
            while (m < n) {
                if (Math.abs(e[m]) <= eps * tst1) {
                    break;
                }
                m++;
            }
            if (m > l) {
                int iter = 0;
                do {
                    if (++iter > 60) {
                        throw new ArithmeticException("tridiagonal QL did not converge");
                    }
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2.0 * e[l]);
                    double r = Math.hypot(p, 1.0);
                    if (p < 0) {
                        r = -r;
                    }
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) {
                        d[i] -= h;
                    }
                    f += h;
                    p = d[m];
                    double c = 1;
                    double c2 = c;
                    double c3 = c;
                    double el1 = e[l + 1];
                    double s = 0;
                    double s2 = 0;
                    for (int i = m - 1; i >= l; i--) {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Math.hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        for (int k = 0; k < n; k++) {
                            h = z[k][i + 1];
                            z[k][i + 1] = s * z[k][i] + c * h;
                            z[k][i] = c * z[k][i] - s * h;
                        }
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                } while (Math.abs(e[l]) > eps * tst1);
            }
            d[l] = d[l] + f;
            e[l] = 0;
        }
        return d;
    }

    /**
     * Eigen-decomposition of a dense symmetric matrix by cyclic Jacobi rotations: tier 1's solver
     * ({@link SmallMatrices#symmetricEigen}), which tier 1 needs without this package.
     */
    public static SymmetricEigen jacobi(double[][] matrix) {
        SmallMatrices.Eigen e = SmallMatrices.symmetricEigen(matrix);
        return new SymmetricEigen(e.values(), e.vectors());
    }

    /** Sorts descending; {@code columns[k][i]} is component k of eigenvector i. */
    private static SymmetricEigen sorted(double[] d, double[][] columns) {
        int n = d.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(d[y], d[x]));
        double[] values = new double[n];
        double[][] vectors = new double[n][n];
        for (int i = 0; i < n; i++) {
            values[i] = d[order[i]];
            for (int k = 0; k < n; k++) {
                vectors[i][k] = columns[k][order[i]];
            }
        }
        return new SymmetricEigen(values, vectors);
    }
}
