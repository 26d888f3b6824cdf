package dev.landscape.probe.curvature.linalg;

import dev.landscape.contract.Tier2Memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The largest (algebraic) eigenvalues of a symmetric operator, counted with multiplicity, by block Lanczos with full
 * reorthogonalisation and thick restarts (Golub and Van Loan, Matrix Computations, 4th ed., sections 10.1, 10.3.1
 * and 10.3.6; Wu and Simon, SIAM J. Matrix Anal. Appl. 22(2), 2000).
 *
 * <p><b>Why blocks.</b> A Krylov space grown from one start vector meets each eigenspace in a single direction, so
 * single-vector Lanczos sees every distinct eigenvalue once: the Hessian of a multi-output MSE head is I_m (x) A,
 * each eigenvalue repeated m times, and its top three came out as three distinct values with small residuals. A
 * block of b start vectors meets each eigenspace in up to b directions, so with b >= k the top k are found with
 * their multiplicities (up to k copies). For k = 1 the top value is the same however often it repeats, and a single
 * vector spends the fewest products ({@link #defaultBlockSize(int)}).
 *
 * <p><b>Residual bounds.</b> With B = [Q_1 .. Q_j] orthonormal, A B = B T + Q_{j+1} R E_j^T, where T = B^T A B is
 * the projected matrix and R couples the newest block to the next. For a Ritz pair (theta, B y) the residual is
 * exactly ||A B y - theta B y|| = ||R y_j|| (y_j: the components of y on the newest block), computable without
 * touching A; for k orthonormal Ritz vectors with residuals r_i there are k eigenvalues of A, counted with
 * multiplicity, with |theta_i - lambda_i| <= r_i (Kahan, Parlett: The Symmetric Eigenvalue Problem, theorem 11.5.2).
 * The iteration stops when every one of the top k residuals is at most {@code tol * max|theta|}, when the space is
 * exhausted (the Ritz values are then exact), or when the next block would exceed the product budget
 * ({@code converged = false}).
 *
 * <p><b>Memory.</b> Every new block is Gram-Schmidt-orthogonalised twice against the whole basis ("twice is
 * enough", Giraud et al. 2005), so the basis stays orthonormal to working precision: no ghost copies of converged
 * eigenvalues. The basis holds at most {@link Settings#maxBasis()} vectors, stored in double or in float; when full,
 * it is restarted thick: the best Ritz vectors are kept (T becomes diagonal on them) and the iteration continues
 * from the pending block, which loses no accuracy, only some speed. A float basis is orthonormal to ~1e-7, which
 * bounds the achievable relative accuracy near 1e-6: it is for tolerances of 1e-5 and looser.
 */
public final class Lanczos {

    /** Below this fraction of the spectral scale a new direction is numerically in the span already. */
    private static final double DEFLATION = 1e-12;

    /** How basis vectors are stored. */
    public enum Precision { DOUBLE, FLOAT }

    /**
     * @param blockSize vectors per block (>= 1)
     * @param maxBasis  basis vectors held at once; at least {@code k + 2 * blockSize}
     * @param precision storage of the basis vectors
     */
    public record Settings(int blockSize, int maxBasis, Precision precision) {

        /** Enough double vectors never to restart within {@code maxProducts}; block size {@link #defaultBlockSize(int)}. */
        public static Settings unbounded(int k, int maxProducts) {
            int b = defaultBlockSize(k);
            return new Settings(b, maxProducts + b, Precision.DOUBLE);
        }
    }

    /**
     * @param eigenvalues the top Ritz values, descending (at most k; fewer when the operator has smaller dimension)
     * @param residuals   their residual norms ||R y_j||
     * @param products    operator applications
     * @param restarts    thick restarts taken (the basis was full)
     * @param converged   whether every residual met the tolerance (or the space was exhausted)
     */
    public record Result(double[] eigenvalues, double[] residuals, int products, int restarts, boolean converged) {
    }

    /** Called after every block with the products so far and the current top Ritz values. */
    @FunctionalInterface
    public interface Listener {
        void step(int products, double[] topRitzValues);
    }

    private Lanczos() {
    }

    /** The block size used unless told otherwise: 1 for the top eigenvalue alone, else k (see the class comment). */
    public static int defaultBlockSize(int k) {
        return Tier2Memory.blockSize(k);
    }

    public static Result topEigenvalues(SymmetricOperator op, int k, double tol, int maxProducts, long seed) {
        return topEigenvalues(op, k, tol, maxProducts, seed, Settings.unbounded(k, maxProducts), (i, r) -> { });
    }

    public static Result topEigenvalues(SymmetricOperator op, int k, double tol, int maxProducts, long seed,
                                        Listener listener) {
        return topEigenvalues(op, k, tol, maxProducts, seed, Settings.unbounded(k, maxProducts), listener);
    }

    public static Result topEigenvalues(SymmetricOperator op, int k, double tol, int maxProducts, long seed,
                                        Settings settings, Listener listener) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        int n = op.dimension();
        int b = Math.max(1, Math.min(settings.blockSize(), n));
        int capacity = Math.min(n, settings.maxBasis());
        if (capacity < Math.min(n, k + 2 * b)) {
            throw new IllegalArgumentException("a basis of " + settings.maxBasis() + " vectors cannot hold the top "
                    + k + " Ritz vectors and two blocks of " + b);
        }
        return new Run(op, n, k, tol, Math.max(maxProducts, b), b, capacity, settings.precision(), listener)
                .iterate(new Random(seed));
    }

    /** The state of one run: basis, projected matrix, current block. */
    private static final class Run {

        private final SymmetricOperator op;
        private final int n;
        private final int k;
        private final double tol;
        private final int maxProducts;
        private final int capacity;
        private final KrylovBasis basis;
        private final double[][] t;
        private final Listener listener;
        private int size;
        private int products;
        private int restarts;
        private double[][] block;
        private double[][] spare;

        Run(SymmetricOperator op, int n, int k, double tol, int maxProducts, int b, int capacity, Precision precision,
            Listener listener) {
            this.op = op;
            this.n = n;
            this.k = k;
            this.tol = tol;
            this.maxProducts = maxProducts;
            this.capacity = capacity;
            this.basis = KrylovBasis.create(precision, n, capacity);
            this.t = new double[capacity][capacity];
            this.listener = listener;
            this.block = new double[b][];
            this.spare = new double[b][];
        }

        Result iterate(Random rng) {
            List<double[]> start = new ArrayList<>();
            double[][] none = new double[0][0];
            for (int c = 0; c < block.length; c++) {
                double[] v = Vectors.gaussian(n, rng);
                if (orthonormalise(v, start, none, 0, 0, 0)) {
                    start.add(v);
                }
            }
            block = start.toArray(new double[0][]);
            while (true) {
                int width = block.length;
                int first = size;
                double[][] w = new double[width][];
                for (int c = 0; c < width; c++) {
                    basis.set(size + c, block[c]);
                }
                size += width;
                for (int c = 0; c < width; c++) {
                    w[c] = spare.length > c && spare[c] != null ? spare[c] : new double[n];
                    op.apply(block[c], w[c]);
                    products++;
                }
                project(w, first, width);
                SymmetricEigen ritz = SymmetricEigen.dense(t, size);
                double scale = 0;
                for (double v : ritz.values()) {
                    scale = Math.max(scale, Math.abs(v));
                }
                List<double[]> next = new ArrayList<>();
                double[][] r = new double[width][width];
                for (int c = 0; c < width; c++) {
                    if (orthonormalise(w[c], next, r, c, DEFLATION * scale, -1)) {
                        next.add(w[c]);
                    }
                }
                while (next.size() < width && size + next.size() < n) {
                    double[] v = Vectors.gaussian(n, rng);
                    if (!orthonormalise(v, next, none, 0, 0, size)) {
                        break;
                    }
                    next.add(v);
                }
                int top = Math.min(k, size);
                double[] values = Arrays.copyOf(ritz.values(), top);
                double[] residuals = new double[top];
                boolean ok = top == Math.min(k, n);
                for (int i = 0; i < top; i++) {
                    residuals[i] = residual(r, ritz.vectors()[i], first, width, next.size());
                    ok &= residuals[i] <= tol * scale;
                }
                listener.step(products, values);
                boolean exhausted = next.isEmpty();
                if (ok || exhausted || products + next.size() > maxProducts) {
                    return new Result(values, residuals, products, restarts, ok || exhausted);
                }
                if (size + next.size() > capacity) {
                    restart(ritz, next.size());
                }
                spare = block;
                block = next.toArray(new double[0][]);
            }
        }

        /**
         * Projects the new products {@code w} out of the whole basis, twice, and records the coefficients as the
         * projected matrix's new columns (symmetrised within the block).
         */
        private void project(double[][] w, int first, int width) {
            double[][] coef = new double[width][size];
            double[] c = new double[size];
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < width; j++) {
                    basis.dots(size, w[j], c);
                    basis.subtract(size, c, w[j]);
                    for (int i = 0; i < size; i++) {
                        coef[j][i] += c[i];
                    }
                }
            }
            for (int j = 0; j < width; j++) {
                for (int i = 0; i < first; i++) {
                    t[first + j][i] = coef[j][i];
                    t[i][first + j] = coef[j][i];
                }
                for (int i = 0; i < width; i++) {
                    double v = (coef[j][first + i] + coef[i][first + j]) / 2;
                    t[first + j][first + i] = v;
                }
            }
        }

        /**
         * Makes {@code v} orthogonal (twice) to the vectors {@code others} and, when {@code againstBasis > 0}, to the
         * first {@code againstBasis} basis vectors; records the coefficients in column {@code column} of {@code r}
         * (row i for others[i], row others.size() for the norm) when {@code r} has rows; normalises it.
         *
         * @return false when what is left is no longer than {@code floor} (v lies in the span; nothing recorded)
         */
        private boolean orthonormalise(double[] v, List<double[]> others, double[][] r, int column, double floor,
                                       int againstBasis) {
            double[] c = againstBasis > 0 ? new double[againstBasis] : null;
            for (int pass = 0; pass < 2; pass++) {
                if (c != null) {
                    basis.dots(againstBasis, v, c);
                    basis.subtract(againstBasis, c, v);
                }
                for (int i = 0; i < others.size(); i++) {
                    double d = Vectors.dot(others.get(i), v);
                    Vectors.axpy(-d, others.get(i), v);
                    if (r.length > 0) {
                        r[i][column] += d;
                    }
                }
            }
            double norm = Vectors.norm(v);
            // a fresh random vector that lost all but 1e-8 of its length to the projections lies in the span
            if (norm <= floor || norm == 0 || (c != null && norm < 1e-8 * Math.sqrt(n))) {
                return false;
            }
            Vectors.scale(1 / norm, v);
            if (r.length > 0) {
                r[others.size()][column] = norm;
            }
            return true;
        }

        /** ||R y_j||: R (rows: the next block's vectors) times the Ritz vector's components on the newest block. */
        private static double residual(double[][] r, double[] y, int first, int width, int rows) {
            double s = 0;
            for (int i = 0; i < rows; i++) {
                double x = 0;
                for (int j = 0; j < width; j++) {
                    x += r[i][j] * y[first + j];
                }
                s += x * x;
            }
            return Math.sqrt(s);
        }

        /**
         * Thick restart: keeps the best Ritz vectors as the new basis (T diagonal on them); the pending block stays
         * orthogonal to them, and its couplings to them are measured by the next projection.
         */
        private void restart(SymmetricEigen ritz, int pending) {
            int keep = Math.max(k, Math.min(capacity - 2 * pending, Math.max(k + pending, capacity / 2)));
            keep = Math.min(keep, size - 1);
            double[][] y = new double[size][keep];
            for (int i = 0; i < keep; i++) {
                for (int j = 0; j < size; j++) {
                    y[j][i] = ritz.vectors()[i][j];
                }
            }
            basis.rotate(size, y, keep);
            for (double[] row : t) {
                Arrays.fill(row, 0);
            }
            for (int i = 0; i < keep; i++) {
                t[i][i] = ritz.values()[i];
            }
            size = keep;
            restarts++;
        }
    }
}
