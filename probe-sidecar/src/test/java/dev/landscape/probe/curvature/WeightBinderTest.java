package dev.landscape.probe.curvature;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeightBinderTest {

    private static Onnx.ModelProto model() {
        return TestGraphs.model(15, TestGraphs.graph("m")
                .addInput(TestGraphs.input("x", 2, 3))
                .addInitializer(TestGraphs.floats("fc.weight", new long[] {4, 3}))
                .addInitializer(TestGraphs.floats("bn.running_mean", new long[] {4}))
                .addInitializer(TestGraphs.floats("onnx::Mul_7", new long[] {1}, 2.0))
                .addInitializer(TestGraphs.longs("shape", new long[] {2}, 2, 4))
                .addNode(TestGraphs.node("Gemm", "fc", new String[] {"x", "fc.weight"}, "y")
                        .addAttribute(TestGraphs.intAttr("transB", 1)))
                .addOutput(TestGraphs.input("y", 2, 4)));
    }

    private static Checkpoint checkpoint(Path dir, SafetensorsWriter w) throws IOException {
        Path f = dir.resolve("c.safetensors");
        w.write(f);
        return CheckpointFormats.standard().open(f);
    }

    @Test
    void stripsWrapperPrefixesAndKeepsBuffersOutOfTheParameters(@TempDir Path dir) throws IOException {
        try (Checkpoint cp = checkpoint(dir, new SafetensorsWriter()
                .add("module.model.fc.weight", DType.F32, new long[] {4, 3}, new double[12])
                .add("bn.running_mean", DType.F32, new long[] {4}, new double[] {1, 2, 3, 4})
                .add("extra.weight", DType.F32, new long[] {1}, new double[] {1}))) {

            WeightBinding b = WeightBinder.bind(model(), cp, false);

            assertThat(b.sources()).containsEntry("fc.weight", "module.model.fc.weight")
                    .containsEntry("bn.running_mean", "bn.running_mean");
            assertThat(b.trainable()).containsExactly("fc.weight");
            assertThat(b.keptFromModel()).containsExactly("onnx::Mul_7");
            assertThat(b.unused()).containsExactly("extra.weight");
        }
    }

    @Test
    void listsEveryMissingAndMismatchedTensor(@TempDir Path dir) throws IOException {
        try (Checkpoint cp = checkpoint(dir, new SafetensorsWriter()
                .add("model.fc.weight", DType.F32, new long[] {3, 4}, new double[12]))) {

            assertThatThrownBy(() -> WeightBinder.bind(model(), cp, false))
                    .isInstanceOf(CurvatureException.class)
                    .hasMessageContaining("shape mismatch: fc.weight expects [4, 3], checkpoint tensor model.fc.weight has [3, 4]")
                    .hasMessageContaining("missing: bn.running_mean [4]");
        }
    }

    @Test
    void refusesAmbiguousPrefixMatches(@TempDir Path dir) throws IOException {
        try (Checkpoint cp = checkpoint(dir, new SafetensorsWriter()
                .add("model.fc.weight", DType.F32, new long[] {4, 3}, new double[12])
                .add("module.fc.weight", DType.F32, new long[] {4, 3}, new double[12]))) {

            assertThatThrownBy(() -> WeightBinder.bind(model(), cp, true))
                    .hasMessageContaining("ambiguous: fc.weight matches [model.fc.weight, module.fc.weight]");
        }
    }

    @Test
    void exactNameWinsOverAStrippedOne(@TempDir Path dir) throws IOException {
        try (Checkpoint cp = checkpoint(dir, new SafetensorsWriter()
                .add("fc.weight", DType.F32, new long[] {4, 3}, new double[12])
                .add("model.fc.weight", DType.F32, new long[] {4, 3}, new double[12]))) {

            WeightBinding b = WeightBinder.bind(model(), cp, true);

            assertThat(b.sources()).containsEntry("fc.weight", "fc.weight");
        }
    }
}
