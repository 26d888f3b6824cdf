package dev.landscape.probe.curvature;

import onnx.Onnx;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backward pass of translated CNN and transformer-block graphs against central differences of their own
 * forward pass: every HVP is built on these gradients, and the node tests only check forward values.
 * Loss = sum(output * R) with a fixed random R, so that every output element matters; a few coordinates of every
 * parameter tensor are checked ({@link GradientChecks}).
 */
class GradientConsistencyTest {

    private final Random rng = new Random(17);

    @Test
    void cnnWithBatchNormAndPooling() {
        Map<String, HostTensor> w = new LinkedHashMap<>();
        Onnx.GraphProto.Builder g = TestGraphs.graph("cnn").addInput(TestGraphs.input("x", 2, 3, 6, 6));
        param(g, w, "conv.weight", 0.3, 4, 3, 3, 3);
        param(g, w, "conv.bias", 0.1, 4);
        param(g, w, "bn.weight", 0.2, 4);
        param(g, w, "bn.bias", 0.1, 4);
        constant(g, "bn.mean", 4);
        g.addInitializer(TestGraphs.floats("bn.var", new long[] {4}, 0.5, 1.0, 1.5, 2.0));
        param(g, w, "fc.weight", 0.2, 5, 64);
        g.addNode(TestGraphs.node("Conv", "conv", new String[] {"x", "conv.weight", "conv.bias"}, "c")
                .addAttribute(ints("pads", 1, 1, 1, 1)).addAttribute(ints("kernel_shape", 3, 3)));
        g.addNode(TestGraphs.node("BatchNormalization", "bn",
                new String[] {"c", "bn.weight", "bn.bias", "bn.mean", "bn.var"}, "b"));
        g.addNode(TestGraphs.node("Tanh", "act", new String[] {"b"}, "a"));
        g.addNode(TestGraphs.node("MaxPool", "mp", new String[] {"a"}, "m")
                .addAttribute(ints("kernel_shape", 2, 2)).addAttribute(ints("strides", 2, 2)));
        g.addNode(TestGraphs.node("AveragePool", "ap", new String[] {"m"}, "p")
                .addAttribute(ints("kernel_shape", 2, 2)).addAttribute(ints("pads", 1, 1, 1, 1)));
        g.addNode(TestGraphs.node("Flatten", "flat", new String[] {"p"}, "f"));
        g.addNode(TestGraphs.node("Gemm", "fc", new String[] {"f", "fc.weight"}, "out").addAttribute(TestGraphs.intAttr("transB", 1)));
        check(g, w, "out", 2, 5);
    }

    @Test
    void transformerBlock() {
        int b = 2;
        int t = 4;
        int d = 8;
        Map<String, HostTensor> w = new LinkedHashMap<>();
        Onnx.GraphProto.Builder g = TestGraphs.graph("block").addInput(TestGraphs.input("x", b, t, d));
        param(g, w, "ln.weight", 0.3, d);
        param(g, w, "ln.bias", 0.1, d);
        param(g, w, "q", 0.3, d, d);
        param(g, w, "k", 0.3, d, d);
        param(g, w, "v", 0.3, d, d);
        param(g, w, "ff1", 0.3, d, 2 * d);
        param(g, w, "ff2", 0.3, 2 * d, d);
        g.addInitializer(TestGraphs.floats("scale", new long[] {1}, Math.sqrt(d)));
        g.addInitializer(TestGraphs.longs("shape", new long[] {2}, b, t * d));
        g.addNode(TestGraphs.node("LayerNormalization", "ln", new String[] {"x", "ln.weight", "ln.bias"}, "h"));
        g.addNode(TestGraphs.node("MatMul", "mq", new String[] {"h", "q"}, "Q"));
        g.addNode(TestGraphs.node("MatMul", "mk", new String[] {"h", "k"}, "K"));
        g.addNode(TestGraphs.node("MatMul", "mv", new String[] {"h", "v"}, "V"));
        g.addNode(TestGraphs.node("Transpose", "kt", new String[] {"K"}, "Kt").addAttribute(ints("perm", 0, 2, 1)));
        g.addNode(TestGraphs.node("MatMul", "qk", new String[] {"Q", "Kt"}, "S"));
        g.addNode(TestGraphs.node("Div", "sc", new String[] {"S", "scale"}, "Ss"));
        g.addNode(TestGraphs.node("Softmax", "sm", new String[] {"Ss"}, "A").addAttribute(TestGraphs.intAttr("axis", -1)));
        g.addNode(TestGraphs.node("MatMul", "av", new String[] {"A", "V"}, "O"));
        g.addNode(TestGraphs.node("Add", "res", new String[] {"x", "O"}, "r"));
        g.addNode(TestGraphs.node("MatMul", "f1", new String[] {"r", "ff1"}, "u"));
        g.addNode(TestGraphs.node("Gelu", "gelu", new String[] {"u"}, "gu"));
        g.addNode(TestGraphs.node("MatMul", "f2", new String[] {"gu", "ff2"}, "z"));
        g.addNode(TestGraphs.node("Concat", "cat", new String[] {"z", "r"}, "zc").addAttribute(TestGraphs.intAttr("axis", 1)));
        g.addNode(TestGraphs.node("ReduceMean", "rm", new String[] {"zc"}, "zm")
                .addAttribute(ints("axes", 1)).addAttribute(TestGraphs.intAttr("keepdims", 0)));
        g.addNode(TestGraphs.node("LogSoftmax", "lsm", new String[] {"zm"}, "out"));
        check(g, w, "out", b, d);
    }

    private void check(Onnx.GraphProto.Builder g, Map<String, HostTensor> weights, String out, long... outShape) {
        int n = (int) HostTensor.numel(outShape);
        double[] r = ClosedFormCurvatureTest.gaussian(rng, n);
        g.addInitializer(TestGraphs.floats("R", outShape, r));
        g.addNode(TestGraphs.node("Mul", "lossmul", new String[] {out, "R"}, "lm"));
        g.addNode(TestGraphs.node("ReduceSum", "losssum", new String[] {"lm"}, "loss").addAttribute(TestGraphs.intAttr("keepdims", 0)));
        g.addOutput(TestGraphs.input("loss"));
        Onnx.ModelProto model = TestGraphs.model(17, g);
        Onnx.ValueInfoProto in = model.getGraph().getInput(0);
        long[] xs = in.getType().getTensorType().getShape().getDimList().stream().mapToLong(Onnx.TensorShapeProto.Dimension::getDimValue).toArray();
        Map<String, HostTensor> batch = Map.of("x", HostTensor.of(xs, ClosedFormCurvatureTest.gaussian(rng, (int) HostTensor.numel(xs))));
        CurvatureModel m = CurvatureModel.build(model, batch, WeightBinding.allTrainable(weights), LossHead.GRAPH, "loss");
        GradientChecks.assertMatchesCentralDifferences(g.getName(), m, rng);
    }

    private void param(Onnx.GraphProto.Builder g, Map<String, HostTensor> w, String name, double s, long... shape) {
        int n = (int) HostTensor.numel(shape);
        double[] v = ClosedFormCurvatureTest.gaussian(rng, n);
        for (int i = 0; i < n; i++) {
            v[i] *= s;
        }
        g.addInitializer(TestGraphs.floats(name, shape));
        w.put(name, HostTensor.of(shape, v));
    }

    private void constant(Onnx.GraphProto.Builder g, String name, long... shape) {
        int n = (int) HostTensor.numel(shape);
        g.addInitializer(TestGraphs.floats(name, shape, ClosedFormCurvatureTest.gaussian(rng, n)));
    }

    private static Onnx.AttributeProto ints(String name, long... v) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }
}
