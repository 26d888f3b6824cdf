package dev.landscape.probe.metrics;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Sharpness from the LEVELS of the recovered gradients and of the weights over a window of checkpoints, not from the
 * difference of two. A minibatch gradient is {@code g_t = H(θ_{t−1} − θ*) + ξ_t} with noise {@code ξ_t} independent
 * of {@code θ_{t−1}}, so a least-squares fit of {@code g_t} on {@code θ_{t−1}} (with an intercept, which absorbs
 * {@code Hθ*}) is consistent: the secant and the gradient-difference bound of {@link Tier1Analyzer} are not, because
 * {@code Δg} and {@code Δθ} share {@code ξ_{t−1}} (pure noise reads 0.7 of SGD's edge on the bound). In a finite
 * window it is biased by order {@code 1/k} (later weights in the window carry earlier noise, as in an autoregression),
 * and the top eigenvalue of a fit in a few noisy directions reads high: pure SGD noise reads about 0.26 of the edge at
 * {@code k = 32} ({@code TrajectoryRegressionTest}). Its precision
 * grows with the window, since the curvature changes slowly while the learning rate, which is known at every
 * checkpoint, may change fast: the ratio is {@code λ̂ / threshold(η_now)}.
 *
 * <p><b>In a subspace, from sketches.</b> The full {@code H} is out of reach on a real network, so the fit runs in a
 * few directions: the top {@link #RANK} principal directions of the window's recovered gradients, centred. A
 * direction's share of the gradients' variance is its curvature times its excursion, so near the edge the
 * oscillating sharp direction leads; the weights' own variance is led by the slow drift of the flat directions, and
 * heavy ball's updates by the directions its momentum accumulates (both read the sharp direction less often on the
 * tier-1 ground truth). Everything is done on CountSketches folded to
 * {@link #WIDTH} buckets (a CountSketch of width {@code W} folded to {@code w | W} is the CountSketch of width
 * {@code w} with the same hash, and linear, so {@code S(θ_{t−1} − θ_0)} is the running sum of the update sketches):
 * per checkpoint {@code O(w·k²)} arithmetic and {@code 2·k·w} doubles kept (512 KiB at k = 32, w = 1024), whatever
 * the model's size. In the subspace {@code U}: {@code b_t = Uᵀ S(ḡ_t)} is fitted as {@code Bᵀ a_t + c} on
 * {@code a_t = Uᵀ S(θ_{t−1})}; {@code λ̂} is the top eigenvalue of {@code (B + Bᵀ)/2}, with eigenvector {@code v}, and
 * its standard error {@code √((vᵀ Σ_e v)(vᵀ (Σ a aᵀ)⁻¹ v))} from the residual covariance {@code Σ_e}.
 *
 * <p><b>Failure modes.</b> It reads the curvature of the subspace the gradients span: a sharp direction the run has
 * not moved along is not in it (Adam's preconditioned sharpness rising as its second moment decays at a constant
 * learning rate is such a case), and at a low ratio the sharp direction is damped and may fall out of the top
 * {@link #RANK}, where {@code λ̂} reads a flatter direction (low). The fit needs one optimizer step between
 * checkpoints ({@link Tier1Analyzer} feeds it nothing else): with more, the recovered gradient is an average over the
 * interval, taken along a path the fit does not see. For Adam the fitted curvature is {@code H}'s, not {@code P⁻¹H}'s, so it
 * is not used there ({@link Tier1Analyzer}). A window whose chain of checkpoints breaks (a checkpoint skipped, a
 * gradient that cannot be recovered, a non-finite value) starts again.
 */
final class TrajectoryRegression {

    /** Checkpoints in the window; no estimate before it is full. */
    static final int WINDOW = 32;
    /** Principal directions of the gradients the fit runs in. */
    static final int RANK = 3;
    /** Buckets of the folded sketches. */
    static final int WIDTH = 1 << 10;

    /** The fitted top eigenvalue and its standard error; {@code samples} is the window it came from. */
    record Estimate(double sharpness, double standardError, int samples) {
    }

    private final int window;
    private final int rank;
    private final int width;
    private final Deque<double[]> levels = new ArrayDeque<>();
    private final Deque<double[]> gradients = new ArrayDeque<>();
    private double[] level;

    TrajectoryRegression() {
        this(WINDOW, RANK, WIDTH);
    }

    TrajectoryRegression(int window, int rank, int width) {
        if (window < rank + 3 || rank < 1 || Integer.bitCount(width) != 1) {
            throw new IllegalArgumentException("window " + window + " must exceed rank " + rank + " by 3; width "
                    + width + " must be a power of two");
        }
        this.window = window;
        this.rank = rank;
        this.width = width;
    }

    /** Forgets the window: the next checkpoint's weights are the new origin of the levels. */
    void reset() {
        levels.clear();
        gradients.clear();
        level = null;
    }

    /**
     * Adds checkpoint {@code t}: the gradient recovered over its interval, {@code S(ḡ_t)}, paired with the level of the
     * weights it was taken at ({@code θ_{t−1}}, the levels so far), then moves the level on by {@code S(Δθ_t)}.
     */
    void add(CountSketch update, CountSketch gradient) {
        double[] u = update.folded(width).buckets();
        double[] g = gradient.folded(width).buckets();
        if (!finite(u) || !finite(g)) {
            reset();
            return;
        }
        if (level == null) {
            level = new double[width];
        }
        levels.addLast(level.clone());
        gradients.addLast(g);
        for (int j = 0; j < width; j++) {
            level[j] += u[j];
        }
        if (levels.size() > window) {
            levels.removeFirst();
            gradients.removeFirst();
        }
    }

    /** The fit over the full window, or {@code null} while the window is not full or the gradients span nothing. */
    Estimate estimate() {
        int n = levels.size();
        if (n < window) {
            return null;
        }
        double[][] x = levels.toArray(new double[0][]);
        double[][] y = gradients.toArray(new double[0][]);
        double[][] basis = principalDirections(y);
        if (basis.length == 0) {
            return null;
        }
        int r = basis.length;
        double[][] a = project(basis, x);
        double[][] b = project(basis, y);
        center(a);
        center(b);
        double[][] aa = new double[r][r];
        double[][] ab = new double[r][r];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < r; p++) {
                for (int q = 0; q < r; q++) {
                    aa[p][q] += a[i][p] * a[i][q];
                    ab[p][q] += a[i][p] * b[i][q];
                }
            }
        }
        double[][] aaInv = SmallMatrices.inverse(aa);
        if (aaInv == null) {
            return null;
        }
        double[][] fit = SmallMatrices.multiply(aaInv, ab);
        double[][] sym = new double[r][r];
        for (int p = 0; p < r; p++) {
            for (int q = 0; q < r; q++) {
                sym[p][q] = (fit[p][q] + fit[q][p]) / 2;
            }
        }
        SmallMatrices.Eigen e = SmallMatrices.symmetricEigen(sym);
        double[] v = e.vector(0);
        double[][] residualCov = new double[r][r];
        for (int i = 0; i < n; i++) {
            double[] res = new double[r];
            for (int q = 0; q < r; q++) {
                double predicted = 0;
                for (int p = 0; p < r; p++) {
                    predicted += a[i][p] * fit[p][q];
                }
                res[q] = b[i][q] - predicted;
            }
            for (int p = 0; p < r; p++) {
                for (int q = 0; q < r; q++) {
                    residualCov[p][q] += res[p] * res[q];
                }
            }
        }
        double dof = Math.max(n - r - 1, 1);
        double variance = SmallMatrices.quadraticForm(residualCov, v) / dof * SmallMatrices.quadraticForm(aaInv, v);
        return new Estimate(e.value(0), Math.sqrt(Math.max(variance, 0)), n);
    }

    /**
     * Orthonormal top principal directions (at most {@link #rank}) of the window's recovered gradients, centred: from
     * the eigenvectors of their Gram matrix, {@code u = D w / √μ}. Directions with an eigenvalue under 10⁻¹² of the
     * largest are dropped.
     */
    private double[][] principalDirections(double[][] rows) {
        int m = rows.length;
        double[] mean = new double[width];
        for (double[] row : rows) {
            for (int j = 0; j < width; j++) {
                mean[j] += row[j] / m;
            }
        }
        double[][] d = new double[m][width];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < width; j++) {
                d[i][j] = rows[i][j] - mean[j];
            }
        }
        double[][] gram = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int k = i; k < m; k++) {
                double s = 0;
                for (int j = 0; j < width; j++) {
                    s += d[i][j] * d[k][j];
                }
                gram[i][k] = s;
                gram[k][i] = s;
            }
        }
        SmallMatrices.Eigen e = SmallMatrices.symmetricEigen(gram);
        double top = e.value(0);
        if (!(top > 0)) {
            return new double[0][];
        }
        int r = 0;
        while (r < Math.min(rank, m) && e.value(r) > 1e-12 * top) {
            r++;
        }
        double[][] basis = new double[r][width];
        for (int k = 0; k < r; k++) {
            double[] w = e.vector(k);
            double scale = 1 / Math.sqrt(e.value(k));
            for (int i = 0; i < m; i++) {
                double c = w[i] * scale;
                for (int j = 0; j < width; j++) {
                    basis[k][j] += c * d[i][j];
                }
            }
        }
        return basis;
    }

    private static double[][] project(double[][] basis, double[][] rows) {
        double[][] out = new double[rows.length][basis.length];
        for (int i = 0; i < rows.length; i++) {
            for (int k = 0; k < basis.length; k++) {
                double s = 0;
                for (int j = 0; j < rows[i].length; j++) {
                    s += basis[k][j] * rows[i][j];
                }
                out[i][k] = s;
            }
        }
        return out;
    }

    private static void center(double[][] rows) {
        int r = rows[0].length;
        for (int k = 0; k < r; k++) {
            double mean = 0;
            for (double[] row : rows) {
                mean += row[k];
            }
            mean /= rows.length;
            for (double[] row : rows) {
                row[k] -= mean;
            }
        }
    }

    private static boolean finite(double[] v) {
        for (double x : v) {
            if (!Double.isFinite(x)) {
                return false;
            }
        }
        return true;
    }
}
