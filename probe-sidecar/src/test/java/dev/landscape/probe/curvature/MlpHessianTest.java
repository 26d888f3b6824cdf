package dev.landscape.probe.curvature;

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

    @Test
    void lanczosAndTraceMatchTheFullFiniteDifferenceHessian() {
        Random rng = new Random(3);
        double[] x = ClosedFormCurvatureTest.gaussian(rng, N * IN);
        double[] labels = new double[N];
        for (int i = 0; i < N; i++) {
            labels[i] = rng.nextInt(OUT);
        }
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        weights.put("w1", HostTensor.of(new long[] {IN, HID}, scaled(rng, IN * HID, 0.8)));
        weights.put("b1", HostTensor.of(new long[] {HID}, scaled(rng, HID, 0.1)));
        weights.put("w2", HostTensor.of(new long[] {HID, OUT}, scaled(rng, HID * OUT, 0.8)));
        weights.put("b2", HostTensor.of(new long[] {OUT}, scaled(rng, OUT, 0.1)));
        Onnx.ModelProto model = TestGraphs.model(13, TestGraphs.graph("mlp")
                .addInput(TestGraphs.input("x", N, IN))
                .addInitializer(TestGraphs.floats("w1", new long[] {IN, HID}, new double[IN * HID]))
                .addInitializer(TestGraphs.floats("b1", new long[] {HID}, new double[HID]))
                .addInitializer(TestGraphs.floats("w2", new long[] {HID, OUT}, new double[HID * OUT]))
                .addInitializer(TestGraphs.floats("b2", new long[] {OUT}, new double[OUT]))
                .addNode(TestGraphs.node("Gemm", "fc1", new String[] {"x", "w1", "b1"}, "h"))
                .addNode(TestGraphs.node("Tanh", "act", new String[] {"h"}, "a"))
                .addNode(TestGraphs.node("Gemm", "fc2", new String[] {"a", "w2", "b2"}, "logits"))
                .addOutput(TestGraphs.input("logits", N, OUT)));
        Map<String, HostTensor> batch = Map.of("x", HostTensor.of(new long[] {N, IN}, x),
                "target", HostTensor.ofIntegers(new long[] {N}, labels));
        CurvatureModel m = CurvatureModel.build(model, batch, WeightBinding.allTrainable(weights),
                LossHead.CROSS_ENTROPY, null);
        double[] w = m.point();
        int n = w.length;

        double[][] h = hessianBySecondDifferences(v -> javaLoss(v, x, labels), w, 1e-4);
        SymmetricEigen exact = SymmetricEigen.jacobi(h);
        double trace = 0;
        for (int i = 0; i < n; i++) {
            trace += h[i][i];
        }
        FiniteDifferenceHvp hvp = new FiniteDifferenceHvp(m.loss(), w);
        Lanczos.Result top = Lanczos.topEigenvalues(hvp, 4, 1e-9, 60, 11);
        HutchinsonTrace.Estimate tr = HutchinsonTrace.estimate(hvp, 64, 11);

        assertThat(m.loss().loss(w)).isCloseTo(javaLoss(w, x, labels), org.assertj.core.data.Offset.offset(1e-12));
        double scale = exact.values()[0];
        for (int i = 0; i < 4; i++) {
            assertThat(Math.abs(top.eigenvalues()[i] - exact.values()[i]) / scale).as("eigenvalue " + i).isLessThan(1e-4);
        }
        assertThat(Math.abs(tr.mean() - trace) / Math.abs(trace)).isLessThan(1e-4);
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
