package dev.landscape.probe.curvature.linalg;

import dev.landscape.probe.curvature.linalg.SymmetricOperator;
import dev.landscape.probe.curvature.linalg.Vectors;
import java.util.Random;

/** An explicit symmetric matrix as a {@link SymmetricOperator}, counting products; built with a chosen spectrum. */
public final class MatrixOperator implements SymmetricOperator {

    final double[][] a;
    int products;

    public MatrixOperator(double[][] a) {
        this.a = a;
    }

    /** Q diag(eigenvalues) Q^T with a random orthogonal Q (Gram-Schmidt of a Gaussian matrix). */
    public static MatrixOperator withSpectrum(double[] eigenvalues, long seed) {
        int n = eigenvalues.length;
        Random rng = new Random(seed);
        double[][] q = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] v = Vectors.gaussian(n, rng);
            for (int j = 0; j < i; j++) {
                Vectors.axpy(-Vectors.dot(q[j], v), q[j], v);
            }
            Vectors.scale(1 / Vectors.norm(v), v);
            q[i] = v;
        }
        double[][] a = new double[n][n];
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    a[i][j] += eigenvalues[k] * q[k][i] * q[k][j];
                }
            }
        }
        return new MatrixOperator(a);
    }

    @Override
    public int dimension() {
        return a.length;
    }

    @Override
    public void apply(double[] x, double[] out) {
        products++;
        for (int i = 0; i < a.length; i++) {
            out[i] = Vectors.dot(a[i], x);
        }
    }
}
