package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.onnx.OnnxGraphTranslator;
import dev.landscape.probe.curvature.onnx.OnnxTensors;
import dev.landscape.probe.curvature.onnx.TranslatedGraph;
import dev.landscape.probe.testing.Fixtures;
import onnx.Onnx;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every supported op against the ONNX project's own backend node tests (model.onnx + test_data_set_0), read in
 * place from the shared fixtures: translate, run forward, compare every output with the reference.
 */
class OnnxNodeConformanceTest {

    @TestFactory
    Stream<DynamicTest> everyNodeTestMatchesItsReferenceOutputs() throws IOException {
        Path root = Fixtures.file("onnx/onnx/backend/test/data/node");
        List<Path> cases;
        try (Stream<Path> s = Files.list(root)) {
            cases = s.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(cases).hasSizeGreaterThanOrEqualTo(72);
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
    }

    @TestFactory
    Stream<DynamicTest> pytorchExportedModelsMatchTheirReferenceOutputs() throws IOException {
        Path root = Fixtures.file("onnx/onnx/backend/test/data/pytorch-converted");
        List<Path> cases;
        try (Stream<Path> s = Files.list(root)) {
            cases = s.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(cases).extracting(p -> p.getFileName().toString()).contains("test_Linear", "test_Conv2d");
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
    }

    /** Folders whose op is outside the documented subset: they must fail with the op and node named. */
    private static final Set<String> REJECTED = Set.of("test_isnan", "test_cast_FLOAT_to_BFLOAT16",
            "test_cast_FLOAT_to_FLOAT16", "test_cast_FLOAT_to_FLOAT8E4M3FN");

    private static void check(Path dir) throws IOException {
        Onnx.ModelProto model = read(dir.resolve("model.onnx"), Onnx.ModelProto::parseFrom);
        if (REJECTED.contains(dir.getFileName().toString())) {
            String op = model.getGraph().getNode(0).getOpType();
            assertThatThrownBy(() -> translate(dir, model)).isInstanceOf(CurvatureException.class)
                    .hasMessageStartingWith(op + " node #0: ").hasMessageContaining("not supported");
            return;
        }
        translate(dir, model);
    }

    private static void translate(Path dir, Onnx.ModelProto model) throws IOException {
        Map<String, HostTensor> feeds = new HashMap<>();
        Set<String> initializers = new java.util.HashSet<>();
        model.getGraph().getInitializerList().forEach(t -> initializers.add(t.getName()));
        List<Onnx.ValueInfoProto> inputs = model.getGraph().getInputList().stream()
                .filter(i -> !initializers.contains(i.getName())).toList();
        for (int i = 0; i < inputs.size(); i++) {
            Onnx.TensorProto t = read(dir.resolve("test_data_set_0/input_" + i + ".pb"), Onnx.TensorProto::parseFrom);
            feeds.put(inputs.get(i).getName(), OnnxTensors.decode(t));
        }
        TranslatedGraph g = OnnxGraphTranslator.translate(model, feeds, Map.of(), Set.of());
        Map<String, INDArray> placeholders = new HashMap<>();
        g.placeholders().forEach((onnx, sd) -> placeholders.put(sd, OnnxGraphTranslator.array(feeds.get(onnx))));
        List<Onnx.ValueInfoProto> outputs = model.getGraph().getOutputList();
        List<String> sdNames = new ArrayList<>();
        outputs.forEach(o -> sdNames.add(g.sameDiffName(o.getName())));
        Map<String, INDArray> actual = g.sameDiff().output(placeholders, sdNames.toArray(String[]::new));
        for (int i = 0; i < outputs.size(); i++) {
            HostTensor expected = OnnxTensors.decode(read(dir.resolve("test_data_set_0/output_" + i + ".pb"),
                    Onnx.TensorProto::parseFrom));
            INDArray got = actual.get(sdNames.get(i));
            String what = dir.getFileName() + " output " + outputs.get(i).getName();
            assertThat(g.shape(outputs.get(i).getName())).as(what + " static shape").containsExactly(expected.shape());
            assertThat(got.shape()).as(what + " shape").containsExactly(expected.shape());
            double[] v = got.dup('c').data().asDouble();
            double[] e = expected.values();
            for (int k = 0; k < e.length; k++) {
                double tol = 1e-5 + 1e-6 * Math.abs(e[k]);
                assertThat(Math.abs(v[k] - e[k])).as(what + " element " + k + " (got " + v[k] + ", want " + e[k] + ")")
                        .isLessThanOrEqualTo(tol);
            }
        }
    }

    @Test
    void unsupportedOpIsNamedWithItsNode() {
        Onnx.ModelProto model = TestGraphs.model(13, TestGraphs.graph("g")
                .addInput(TestGraphs.input("x", 2, 3))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Einsum").setName("mix").addInput("x").addOutput("y"))
                .addOutput(TestGraphs.input("y", 2, 3)));
        assertThatThrownBy(() -> OnnxGraphTranslator.translate(model,
                Map.of("x", HostTensor.of(new long[] {2, 3}, new double[6])), Map.of(), Set.of()))
                .isInstanceOf(CurvatureException.class)
                .hasMessageContaining("Einsum node 'mix' (#0)")
                .hasMessageContaining("not supported")
                .hasMessageContaining("Gemm");
    }

    private interface Parser<T> {
        T parse(InputStream in) throws IOException;
    }

    private static <T> T read(Path p, Parser<T> parser) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return parser.parse(in);
        }
    }
}
