package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.onnx.OnnxGraphTranslator;
import dev.landscape.probe.curvature.onnx.OnnxTensors;
import dev.landscape.probe.curvature.onnx.TranslatedGraph;
import dev.landscape.probe.testing.Fixtures;
import onnx.Onnx;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The operators of transformer exports against the ONNX project's node tests and the PyTorch exporter's single
 * operators in {@code ../shared/fixtures/onnx-transformer/} (model.onnx + test_data_set_0, read in place). Each case
 * runs three ways, because the translator has three paths for one op:
 * <ul>
 *   <li>{@code batch}: inputs fed as a batch is in production (float inputs are fed at run time, integer ones are
 *       folded), outputs compared with the reference;</li>
 *   <li>{@code folded}: every input known while translating (as initializers), so ops that fold compute the
 *       result in Java; compared with the reference;</li>
 *   <li>{@code gradient}: float inputs are trainable parameters; outputs compared with the reference and the
 *       gradient of {@code sum(R * output)} (R fixed, random) checked against central differences of the
 *       translated graph's own loss, on a few coordinates of every parameter. The old PyTorch cases were
 *       written from uninitialised tensors (inputs such as 1e198 and denormals, on which central differences say
 *       nothing): for those the gradient is checked at Gaussian inputs instead (their outputs are checked in the
 *       other two modes).</li>
 * </ul>
 * Cases whose op or attributes are outside the supported subset must fail with the node and the reason named.
 */
class TransformerNodeConformanceTest {

    private static final String ROOT = "onnx-transformer";

    private enum Mode { BATCH, FOLDED, GRADIENT }

    /** Ops in these folders that are refused on purpose: no transformer export needs them. */
    private static final Set<String> REFUSED_OPS = Set.of("ConvTranspose", "Pad", "InstanceNormalization");

    /**
     * Case (and mode, or every mode) to the reason it is refused, as the message must say it. Range's float
     * bounds are only known while translating when they are constants ({@code folded}); fed at run time they
     * cannot fix the output's length.
     */
    private static final Map<String, String> REFUSED = Map.of(
            "test_operator_convtranspose", "op type ConvTranspose is not supported",
            "test_operator_pad", "op type Pad is not supported",
            "test_operator_symbolic_override", "op type InstanceNormalization is not supported",
            "test_operator_maxpool", "2-D",
            "test_range_float_type_positive_delta/BATCH", "(start) must be known while translating",
            "test_range_float_type_positive_delta/GRADIENT", "(start) must be known while translating");

    /**
     * Ops whose result is computed in Java when every input is known: in {@code folded} mode a case made only of
     * them must produce a known output, not a SameDiff op.
     */
    private static final Set<String> FOLDING_OPS = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Equal", "Less",
            "LessOrEqual", "Greater", "GreaterOrEqual", "And", "Or", "Xor", "Not", "Max", "Min", "Sum", "Mean", "Where",
            "Clip", "Neg", "Abs", "Sqrt", "Exp", "Log", "Tanh", "Reciprocal", "Identity", "Reshape", "Flatten",
            "Squeeze", "Unsqueeze", "Transpose", "Concat", "Shape", "Constant", "Cast", "ConstantOfShape", "Range",
            "Gather", "Slice", "Split", "Expand", "Tile", "Trilu", "CumSum", "RotaryEmbedding");

    /** Beyond this many input elements a case runs in batch mode only (the PyTorch Conv case has 656,448). */
    private static final long LARGE = 20_000;

    @TestFactory
    Stream<DynamicNode> nodeTests() {
        return cases("node").stream().map(TransformerNodeConformanceTest::container);
    }

    @TestFactory
    Stream<DynamicNode> pytorchOperators() {
        return cases("pytorch-operator").stream().map(TransformerNodeConformanceTest::container);
    }

    @Test
    void everyOpInTheFoldersIsSupportedOrRefusedByName() {
        Set<String> ops = new TreeSet<>();
        for (String folder : List.of("node", "pytorch-operator")) {
            for (Path dir : cases(folder)) {
                model(dir).getGraph().getNodeList().forEach(n -> ops.add(n.getOpType()));
            }
        }
        Set<String> unaccounted = new TreeSet<>(ops);
        unaccounted.removeAll(OnnxGraphTranslator.supportedOps());
        assertThat(unaccounted).isEqualTo(REFUSED_OPS);
        assertThat(OnnxGraphTranslator.supportedOps()).doesNotContainAnyElementsOf(REFUSED_OPS);
    }

    private static List<Path> cases(String folder) {
        Path root = Fixtures.file(ROOT + "/" + folder);
        try (Stream<Path> s = Files.list(root)) {
            List<Path> out = s.filter(Files::isDirectory).sorted().toList();
            assertThat(out).as("cases in " + root).hasSizeGreaterThanOrEqualTo(folder.equals("node") ? 45 : 35);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DynamicContainer container(Path dir) {
        String name = dir.getFileName().toString();
        return DynamicContainer.dynamicContainer(name, Stream.of(Mode.values())
                .map(m -> DynamicTest.dynamicTest(m.name().toLowerCase(java.util.Locale.ROOT), () -> run(dir, m))));
    }

    private static void run(Path dir, Mode mode) throws IOException {
        String name = dir.getFileName().toString();
        Onnx.ModelProto model = model(dir);
        String refusal = REFUSED.getOrDefault(name + "/" + mode, REFUSED.get(name));
        Case c = Case.load(dir, model);
        long size = c.inputs().values().stream().mapToLong(HostTensor::numel).sum();
        Assumptions.assumeTrue(mode == Mode.BATCH || size <= LARGE, name + " has " + size + " input elements: "
                + "checked in batch mode only (its op's backward pass is GradientConsistencyTest's)");
        if (refusal != null) {
            String op = model.getGraph().getNodeCount() == 1 ? model.getGraph().getNode(0).getOpType() : "";
            assertThatThrownBy(() -> c.check(mode)).isInstanceOf(CurvatureException.class)
                    .hasMessageStartingWith(op).hasMessageContaining(" node ").hasMessageContaining(refusal);
            return;
        }
        c.check(mode);
    }

    /** One node-test folder: the model, its non-initializer inputs with their data, and the reference outputs. */
    private record Case(String name, Onnx.ModelProto model, Map<String, HostTensor> inputs,
                        Map<String, HostTensor> expected) {

        static Case load(Path dir, Onnx.ModelProto model) throws IOException {
            Set<String> initializers = new java.util.HashSet<>();
            model.getGraph().getInitializerList().forEach(t -> initializers.add(t.getName()));
            Map<String, HostTensor> inputs = new LinkedHashMap<>();
            List<Onnx.ValueInfoProto> declared = model.getGraph().getInputList().stream()
                    .filter(i -> !initializers.contains(i.getName())).toList();
            for (int i = 0; i < declared.size(); i++) {
                inputs.put(declared.get(i).getName(), tensor(dir.resolve("test_data_set_0/input_" + i + ".pb")));
            }
            Map<String, HostTensor> expected = new LinkedHashMap<>();
            List<Onnx.ValueInfoProto> outputs = model.getGraph().getOutputList();
            for (int i = 0; i < outputs.size(); i++) {
                expected.put(outputs.get(i).getName(), tensor(dir.resolve("test_data_set_0/output_" + i + ".pb")));
            }
            return new Case(dir.getFileName().toString(), model, inputs, expected);
        }

        void check(Mode mode) {
            switch (mode) {
                case BATCH -> compare(OnnxGraphTranslator.translate(model, inputs, Map.of(), Set.of()), inputs);
                case FOLDED -> {
                    TranslatedGraph g = OnnxGraphTranslator.translate(withInitializers(model), Map.of(), inputs, Set.of());
                    compare(g, Map.of());
                    if (model.getGraph().getNodeList().stream().allMatch(n -> FOLDING_OPS.contains(n.getOpType()))) {
                        expected.keySet().forEach(o -> assertThat(g.value(o).isKnown()).as(name + " output " + o
                                + " folded").isTrue());
                    }
                }
                case GRADIENT -> gradient();
            }
        }

        /** The inputs also as initializers: the translator takes an initializer's value in place of a feed. */
        private Onnx.ModelProto withInitializers(Onnx.ModelProto m) {
            Onnx.GraphProto.Builder g = m.getGraph().toBuilder();
            inputs.forEach((n, t) -> g.addInitializer(TestGraphs.floats(n, t.shape())));
            return m.toBuilder().setGraph(g).build();
        }

        private void compare(TranslatedGraph g, Map<String, HostTensor> feeds) {
            Map<String, INDArray> placeholders = new HashMap<>();
            g.placeholders().forEach((onnx, sd) -> placeholders.put(sd, OnnxGraphTranslator.array(feeds.get(onnx))));
            List<String> sdNames = expected.keySet().stream().map(g::sameDiffName).toList();
            Map<String, INDArray> actual = g.sameDiff().output(placeholders, sdNames.toArray(String[]::new));
            int i = 0;
            for (Map.Entry<String, HostTensor> e : expected.entrySet()) {
                String what = name + " output " + e.getKey();
                INDArray got = actual.get(sdNames.get(i++));
                assertThat(g.shape(e.getKey())).as(what + " static shape").containsExactly(e.getValue().shape());
                assertThat(got.shape()).as(what + " shape").containsExactly(e.getValue().shape());
                assertClose(what, got.dup('c').data().asDouble(), e.getValue().values());
            }
        }

        /**
         * Float inputs become trainable initializers; integer ones stay folded constants. The loss sums every float
         * output against a fixed random tensor, so every output element reaches the gradient.
         */
        private void gradient() {
            Map<String, HostTensor> params = new LinkedHashMap<>();
            Map<String, HostTensor> constants = new LinkedHashMap<>();
            inputs.forEach((n, t) -> (t.integral() ? constants : params).put(n, t));
            Onnx.GraphProto.Builder g = withInitializers(model).getGraph().toBuilder();
            Random rng = new Random(name.hashCode());
            boolean garbage = params.values().stream().flatMapToDouble(t -> Arrays.stream(t.values()))
                    .anyMatch(v -> !Double.isFinite(v) || Math.abs(v) > 1e6 || (v != 0 && Math.abs(v) < 1e-30));
            if (garbage) {
                params.replaceAll((n, t) -> HostTensor.of(t.shape(), ClosedFormCurvatureTest.gaussian(rng, (int) t.numel())));
            }
            String total = null;
            int k = 0;
            for (Map.Entry<String, HostTensor> e : expected.entrySet()) {
                if (e.getValue().integral()) {
                    continue;
                }
                String r = "landscape_r" + k;
                double[] rv = ClosedFormCurvatureTest.gaussian(rng, (int) e.getValue().numel());
                g.addInitializer(TestGraphs.floats(r, e.getValue().shape(), rv));
                g.addNode(TestGraphs.node("Mul", "landscape_mul" + k, new String[] {e.getKey(), r}, r + "_m"));
                g.addNode(TestGraphs.node("ReduceSum", "landscape_sum" + k, new String[] {r + "_m"}, r + "_s")
                        .addAttribute(TestGraphs.intAttr("keepdims", 0)));
                if (total != null) {
                    g.addNode(TestGraphs.node("Add", "landscape_add" + k, new String[] {total, r + "_s"}, r + "_t"));
                    total = r + "_t";
                } else {
                    total = r + "_s";
                }
                k++;
            }
            Map<String, HostTensor> values = new LinkedHashMap<>(params);
            values.putAll(constants);
            if (total == null || params.isEmpty()) {
                // No float output or no float input: nothing to differentiate; the forward pass is still checked.
                compare(OnnxGraphTranslator.translate(withInitializers(model), Map.of(), values, params.keySet()), Map.of());
                return;
            }
            g.addOutput(TestGraphs.input(total));
            Onnx.ModelProto withLoss = model.toBuilder().setGraph(g).build();
            WeightBinding binding = new WeightBinding(values, Map.of(), params.keySet(), List.of(), List.of());
            CurvatureModel m = CurvatureModel.build(withLoss, Map.of(), binding, LossHead.GRAPH, total);
            if (!garbage) {
                compare(m.graph(), Map.of());
            }
            GradientChecks.assertMatchesCentralDifferences(name, m, rng);
        }
    }

    static void assertClose(String what, double[] got, double[] want) {
        assertThat(got).as(what + " length").hasSameSizeAs(want);
        for (int k = 0; k < want.length; k++) {
            boolean same = Double.compare(got[k], want[k]) == 0
                    || Math.abs(got[k] - want[k]) <= 1e-5 + 1e-6 * Math.abs(want[k]);
            assertThat(same).as(what + " element " + k + " (got " + got[k] + ", want " + want[k] + ")").isTrue();
        }
    }

    private static Onnx.ModelProto model(Path dir) {
        try (InputStream in = Files.newInputStream(dir.resolve("model.onnx"))) {
            return Onnx.ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HostTensor tensor(Path pb) throws IOException {
        try (InputStream in = Files.newInputStream(pb)) {
            return OnnxTensors.decode(Onnx.TensorProto.parseFrom(in));
        }
    }
}
