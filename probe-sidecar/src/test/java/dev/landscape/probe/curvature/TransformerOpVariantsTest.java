package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.onnx.OnnxGraphTranslator;
import dev.landscape.probe.curvature.onnx.TranslatedGraph;
import onnx.Onnx;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static dev.landscape.probe.curvature.TorchStyleGraph.attr;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attribute variants the node-test fixtures do not reach: Trilu with k and upper, CumSum exclusive and reversed,
 * strided Slice, Gather along an inner axis with repeated and negative indices, logic on computed comparisons,
 * RotaryEmbedding interleaved and partial on 3-D input, Attention with grouped KV heads, a causal and a boolean
 * mask and softcap. Index and logic ops must give the same result computed in SameDiff (input a parameter) as
 * folded in Java (input a constant), and a correct gradient; the fused attention ops are checked against the ONNX
 * specification's formulas written out here.
 */
class TransformerOpVariantsTest {

    private static final long[] X = {2, 3, 4};

    private record Variant(String name, Onnx.NodeProto.Builder node, long[] outShape) {
    }

    private static List<Variant> variants() {
        return List.of(
                new Variant("trilu upper k=1", TestGraphs.node("Trilu", "t", new String[] {"x", "one"}, "y"), X),
                new Variant("trilu lower k=-1", TestGraphs.node("Trilu", "t", new String[] {"x", "minusOne"}, "y")
                        .addAttribute(attr("upper", 0L)), X),
                new Variant("cumsum exclusive reverse", TestGraphs.node("CumSum", "c", new String[] {"x", "one"}, "y")
                        .addAttribute(attr("exclusive", 1L)).addAttribute(attr("reverse", 1L)), X),
                new Variant("slice strided backwards", TestGraphs.node("Slice", "s",
                        new String[] {"x", "sliceStarts", "sliceEnds", "sliceAxes", "sliceSteps"}, "y"), new long[] {2, 2, 2}),
                new Variant("gather inner axis", TestGraphs.node("Gather", "g", new String[] {"x", "indices"}, "y")
                        .addAttribute(attr("axis", 2L)), new long[] {2, 3, 2, 3}),
                new Variant("tile", TestGraphs.node("Tile", "t", new String[] {"x", "repeats"}, "y"), new long[] {4, 3, 8}),
                new Variant("expand", TestGraphs.node("Expand", "e", new String[] {"x", "expandShape"}, "y"), new long[] {2, 2, 3, 4}),
                new Variant("mean of three", TestGraphs.node("Mean", "m", new String[] {"x", "row", "x"}, "y"), X),
                new Variant("max of three", TestGraphs.node("Max", "m", new String[] {"x", "row", "minusX"}, "y"), X));
    }

    @TestFactory
    Stream<DynamicTest> computedAndFoldedPathsAgreeAndDifferentiate() {
        return variants().stream().map(v -> DynamicTest.dynamicTest(v.name(), () -> check(v)));
    }

    private static void check(Variant v) {
        Random rng = new Random(v.name().hashCode());
        HostTensor x = HostTensor.of(X, ClosedFormCurvatureTest.gaussian(rng, 24));
        Onnx.GraphProto.Builder g = constants(TestGraphs.graph("v")).addInitializer(TestGraphs.floats("x", X))
                .addNode(TestGraphs.node("Neg", "neg", new String[] {"x"}, "minusX")).addNode(v.node())
                .addOutput(TestGraphs.input("y", v.outShape()));
        Onnx.ModelProto model = TestGraphs.model(18, g);

        TranslatedGraph folded = OnnxGraphTranslator.translate(model, Map.of(), Map.of("x", x), Set.of());
        TranslatedGraph computed = OnnxGraphTranslator.translate(model, Map.of(), Map.of("x", x), Set.of("x"));

        assertThat(folded.value("y").isKnown()).as("folded").isTrue();
        assertThat(computed.value("y").isKnown()).as("computed").isFalse();
        assertThat(computed.shape("y")).containsExactly(v.outShape());
        TransformerNodeConformanceTest.assertClose(v.name(), output(computed, "y"), folded.value("y").host().values());
        double[] r = ClosedFormCurvatureTest.gaussian(rng, (int) HostTensor.numel(v.outShape()));
        g.addInitializer(TestGraphs.floats("R", v.outShape(), r))
                .addNode(TestGraphs.node("Mul", "lm", new String[] {"y", "R"}, "yr"))
                .addNode(TestGraphs.node("ReduceSum", "ls", new String[] {"yr"}, "loss").addAttribute(attr("keepdims", 0L)))
                .addOutput(TestGraphs.input("loss"));
        CurvatureModel m = CurvatureModel.build(TestGraphs.model(18, g), Map.of(), WeightBinding.allTrainable(Map.of("x", x)),
                LossHead.GRAPH, "loss");
        GradientChecks.assertMatchesCentralDifferences(v.name(), m, rng);
    }

    @Test
    void logicOnComputedComparisonsMatchesTheFoldedResult() {
        HostTensor x = HostTensor.of(X, ClosedFormCurvatureTest.gaussian(new Random(4), 24));
        Onnx.GraphProto.Builder g = constants(TestGraphs.graph("logic")).addInitializer(TestGraphs.floats("x", X))
                .addNode(TestGraphs.node("Greater", "gt", new String[] {"x", "zero"}, "pos"))
                .addNode(TestGraphs.node("Less", "lt", new String[] {"x", "half"}, "small"))
                .addNode(TestGraphs.node("And", "and", new String[] {"pos", "small"}, "a"))
                .addNode(TestGraphs.node("Or", "or", new String[] {"a", "pos"}, "o"))
                .addNode(TestGraphs.node("Xor", "xor", new String[] {"o", "small"}, "xo"))
                .addNode(TestGraphs.node("Not", "not", new String[] {"xo"}, "y"))
                .addOutput(TestGraphs.valueInfo("y", Onnx.TensorProto.DataType.BOOL, X));
        Onnx.ModelProto model = TestGraphs.model(18, g);

        TranslatedGraph folded = OnnxGraphTranslator.translate(model, Map.of(), Map.of("x", x), Set.of());
        TranslatedGraph computed = OnnxGraphTranslator.translate(model, Map.of(), Map.of("x", x), Set.of("x"));

        double[] want = new double[24];
        for (int i = 0; i < 24; i++) {
            boolean pos = x.values()[i] > 0;
            boolean small = x.values()[i] < 0.5;
            want[i] = ((pos && small) || pos) ^ small ? 0 : 1;
        }
        assertThat(folded.value("y").host().values()).containsExactly(want);
        assertThat(output(computed, "y")).containsExactly(want);
    }

    /** RotaryEmbedding (opset 23) interleaved, rotating 4 of 6 channels per head, on [B, S, heads * size]. */
    @Test
    void rotaryEmbeddingInterleavedAndPartialOnThreeDimensionalInput() {
        int b = 2;
        int s = 3;
        int heads = 2;
        int size = 6;
        int rot = 4;
        Random rng = new Random(8);
        double[] x = ClosedFormCurvatureTest.gaussian(rng, b * s * heads * size);
        double[] cos = ClosedFormCurvatureTest.gaussian(rng, 5 * rot / 2);
        double[] sin = ClosedFormCurvatureTest.gaussian(rng, 5 * rot / 2);
        long[] pos = {4, 0, 2, 1, 1, 3};
        Onnx.GraphProto.Builder g = TestGraphs.graph("rope")
                .addInitializer(TestGraphs.floats("x", new long[] {b, s, heads * size}))
                .addInitializer(TestGraphs.floats("cos", new long[] {5, rot / 2}, cos))
                .addInitializer(TestGraphs.floats("sin", new long[] {5, rot / 2}, sin))
                .addInitializer(TestGraphs.longs("pos", new long[] {b, s}, pos))
                .addNode(TestGraphs.node("RotaryEmbedding", "r", new String[] {"x", "cos", "sin", "pos"}, "y")
                        .addAttribute(attr("interleaved", 1L)).addAttribute(attr("rotary_embedding_dim", (long) rot))
                        .addAttribute(attr("num_heads", (long) heads)))
                .addOutput(TestGraphs.input("y", b, s, heads * size));
        HostTensor xt = HostTensor.of(new long[] {b, s, heads * size}, x);
        TranslatedGraph t = OnnxGraphTranslator.translate(TestGraphs.model(23, g), Map.of(), Map.of("x", xt), Set.of("x"));
        double[] cf = floats(cos);
        double[] sf = floats(sin);

        double[] want = x.clone();
        for (int bi = 0; bi < b; bi++) {
            for (int si = 0; si < s; si++) {
                int p = (int) pos[bi * s + si];
                for (int h = 0; h < heads; h++) {
                    int base = (bi * s + si) * heads * size + h * size;
                    for (int i = 0; i < rot / 2; i++) {
                        double x1 = x[base + 2 * i];
                        double x2 = x[base + 2 * i + 1];
                        double c = cf[p * rot / 2 + i];
                        double sn = sf[p * rot / 2 + i];
                        want[base + 2 * i] = c * x1 - sn * x2;
                        want[base + 2 * i + 1] = sn * x1 + c * x2;
                    }
                }
            }
        }
        TransformerNodeConformanceTest.assertClose("rope", output(t, "y"), want);
    }

    /**
     * Attention (opset 23) on 3-D input with 4 query heads sharing 2 KV heads, a boolean mask, is_causal, softcap and
     * an explicit scale, against the specification's formula: softmax(softcap(s q.k) + bias) v.
     */
    @Test
    void attentionWithGroupedHeadsCausalAndBooleanMasksAndSoftcap() {
        int b = 1;
        int sq = 3;
        int skv = 3;
        int qHeads = 4;
        int kvHeads = 2;
        int size = 2;
        double scale = 0.7;
        double softcap = 2.5;
        Random rng = new Random(12);
        double[] q = ClosedFormCurvatureTest.gaussian(rng, b * sq * qHeads * size);
        double[] k = ClosedFormCurvatureTest.gaussian(rng, b * skv * kvHeads * size);
        double[] v = ClosedFormCurvatureTest.gaussian(rng, b * skv * kvHeads * size);
        long[] mask = {1, 0, 1, 1, 1, 1, 1, 1, 1};
        Onnx.GraphProto.Builder g = TestGraphs.graph("attn")
                .addInitializer(TestGraphs.floats("q", new long[] {b, sq, qHeads * size}))
                .addInitializer(TestGraphs.floats("k", new long[] {b, skv, kvHeads * size}))
                .addInitializer(TestGraphs.floats("v", new long[] {b, skv, kvHeads * size}))
                .addInitializer(boolMask("mask", new long[] {sq, skv}, mask))
                .addNode(TestGraphs.node("Attention", "a", new String[] {"q", "k", "v", "mask"}, "y")
                        .addAttribute(attr("q_num_heads", (long) qHeads)).addAttribute(attr("kv_num_heads", (long) kvHeads))
                        .addAttribute(attr("is_causal", 1L)).addAttribute(attr("scale", scale))
                        .addAttribute(attr("softcap", softcap)))
                .addOutput(TestGraphs.input("y", b, sq, qHeads * size));
        Map<String, HostTensor> w = new LinkedHashMap<>();
        w.put("q", HostTensor.of(new long[] {b, sq, qHeads * size}, q));
        w.put("k", HostTensor.of(new long[] {b, skv, kvHeads * size}, k));
        w.put("v", HostTensor.of(new long[] {b, skv, kvHeads * size}, v));
        TranslatedGraph t = OnnxGraphTranslator.translate(TestGraphs.model(23, g), Map.of(), w, w.keySet());
        double s = (float) scale;
        double cap = (float) softcap;

        double[] want = new double[sq * qHeads * size];
        for (int h = 0; h < qHeads; h++) {
            int kh = h / (qHeads / kvHeads);
            for (int i = 0; i < sq; i++) {
                double[] p = new double[skv];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < skv; j++) {
                    double dot = 0;
                    for (int e = 0; e < size; e++) {
                        dot += q[i * qHeads * size + h * size + e] * k[j * kvHeads * size + kh * size + e];
                    }
                    boolean allowed = mask[i * skv + j] != 0 && j <= i;
                    p[j] = allowed ? cap * Math.tanh(s * dot / cap) : Double.NEGATIVE_INFINITY;
                    max = Math.max(max, p[j]);
                }
                double z = 0;
                for (int j = 0; j < skv; j++) {
                    p[j] = Math.exp(p[j] - max);
                    z += p[j];
                }
                for (int e = 0; e < size; e++) {
                    double o = 0;
                    for (int j = 0; j < skv; j++) {
                        o += p[j] / z * v[j * kvHeads * size + kh * size + e];
                    }
                    want[i * qHeads * size + h * size + e] = o;
                }
            }
        }
        TransformerNodeConformanceTest.assertClose("attention", output(t, "y"), want);
    }

    /** Shapes, indices and bounds the variants read, all known. */
    private static Onnx.GraphProto.Builder constants(Onnx.GraphProto.Builder g) {
        return g.addInitializer(TestGraphs.longs("one", new long[0], 1))
                .addInitializer(TestGraphs.longs("minusOne", new long[0], -1))
                .addInitializer(TestGraphs.longs("sliceStarts", new long[] {2}, 0, -1))
                .addInitializer(TestGraphs.longs("sliceEnds", new long[] {2}, 3, 0))
                .addInitializer(TestGraphs.longs("sliceAxes", new long[] {2}, 1, 2))
                .addInitializer(TestGraphs.longs("sliceSteps", new long[] {2}, 2, -2))
                .addInitializer(TestGraphs.longs("indices", new long[] {2, 3}, 3, -1, 0, 1, 1, -4))
                .addInitializer(TestGraphs.longs("repeats", new long[] {3}, 2, 1, 2))
                .addInitializer(TestGraphs.longs("expandShape", new long[] {4}, 2, 1, 3, 4))
                .addInitializer(TestGraphs.floats("row", new long[] {4}, 0.3, -0.2, 0.1, 2.0))
                .addInitializer(TestGraphs.floats("zero", new long[0], 0))
                .addInitializer(TestGraphs.floats("half", new long[0], 0.5));
    }

    private static Onnx.TensorProto boolMask(String name, long[] dims, long[] values) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.BOOL.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        for (long v : values) {
            t.addInt32Data((int) v);
        }
        return t.build();
    }

    private static double[] output(TranslatedGraph g, String name) {
        INDArray out = g.sameDiff().output(Map.of(), g.sameDiffName(name)).get(g.sameDiffName(name));
        return out.dup('c').data().asDouble();
    }

    private static double[] floats(double[] v) {
        double[] f = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
