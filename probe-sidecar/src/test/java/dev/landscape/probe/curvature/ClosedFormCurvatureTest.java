package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.linalg.FiniteDifferenceHvp;
import dev.landscape.probe.curvature.linalg.HutchinsonTrace;
import dev.landscape.probe.curvature.linalg.Lanczos;
import dev.landscape.probe.curvature.linalg.SymmetricEigen;
import onnx.Onnx;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole tier-2 pipeline (ONNX graph built here, translated to SameDiff, loss head, finite-difference HVPs,
 * Lanczos, trace) against Hessians known in closed form.
 */
class ClosedFormCurvatureTest {

    private static final int N = 40;
    private static final int D = 4;

    /** Linear regression y = X w + b with MSE: H = (2/n) A^T A, A = [X 1]. */
    @Test
    void linearRegressionMatchesTwoXtXOverN() {
        Random rng = new Random(1);
        double[] x = gaussian(rng, N * D);
        double[] y = gaussian(rng, N);
        Onnx.ModelProto model = TestGraphs.model(13, TestGraphs.graph("linreg")
                .addInput(TestGraphs.input("x", N, D))
                .addInitializer(TestGraphs.floats("w", new long[] {D, 1}, new double[D]))
                .addInitializer(TestGraphs.floats("b", new long[] {1}, 0))
                .addNode(TestGraphs.node("Gemm", "fc", new String[] {"x", "w", "b"}, "y"))
                .addOutput(TestGraphs.input("y", N, 1)));
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        weights.put("w", HostTensor.of(new long[] {D, 1}, 0.3, -0.2, 0.1, 0.5));
        weights.put("b", HostTensor.of(new long[] {1}, 0.05));
        Map<String, HostTensor> batch = Map.of("x", HostTensor.of(new long[] {N, D}, x),
                "target", HostTensor.of(new long[] {N, 1}, y));
        CurvatureModel m = CurvatureModel.build(model, batch, WeightBinding.allTrainable(weights), LossHead.MSE, null);

        double[][] a = augmented(x);
        double[][] h = new double[D + 1][D + 1];
        for (int i = 0; i <= D; i++) {
            for (int j = 0; j <= D; j++) {
                for (int r = 0; r < N; r++) {
                    h[i][j] += 2.0 * a[r][i] * a[r][j] / N;
                }
            }
        }
        assertMatches(m, h, 3, 1e-6);
    }

    /** Logistic regression with the mean binary cross-entropy written in the graph: H = X^T S X / n, S = p(1-p). */
    @Test
    void logisticRegressionMatchesXtSXOverN() {
        Random rng = new Random(2);
        double[] x = gaussian(rng, N * D);
        double[] labels = new double[N];
        for (int i = 0; i < N; i++) {
            labels[i] = rng.nextBoolean() ? 1 : 0;
        }
        double[] w = {0.4, -0.3, 0.8, 0.1};
        Onnx.ModelProto model = TestGraphs.model(13, TestGraphs.graph("logreg")
                .addInput(TestGraphs.input("x", N, D))
                .addInput(TestGraphs.input("y", N, 1))
                .addInitializer(TestGraphs.floats("w", new long[] {D, 1}, w))
                .addInitializer(TestGraphs.floats("one", new long[] {1}, 1))
                .addNode(TestGraphs.node("MatMul", "z", new String[] {"x", "w"}, "z"))
                .addNode(TestGraphs.node("Sigmoid", "p", new String[] {"z"}, "p"))
                .addNode(TestGraphs.node("Log", "logp", new String[] {"p"}, "logp"))
                .addNode(TestGraphs.node("Sub", "q", new String[] {"one", "p"}, "q"))
                .addNode(TestGraphs.node("Log", "logq", new String[] {"q"}, "logq"))
                .addNode(TestGraphs.node("Sub", "ny", new String[] {"one", "y"}, "ny"))
                .addNode(TestGraphs.node("Mul", "a", new String[] {"y", "logp"}, "a"))
                .addNode(TestGraphs.node("Mul", "b", new String[] {"ny", "logq"}, "b"))
                .addNode(TestGraphs.node("Add", "ll", new String[] {"a", "b"}, "ll"))
                .addNode(TestGraphs.node("ReduceMean", "mean", new String[] {"ll"}, "mll").addAttribute(TestGraphs.intAttr("keepdims", 0)))
                .addNode(TestGraphs.node("Neg", "loss", new String[] {"mll"}, "loss"))
                .addOutput(TestGraphs.input("loss")));
        Map<String, HostTensor> weights = Map.of("w", HostTensor.of(new long[] {D, 1}, w));
        Map<String, HostTensor> batch = Map.of("x", HostTensor.of(new long[] {N, D}, x),
                "y", HostTensor.of(new long[] {N, 1}, labels));
        CurvatureModel m = CurvatureModel.build(model, batch, WeightBinding.allTrainable(weights), LossHead.GRAPH, null);

        double[][] h = new double[D][D];
        double expectedLoss = 0;
        for (int r = 0; r < N; r++) {
            double z = 0;
            for (int i = 0; i < D; i++) {
                z += x[r * D + i] * w[i];
            }
            double p = 1 / (1 + Math.exp(-z));
            expectedLoss -= (labels[r] * Math.log(p) + (1 - labels[r]) * Math.log(1 - p)) / N;
            for (int i = 0; i < D; i++) {
                for (int j = 0; j < D; j++) {
                    h[i][j] += x[r * D + i] * p * (1 - p) * x[r * D + j] / N;
                }
            }
        }
        assertThat(m.loss().loss(m.point())).isCloseTo(expectedLoss, org.assertj.core.data.Offset.offset(1e-12));
        assertMatches(m, h, 3, 1e-6);
    }

    private static void assertMatches(CurvatureModel m, double[][] h, int k, double rel) {
        SymmetricEigen exact = SymmetricEigen.jacobi(h);
        double trace = 0;
        for (int i = 0; i < h.length; i++) {
            trace += h[i][i];
        }
        FiniteDifferenceHvp hvp = new FiniteDifferenceHvp(m.loss(), m.point());
        Lanczos.Result top = Lanczos.topEigenvalues(hvp, k, 1e-10, 50, 7);
        HutchinsonTrace.Estimate tr = HutchinsonTrace.estimate(hvp, 30, 7);

        for (int i = 0; i < k; i++) {
            assertThat(top.eigenvalues()[i]).as("eigenvalue " + i)
                    .isCloseTo(exact.values()[i], org.assertj.core.data.Offset.offset(rel * Math.abs(exact.values()[0])));
            assertThat(Math.abs(top.eigenvalues()[i] - exact.values()[i]) / Math.abs(exact.values()[i]))
                    .as("relative error of eigenvalue " + i).isLessThan(rel);
        }
        assertThat(tr.exact()).isTrue();
        assertThat(Math.abs(tr.mean() - trace) / trace).as("relative trace error").isLessThan(rel);
    }

    private static double[][] augmented(double[] x) {
        double[][] a = new double[N][D + 1];
        for (int r = 0; r < N; r++) {
            for (int i = 0; i < D; i++) {
                a[r][i] = x[r * D + i];
            }
            a[r][D] = 1;
        }
        return a;
    }

    /**
     * A linear 3 -> m model with MSE over all N * m outputs: the Hessian is block diagonal with m identical blocks
     * (2 / (N m)) A^T A, A = [X 1], so each of its 4 eigenvalues mu_1 > .. > mu_4 appears m times.
     */
    private record MultiOutput(CurvatureModel model, double[] mu) {
    }

    private static MultiOutput multiOutput(int m, long seed) {
        Random rng = new Random(seed);
        int d = 3;
        double[] x = gaussian(rng, N * d);
        for (int r = 0; r < N; r++) {
            x[r * d] *= 2.5;
            x[r * d + 1] *= 1.3;
        }
        Onnx.ModelProto model = TestGraphs.model(13, TestGraphs.graph("linear-" + m)
                .addInput(TestGraphs.input("x", N, d))
                .addInitializer(TestGraphs.floats("w", new long[] {d, m}, new double[d * m]))
                .addInitializer(TestGraphs.floats("b", new long[] {m}, new double[m]))
                .addNode(TestGraphs.node("Gemm", "fc", new String[] {"x", "w", "b"}, "y"))
                .addOutput(TestGraphs.input("y", N, m)));
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        weights.put("w", HostTensor.of(new long[] {d, m}, gaussian(rng, d * m)));
        weights.put("b", HostTensor.of(new long[] {m}, gaussian(rng, m)));
        Map<String, HostTensor> batch = Map.of("x", HostTensor.of(new long[] {N, d}, x),
                "target", HostTensor.of(new long[] {N, m}, gaussian(rng, N * m)));
        return new MultiOutput(CurvatureModel.build(model, batch, WeightBinding.allTrainable(weights), LossHead.MSE, null),
                blockEigenvalues(x, m));
    }

    /** mu_1 > .. > mu_4: the eigenvalues of one output's block (2 / (N m)) A^T A, by Jacobi. */
    private static double[] blockEigenvalues(double[] x, int m) {
        int d = 3;
        double[][] h = new double[d + 1][d + 1];
        for (int r = 0; r < N; r++) {
            for (int i = 0; i <= d; i++) {
                for (int j = 0; j <= d; j++) {
                    double ai = i < d ? x[r * d + i] : 1;
                    double aj = j < d ? x[r * d + j] : 1;
                    h[i][j] += 2.0 * ai * aj / (N * m);
                }
            }
        }
        return SymmetricEigen.jacobi(h).values();
    }

    @Test
    void twoOutputMseGivesEachEigenvalueTwice() {
        MultiOutput model = multiOutput(2, 11);
        double[] mu = model.mu();
        FiniteDifferenceHvp hvp = new FiniteDifferenceHvp(model.model().loss(), model.model().point());

        Lanczos.Result top = Lanczos.topEigenvalues(hvp, 3, 1e-3, 100, 7);

        assertThat(top.converged()).isTrue();
        assertRelative(top.eigenvalues(), new double[] {mu[0], mu[0], mu[1]}, 1e-6);
        assertThat(mu[1] / mu[0]).as("the distinct values are far apart, so a missed copy shows").isLessThan(0.8);
    }

    @Test
    void aSingleStartVectorWouldHaveReportedTheNextDistinctValue() {
        // the defect this guards against: one Krylov vector, every residual small, and lambda_2 wrong by mu_1 - mu_2
        MultiOutput model = multiOutput(2, 11);
        double[] mu = model.mu();
        FiniteDifferenceHvp hvp = new FiniteDifferenceHvp(model.model().loss(), model.model().point());

        Lanczos.Result single = Lanczos.topEigenvalues(hvp, 3, 1e-3, 100, 7,
                new Lanczos.Settings(1, 101, Lanczos.Precision.DOUBLE), (i, v) -> { });

        assertThat(single.converged()).isTrue();
        assertRelative(single.eigenvalues(), new double[] {mu[0], mu[1], mu[2]}, 1e-6);
    }

    @Test
    void tenOutputMseGivesEachEigenvalueTenTimes() {
        MultiOutput model = multiOutput(10, 12);
        double[] mu = model.mu();
        FiniteDifferenceHvp hvp = new FiniteDifferenceHvp(model.model().loss(), model.model().point());

        Lanczos.Result top3 = Lanczos.topEigenvalues(hvp, 3, 1e-3, 100, 7);
        Lanczos.Result top12 = Lanczos.topEigenvalues(hvp, 12, 1e-6, 200, 8);

        assertThat(top3.converged()).isTrue();
        assertRelative(top3.eigenvalues(), new double[] {mu[0], mu[0], mu[0]}, 1e-6);
        assertThat(top12.converged()).isTrue();
        double[] expected = new double[12];
        java.util.Arrays.fill(expected, 0, 10, mu[0]);
        java.util.Arrays.fill(expected, 10, 12, mu[1]);
        assertRelative(top12.eigenvalues(), expected, 1e-6);
    }

    private static void assertRelative(double[] actual, double[] expected, double rel) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i]) / Math.abs(expected[i]))
                    .as("eigenvalue %d: %s vs %s", i, actual[i], expected[i]).isLessThan(rel);
        }
    }

    static double[] gaussian(Random rng, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextGaussian();
        }
        return v;
    }
}
