package dev.landscape.probe.curvature;

import onnx.Onnx;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Synthetic problems for the benchmark: MLPs of chosen size (Xavier-scaled weights; random or learnable labels) and a small CNN. */
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

    /**
     * The {@link #mlp} network, with the same initial weights, on data it can learn: each input is one of {@code out}
     * class means (drawn once from 0.5 N(0, I)) plus unit Gaussian noise, labels balanced. Trained on it, a classifier
     * gets the Hessian of a model that has learnt something, as opposed to one that memorised random labels.
     */
    public static CurvatureModel clusters(int n, int in, int hidden, int out, int layers) {
        return clusters(n, in, hidden, out, layers, LossHead.CROSS_ENTROPY);
    }

    /**
     * {@link #clusters(int, int, int, int, int)} under either loss: cross-entropy on the class indices, or
     * {@code MSE} on one-hot targets [n, out] (the square loss of Cohen et al. 2021, whose full-batch gradient
     * descent settles at the edge of stability).
     */
    public static CurvatureModel clusters(int n, int in, int hidden, int out, int layers, LossHead loss) {
        Problem p = problem(n, in, hidden, out, layers);
        Random rng = new Random(44);
        double[][] means = new double[out][in];
        for (double[] mean : means) {
            for (int i = 0; i < in; i++) {
                mean[i] = 0.5 * rng.nextGaussian();
            }
        }
        double[] x = new double[n * in];
        double[] y = new double[n];
        double[] oneHot = new double[n * out];
        for (int r = 0; r < n; r++) {
            int c = r % out;
            y[r] = c;
            oneHot[r * out + c] = 1;
            for (int i = 0; i < in; i++) {
                x[r * in + i] = means[c][i] + rng.nextGaussian();
            }
        }
        HostTensor target = loss == LossHead.MSE ? HostTensor.of(new long[] {n, out}, oneHot)
                : HostTensor.ofIntegers(new long[] {n}, y);
        Map<String, HostTensor> batch = Map.of("x", HostTensor.of(new long[] {n, in}, x), "target", target);
        return CurvatureModel.build(p.model(), batch, WeightBinding.allTrainable(p.weights()), loss, null);
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

    /**
     * A small CNN: x [n, 1, 8, 8] -> Conv(channels, 3x3, pad 1) -> Tanh -> MaxPool 2x2 -> Flatten -> Linear(out),
     * cross-entropy on labels that depend on the input (the sign of a fixed random projection, binned), so training
     * makes progress.
     */
    public static Problem cnn(int n, int channels, int out) {
        Random rng = new Random(43);
        Onnx.GraphProto.Builder g = TestGraphs.graph("cnn").addInput(TestGraphs.input("x", n, 1, 8, 8));
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        int flat = channels * 16;
        long[][] shapes = {{channels, 1, 3, 3}, {channels}, {out, flat}, {out}};
        String[] names = {"conv.weight", "conv.bias", "fc.weight", "fc.bias"};
        double[] scales = {1.0 / 3, 0.1, Math.sqrt(2.0 / (flat + out)), 0.1};
        for (int k = 0; k < 4; k++) {
            g.addInitializer(TestGraphs.floats(names[k], shapes[k]));
            double[] v = new double[(int) HostTensor.numel(shapes[k])];
            for (int i = 0; i < v.length; i++) {
                v[i] = scales[k] * rng.nextGaussian();
            }
            weights.put(names[k], HostTensor.of(shapes[k], v));
        }
        Onnx.AttributeProto.Builder pads = Onnx.AttributeProto.newBuilder().setName("pads")
                .setType(Onnx.AttributeProto.AttributeType.INTS).addInts(1).addInts(1).addInts(1).addInts(1);
        Onnx.AttributeProto.Builder kernel = Onnx.AttributeProto.newBuilder().setName("kernel_shape")
                .setType(Onnx.AttributeProto.AttributeType.INTS).addInts(2).addInts(2);
        Onnx.AttributeProto.Builder strides = Onnx.AttributeProto.newBuilder().setName("strides")
                .setType(Onnx.AttributeProto.AttributeType.INTS).addInts(2).addInts(2);
        g.addNode(TestGraphs.node("Conv", "conv", new String[] {"x", "conv.weight", "conv.bias"}, "c").addAttribute(pads));
        g.addNode(TestGraphs.node("Tanh", "act", new String[] {"c"}, "a"));
        g.addNode(TestGraphs.node("MaxPool", "pool", new String[] {"a"}, "p").addAttribute(kernel).addAttribute(strides));
        g.addNode(TestGraphs.node("Flatten", "flat", new String[] {"p"}, "f"));
        g.addNode(TestGraphs.node("Gemm", "fc", new String[] {"f", "fc.weight", "fc.bias"}, "logits")
                .addAttribute(TestGraphs.intAttr("transB", 1)));
        g.addOutput(TestGraphs.input("logits", n, out));
        double[] x = new double[n * 64];
        double[] proj = new double[64];
        for (int i = 0; i < 64; i++) {
            proj[i] = rng.nextGaussian();
        }
        double[] y = new double[n];
        for (int r = 0; r < n; r++) {
            double s = 0;
            for (int i = 0; i < 64; i++) {
                x[r * 64 + i] = rng.nextGaussian();
                s += x[r * 64 + i] * proj[i];
            }
            y[r] = Math.min(out - 1, Math.max(0, (int) Math.floor(s / 8 * out / 2 + out / 2.0)));
        }
        Map<String, HostTensor> batch = Map.of("x", HostTensor.of(new long[] {n, 1, 8, 8}, x),
                "target", HostTensor.ofIntegers(new long[] {n}, y));
        return new Problem(TestGraphs.model(17, g), batch, weights);
    }
}
