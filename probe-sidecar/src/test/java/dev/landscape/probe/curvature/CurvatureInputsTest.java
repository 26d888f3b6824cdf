package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.onnx.OnnxTensors;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CurvatureInputsTest {

    @Test
    void initializerDataAliasesTheFileMappingInsteadOfTheHeap(@TempDir Path dir) throws Exception {
        double[] values = new double[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5;
        }
        Path file = Files.write(dir.resolve("model.onnx"), TestModels.pytorchStyleMlp(4, 10, 100, 3).toBuilder()
                .setGraph(TestModels.pytorchStyleMlp(4, 10, 100, 3).getGraph().toBuilder()
                        .setInitializer(0, TestGraphs.floats("fc1.weight", new long[] {100, 10}, values)))
                .build().toByteArray());

        Onnx.ModelProto model = CurvatureInputs.readModel(file);

        Onnx.TensorProto w = model.getGraph().getInitializer(0);
        // a copy would be a heap buffer; the alias is a slice of the direct (memory-mapped) buffer
        assertThat(w.getRawData().asReadOnlyByteBuffer().isDirect()).isTrue();
        assertThat(OnnxTensors.decode(w).values()[999]).isEqualTo(499.5);
    }
}
