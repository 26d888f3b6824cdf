package dev.landscape.probe.curvature.linalg;

import java.util.Arrays;

/**
 * The vectors of a Lanczos basis, in double or in float. The basis is the one part of Lanczos that grows with both
 * the parameter count and the step count (steps x n values), so float storage halves what a large model needs.
 * All arithmetic is in double on row chunks that stay in cache: projecting a vector on every basis vector reads each
 * of them once, and a restart rotates the basis in place without a second copy.
 */
abstract class KrylovBasis {

    /** Rows per chunk: a few chunks of 2,048 doubles stay in L1/L2. */
    private static final int CHUNK = 2048;

    final int n;
    private final double[] row = new double[CHUNK];
    private final double[] chunk = new double[CHUNK];

    private KrylovBasis(int n) {
        this.n = n;
    }

    /** A basis for {@code capacity} vectors of dimension {@code n}. */
    static KrylovBasis create(Lanczos.Precision precision, int n, int capacity) {
        return precision == Lanczos.Precision.FLOAT ? new Floats(n, capacity) : new Doubles(n, capacity);
    }

    /** Copies rows {@code r0 .. r0+len-1} of vector {@code i} into {@code out[0..len-1]}. */
    abstract void load(int i, int r0, int len, double[] out);

    /** Stores {@code in[0..len-1]} as rows {@code r0 ..} of vector {@code i} (allocating it on first use). */
    abstract void store(int i, int r0, int len, double[] in);

    /** Stores {@code v} as vector {@code i}, then writes the stored (possibly rounded) values back into {@code v}. */
    final void set(int i, double[] v) {
        for (int r0 = 0; r0 < n; r0 += CHUNK) {
            int len = Math.min(CHUNK, n - r0);
            System.arraycopy(v, r0, chunk, 0, len);
            store(i, r0, len, chunk);
            load(i, r0, len, row);
            System.arraycopy(row, 0, v, r0, len);
        }
    }

    /** {@code out[i] = <vector i, w>} for i < count. */
    final void dots(int count, double[] w, double[] out) {
        Arrays.fill(out, 0, count, 0);
        for (int r0 = 0; r0 < n; r0 += CHUNK) {
            int len = Math.min(CHUNK, n - r0);
            for (int i = 0; i < count; i++) {
                load(i, r0, len, row);
                double s = 0;
                for (int r = 0; r < len; r++) {
                    s += row[r] * w[r0 + r];
                }
                out[i] += s;
            }
        }
    }

    /** {@code w -= sum_i c[i] * vector i} for i < count. */
    final void subtract(int count, double[] c, double[] w) {
        for (int r0 = 0; r0 < n; r0 += CHUNK) {
            int len = Math.min(CHUNK, n - r0);
            for (int i = 0; i < count; i++) {
                load(i, r0, len, row);
                double a = c[i];
                for (int r = 0; r < len; r++) {
                    w[r0 + r] -= a * row[r];
                }
            }
        }
    }

    /**
     * Replaces vectors 0..keep-1 by the combinations {@code sum_j y[j][i] * vector j} (j < count) in place, one row
     * chunk at a time, so that a restart needs no second basis.
     */
    final void rotate(int count, double[][] y, int keep) {
        double[][] tmp = new double[keep][CHUNK];
        for (int r0 = 0; r0 < n; r0 += CHUNK) {
            int len = Math.min(CHUNK, n - r0);
            for (double[] t : tmp) {
                Arrays.fill(t, 0);
            }
            for (int j = 0; j < count; j++) {
                load(j, r0, len, row);
                for (int i = 0; i < keep; i++) {
                    double a = y[j][i];
                    double[] t = tmp[i];
                    for (int r = 0; r < len; r++) {
                        t[r] += a * row[r];
                    }
                }
            }
            for (int i = 0; i < keep; i++) {
                store(i, r0, len, tmp[i]);
            }
        }
    }

    private static final class Doubles extends KrylovBasis {

        private final double[][] v;

        Doubles(int n, int capacity) {
            super(n);
            this.v = new double[capacity][];
        }

        @Override
        void load(int i, int r0, int len, double[] out) {
            System.arraycopy(v[i], r0, out, 0, len);
        }

        @Override
        void store(int i, int r0, int len, double[] in) {
            if (v[i] == null) {
                v[i] = new double[n];
            }
            System.arraycopy(in, 0, v[i], r0, len);
        }
    }

    private static final class Floats extends KrylovBasis {

        private final float[][] v;

        Floats(int n, int capacity) {
            super(n);
            this.v = new float[capacity][];
        }

        @Override
        void load(int i, int r0, int len, double[] out) {
            float[] b = v[i];
            for (int r = 0; r < len; r++) {
                out[r] = b[r0 + r];
            }
        }

        @Override
        void store(int i, int r0, int len, double[] in) {
            if (v[i] == null) {
                v[i] = new float[n];
            }
            float[] b = v[i];
            for (int r = 0; r < len; r++) {
                b[r0 + r] = (float) in[r];
            }
        }
    }
}
