package dev.landscape.probe.curvature;

import onnx.Onnx;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Synthetic MLP problems of chosen size for the benchmark (Xavier-scaled weights, random data and labels). */
public final class BenchModels {

    private BenchModels() {
    }

    /**
     * x [n, in] -> (Linear(h) -> Tanh) x layers -> Linear(out), cross-entropy on random labels. Initializers in the
     * ONNX graph are empty placeholders of the right shape; the weights come through the binding, as from a checkpoint.
     */
    public static CurvatureModel mlp(int n, int in, int hidden, int out, int layers) {
        Problem p = problem(n, in, hidden, out, layers);
        return CurvatureModel.build(p.model(), p.batch(), WeightBinding.allTrainable(p.weights()), LossHead.CROSS_ENTROPY, null);
    }

    /** A model, a batch (inputs and integer targets) and initial weights. */
    public record Problem(Onnx.ModelProto model, Map<String, HostTensor> batch, Map<String, HostTensor> weights) {
    }

    public static Problem problem(int n, int in, int hidden, int out, int layers) {
        Random rng = new Random(42);
        Onnx.GraphProto.Builder g = TestGraphs.graph("bench").addInput(TestGraphs.input("x", n, in));
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        String prev = "x";
        int width = in;
        for (int l = 0; l <= layers; l++) {
            int next = l == layers ? out : hidden;
            String w = "fc" + l + ".weight";
            String b = "fc" + l + ".bias";
            g.addInitializer(TestGraphs.floats(w, new long[] {next, width}));
            g.addInitializer(TestGraphs.floats(b, new long[] {next}));
            double[] wv = new double[next * width];
            double s = Math.sqrt(2.0 / (next + width));
            for (int i = 0; i < wv.length; i++) {
                wv[i] = s * rng.nextGaussian();
            }
            double[] bv = new double[next];
            for (int i = 0; i < bv.length; i++) {
                bv[i] = 0.1 * rng.nextGaussian();
            }
            weights.put(w, HostTensor.of(new long[] {next, width}, wv));
            weights.put(b, HostTensor.of(new long[] {next}, bv));
            String z = "z" + l;
            g.addNode(TestGraphs.node("Gemm", "fc" + l, new String[] {prev, w, b}, z).addAttribute(TestGraphs.intAttr("transB", 1)));
            if (l < layers) {
                g.addNode(TestGraphs.node("Tanh", "act" + l, new String[] {z}, "a" + l));
                prev = "a" + l;
            } else {
                prev = z;
            }
            width = next;
        }
        g.addOutput(TestGraphs.input(prev, n, out));
        double[] x = new double[n * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextGaussian();
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(out);
        }
        Map<String, HostTensor> batch = Map.of("x", HostTensor.of(new long[] {n, in}, x),
                "target", HostTensor.ofIntegers(new long[] {n}, y));
        return new Problem(TestGraphs.model(17, g), batch, weights);
    }
}
