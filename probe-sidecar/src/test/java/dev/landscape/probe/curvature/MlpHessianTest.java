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
 * A two-layer tanh MLP with cross-entropy, against its full Hessian computed independently: second differences of
 * a plain-Java implementation of the same loss (no SameDiff), eigen-decomposed by Jacobi.
 */
class MlpHessianTest {

    private static final int N = 16;
    private static final int IN = 3;
    private static final int HID = 5;
    private static final int OUT = 3;

    /** The model, its point, the loss's inputs and its Hessian by second differences of {@link #javaLoss}. */
    private record Fixture(CurvatureModel model, Onnx.ModelProto onnx, Map<String, HostTensor> batch, double[] x,
                           double[] labels, double[][] hessian) {
    }

    private static Fixture fixture;

    private static Fixture fixture() {
        if (fixture != null) {
            return fixture;
        }
        Random rng = new Random(3);
        double[] x = ClosedFormCurvatureTest.gaussian(rng, N * IN);
        double[] labels = new double[N];
        for (int i = 0; i < N; i++) {
            labels[i] = rng.nextInt(OUT);
        }
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        weights.put("fc1.weight", HostTensor.of(new long[] {IN, HID}, scaled(rng, IN * HID, 0.8)));
        weights.put("fc1.bias", HostTensor.of(new long[] {HID}, scaled(rng, HID, 0.1)));
        weights.put("fc2.weight", HostTensor.of(new long[] {HID, OUT}, scaled(rng, HID * OUT, 0.8)));
        weights.put("fc2.bias", HostTensor.of(new long[] {OUT}, scaled(rng, OUT, 0.1)));
        Onnx.ModelProto model = TestGraphs.model(13, TestGraphs.graph("mlp")
                .addInput(TestGraphs.input("x", N, IN))
                .addInitializer(TestGraphs.floats("fc1.weight", new long[] {IN, HID}, new double[IN * HID]))
                .addInitializer(TestGraphs.floats("fc1.bias", new long[] {HID}, new double[HID]))
                .addInitializer(TestGraphs.floats("fc2.weight", new long[] {HID, OUT}, new double[HID * OUT]))
                .addInitializer(TestGraphs.floats("fc2.bias", new long[] {OUT}, new double[OUT]))
                .addNode(TestGraphs.node("Gemm", "fc1", new String[] {"x", "fc1.weight", "fc1.bias"}, "h"))
                .addNode(TestGraphs.node("Tanh", "act", new String[] {"h"}, "a"))
                .addNode(TestGraphs.node("Gemm", "fc2", new String[] {"a", "fc2.weight", "fc2.bias"}, "logits"))
                .addOutput(TestGraphs.input("logits", N, OUT)));
        Map<String, HostTensor> batch = Map.of("x", HostTensor.of(new long[] {N, IN}, x),
                "target", HostTensor.ofIntegers(new long[] {N}, labels));
        CurvatureModel m = CurvatureModel.build(model, batch, WeightBinding.allTrainable(weights),
                LossHead.CROSS_ENTROPY, null);
        double[][] h = hessianBySecondDifferences(v -> javaLoss(v, x, labels), m.point(), 1e-4);
        fixture = new Fixture(m, model, batch, x, labels, h);
        return fixture;
    }

    @Test
    void lanczosAndTraceMatchTheFullFiniteDifferenceHessian() {
        Fixture f = fixture();
        CurvatureModel m = f.model();
        double[] w = m.point();
        int n = w.length;
        SymmetricEigen exact = SymmetricEigen.jacobi(f.hessian());
        double trace = 0;
        for (int i = 0; i < n; i++) {
            trace += f.hessian()[i][i];
        }
        FiniteDifferenceHvp hvp = new FiniteDifferenceHvp(m.loss(), w);
        Lanczos.Result top = Lanczos.topEigenvalues(hvp, 4, 1e-9, 60, 11);
        HutchinsonTrace.Estimate tr = HutchinsonTrace.estimate(hvp, 64, 11);

        assertThat(m.loss().loss(w)).isCloseTo(javaLoss(w, f.x(), f.labels()), org.assertj.core.data.Offset.offset(1e-12));
        double scale = exact.values()[0];
        for (int i = 0; i < 4; i++) {
            assertThat(Math.abs(top.eigenvalues()[i] - exact.values()[i]) / scale).as("eigenvalue " + i).isLessThan(1e-4);
        }
        assertThat(Math.abs(tr.mean() - trace) / Math.abs(trace)).isLessThan(1e-4);
    }

    @Test
    void aParameterSubsetGivesTheDiagonalBlockOfTheHessian() {
        Fixture f = fixture();
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        for (ParameterLayout.Slot s : f.model().layout().slots()) {
            weights.put(s.name(), HostTensor.of(s.shape(), java.util.Arrays.copyOfRange(f.model().point(), s.offset(),
                    s.offset() + s.length())));
        }
        // bound from checkpoint tensors with a wrapper prefix: the glob may name either
        WeightBinding binding = new WeightBinding(weights, Map.of("fc1.weight", "model.fc1.weight", "fc1.bias",
                "model.fc1.bias", "fc2.weight", "model.fc2.weight", "fc2.bias", "model.fc2.bias"),
                new java.util.LinkedHashSet<>(weights.keySet()), java.util.List.of(), java.util.List.of());
        CurvatureModel sub = CurvatureModel.build(f.onnx(), f.batch(), binding,
                LossHead.CROSS_ENTROPY, null, ParameterSubset.of(java.util.List.of("model.fc2.*")));
        int from = IN * HID + HID;
        double[][] block = block(f.hessian(), from, f.hessian().length);

        Lanczos.Result top = Lanczos.topEigenvalues(new FiniteDifferenceHvp(sub.loss(), sub.point()), 2, 1e-9, 60, 5);

        assertThat(sub.layout().dimension()).isEqualTo(HID * OUT + OUT);
        assertThat(sub.allParameters().dimension()).isEqualTo(f.hessian().length);
        SymmetricEigen exact = SymmetricEigen.jacobi(block);
        for (int i = 0; i < 2; i++) {
            assertThat(Math.abs(top.eigenvalues()[i] - exact.values()[i]) / exact.values()[0]).as("eigenvalue " + i)
                    .isLessThan(1e-4);
        }
    }

    @Test
    void perBlockGivesEachLayersTopBlockEigenvalueAndLeavesTheWeightsAsTheyWere() {
        Fixture f = fixture();
        CurvatureModel m = f.model();
        double before = m.loss().loss(m.point());
        // as in the analysis, the whole model's HVPs come first and leave its parameters perturbed
        double[] hv = new double[m.layout().dimension()];
        new FiniteDifferenceHvp(m.loss(), m.point()).apply(m.point(), hv);
        java.util.List<String> notes = new java.util.ArrayList<>();
        CurvatureOptions o = new CurvatureOptions(LossHead.CROSS_ENTROPY, null, 1, 1e-9, 60, 0, 3, false, null, false,
                null, 5, OptimizerSettings.NONE, ParameterSubset.ALL, true);

        java.util.List<CurvatureReport.BlockSharpness> blocks = CurvatureAnalysis.perBlock(m, o, notes);

        int fc2 = IN * HID + HID;
        int n = f.hessian().length;
        assertThat(blocks).extracting(CurvatureReport.BlockSharpness::name).containsExactly("fc1", "fc2");
        assertThat(blocks).extracting(CurvatureReport.BlockSharpness::parameters).containsExactly(fc2, n - fc2);
        double fc1Exact = SymmetricEigen.jacobi(block(f.hessian(), 0, fc2)).values()[0];
        double fc2Exact = SymmetricEigen.jacobi(block(f.hessian(), fc2, n)).values()[0];
        assertThat(blocks.get(0).lambdaMax()).isCloseTo(fc1Exact, org.assertj.core.data.Offset.offset(1e-4 * fc1Exact));
        assertThat(blocks.get(1).lambdaMax()).isCloseTo(fc2Exact, org.assertj.core.data.Offset.offset(1e-4 * fc2Exact));
        assertThat(blocks).allMatch(CurvatureReport.BlockSharpness::converged);
        // the graph's parameters are back at the checkpoint: the whole model's loss is unchanged
        assertThat(m.loss().loss(m.point())).isEqualTo(before);
    }

    @Test
    void aGlobThatMatchesNothingIsAnErrorListingTheParameters() {
        Fixture f = fixture();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ParameterSubset.of(java.util.List.of("fc3.*"))
                        .select(java.util.List.of("fc1.weight", "fc2.weight"), Map.of()))
                .isInstanceOf(CurvatureException.class)
                .hasMessageContaining("[fc3.*] match no parameter")
                .hasMessageContaining("fc1.weight");
        assertThat(f.model().layers().keySet()).containsExactly("fc1", "fc2");
    }

    private static double[][] block(double[][] h, int from, int to) {
        double[][] out = new double[to - from][to - from];
        for (int i = from; i < to; i++) {
            for (int j = from; j < to; j++) {
                out[i - from][j - from] = h[i][j];
            }
        }
        return out;
    }

    interface Fn {
        double at(double[] w);
    }

    static double[][] hessianBySecondDifferences(Fn f, double[] w, double h) {
        int n = w.length;
        double[][] out = new double[n][n];
        double[] p = w.clone();
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double s = 0;
                for (int a = -1; a <= 1; a += 2) {
                    for (int b = -1; b <= 1; b += 2) {
                        System.arraycopy(w, 0, p, 0, n);
                        p[i] += a * h;
                        p[j] += b * h;
                        s += a * b * f.at(p);
                    }
                }
                out[i][j] = s / (4 * h * h);
                out[j][i] = out[i][j];
            }
        }
        return out;
    }

    /** Mean softmax cross-entropy of tanh(x W1 + b1) W2 + b2, parameters in layout order w1, b1, w2, b2. */
    static double javaLoss(double[] p, double[] x, double[] labels) {
        int w1 = 0;
        int b1 = IN * HID;
        int w2 = b1 + HID;
        int b2 = w2 + HID * OUT;
        double total = 0;
        for (int r = 0; r < N; r++) {
            double[] a = new double[HID];
            for (int j = 0; j < HID; j++) {
                double s = p[b1 + j];
                for (int i = 0; i < IN; i++) {
                    s += x[r * IN + i] * p[w1 + i * HID + j];
                }
                a[j] = Math.tanh(s);
            }
            double[] z = new double[OUT];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < OUT; k++) {
                z[k] = p[b2 + k];
                for (int j = 0; j < HID; j++) {
                    z[k] += a[j] * p[w2 + j * OUT + k];
                }
                max = Math.max(max, z[k]);
            }
            double lse = 0;
            for (int k = 0; k < OUT; k++) {
                lse += Math.exp(z[k] - max);
            }
            total += -(z[(int) labels[r]] - max - Math.log(lse));
        }
        return total / N;
    }

    private static double[] scaled(Random rng, int n, double s) {
        double[] v = ClosedFormCurvatureTest.gaussian(rng, n);
        for (int i = 0; i < n; i++) {
            v[i] *= s;
        }
        return v;
    }
}
