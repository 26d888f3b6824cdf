package dev.landscape.probe.metrics;

import dev.landscape.probe.testing.TestTrainer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closed form: SGD on {@code ½(θ − θ*)ᵀH(θ − θ*)} with a known Hessian (eigenvalues from 1 down to 0.02 along a
 * random rotation) and Gaussian gradient noise of known size, fed to the fit as tier 1 feeds it: sketches of each
 * update and of the gradient it used.
 */
class TrajectoryRegressionTest {

    private static final int DIM = 20;
    /** Sketch width: wider than the fit's, so that folding is exercised; narrower than tier 1's, to keep the test quick. */
    private static final int SKETCH = 1 << 12;

    /** Returns the last estimate of an SGD run at {@code lr} with gradient noise {@code sigma} per coordinate. */
    private static TrajectoryRegression.Estimate sgd(double[][] h, double lr, double sigma, int steps, long seed) {
        Random r = new Random(seed);
        double[] theta = new double[DIM];
        double[] optimum = new double[DIM];
        for (int i = 0; i < DIM; i++) {
            optimum[i] = r.nextGaussian();
            theta[i] = optimum[i] + r.nextGaussian();
        }
        TrajectoryRegression fit = new TrajectoryRegression();
        for (int s = 0; s < steps; s++) {
            double[] g = new double[DIM];
            for (int i = 0; i < DIM; i++) {
                for (int j = 0; j < DIM; j++) {
                    g[i] += h[i][j] * (theta[j] - optimum[j]);
                }
                g[i] += sigma * r.nextGaussian();
            }
            CountSketch update = new CountSketch(SKETCH, CountSketch.DEFAULT_SEED);
            CountSketch gradient = new CountSketch(SKETCH, CountSketch.DEFAULT_SEED);
            long salt = CountSketch.salt("w");
            for (int i = 0; i < DIM; i++) {
                double step = -lr * g[i];
                theta[i] += step;
                update.add(salt + i, step);
                gradient.add(salt + i, g[i]);
            }
            fit.add(update, gradient);
        }
        return fit.estimate();
    }

    /** {@code Qᵀ diag(λ) Q}, λ geometric from 1 to 0.02, {@code Q} a random rotation. */
    private static double[][] hessian(long seed) {
        double[][] q = TestTrainer.Quadratic.randomRotation(DIM, new Random(seed));
        double[][] h = new double[DIM][DIM];
        for (int k = 0; k < DIM; k++) {
            double lambda = Math.pow(0.02, k / (double) (DIM - 1));
            for (int i = 0; i < DIM; i++) {
                for (int j = 0; j < DIM; j++) {
                    h[i][j] += lambda * q[k][i] * q[k][j];
                }
            }
        }
        return h;
    }

    @Test
    void recoversTheTopEigenvalueWithinItsStatedErrorUnderGradientNoise() {
        // lr 1.8: 0.9 of SGD's edge 2/λmax; the noise keeps the sharp direction excited, as a minibatch does.
        int within = 0;
        double widest = 0;
        for (long seed = 1; seed <= 20; seed++) {
            TrajectoryRegression.Estimate e = sgd(hessian(seed), 1.8, 0.05, 80, seed);
            assertThat(e).isNotNull();
            assertThat(e.samples()).isEqualTo(TrajectoryRegression.WINDOW);
            if (Math.abs(e.sharpness() - 1) <= 2 * e.standardError()) {
                within++;
            }
            widest = Math.max(widest, e.standardError());
        }
        // About 95 % of the runs lie within two standard errors when the error is stated honestly; the error itself
        // is small enough to place the edge (a few percent of λ).
        assertThat(within).isGreaterThanOrEqualTo(17);
        assertThat(widest).isLessThan(0.15);
    }

    @Test
    void pureNoiseReadsNoCrossing() {
        // Pure gradient noise (H = 0): the weights random-walk. The gradient-difference bound reads √2/η there, 0.71
        // of the edge. The fit is not exactly unbiased either: later weights in the window carry earlier noise
        // (regressing a random walk's steps on its levels reads a mean reversion, Dickey and Fuller 1979), and the top
        // eigenvalue of a fit in three directions is the largest of three noisy readings: about 0.26 of the edge on
        // average, its lower bound (less one standard error) under 0.45 in 200 simulated windows. Far from 1.
        double lr = 1.8;
        double[][] zero = new double[DIM][DIM];
        double sum = 0;
        for (long seed = 1; seed <= 20; seed++) {
            TrajectoryRegression.Estimate e = sgd(zero, lr, 0.05, 40, seed);
            double ratio = e.sharpness() * lr / 2;
            double error = e.standardError() * lr / 2;
            assertThat(ratio - error).as("seed %d: %.3f ± %.3f", seed, ratio, error).isLessThan(0.5);
            sum += ratio;
        }
        assertThat(sum / 20).isBetween(0.1, 0.4);
    }

    @Test
    void noEstimateUntilTheWindowIsFullAndAfterABreakItStartsAgain() {
        TrajectoryRegression fit = new TrajectoryRegression(8, 2, 1 << 10);
        Random r = new Random(3);
        for (int s = 0; s < 7; s++) {
            fit.add(sketch(r), sketch(r));
            assertThat(fit.estimate()).isNull();
        }
        fit.add(sketch(r), sketch(r));
        assertThat(fit.estimate()).isNotNull();
        fit.reset();
        fit.add(sketch(r), sketch(r));
        assertThat(fit.estimate()).isNull();
    }

    private static CountSketch sketch(Random r) {
        CountSketch s = new CountSketch(SKETCH, CountSketch.DEFAULT_SEED);
        for (int i = 0; i < 30; i++) {
            s.add(i, r.nextGaussian());
        }
        return s;
    }

    @Test
    void symmetricEigenSolverMatchesAKnownDecomposition() {
        double[][] m = {{2, 1, 0}, {1, 2, 0}, {0, 0, -1}};
        SmallMatrices.Eigen e = SmallMatrices.symmetricEigen(m);
        assertThat(e.values()).containsExactly(new double[] {3, 1, -1}, org.assertj.core.api.Assertions.within(1e-12));
        double[] top = e.vector(0);
        assertThat(Math.abs(top[0])).isCloseTo(Math.sqrt(0.5), org.assertj.core.api.Assertions.within(1e-12));
        assertThat(top[0] * top[1]).isPositive();
        double[][] inv = SmallMatrices.inverse(new double[][] {{4, 7}, {2, 6}});
        assertThat(inv[0]).containsExactly(new double[] {0.6, -0.7}, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(SmallMatrices.inverse(new double[][] {{1, 2}, {2, 4}})).isNull();
    }
}
