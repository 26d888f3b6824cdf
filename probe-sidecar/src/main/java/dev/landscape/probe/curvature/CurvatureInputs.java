package dev.landscape.probe.curvature;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.Tensor;
import onnx.Onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the files a curvature analysis starts from: the ONNX model and the eval batch. */
public final class CurvatureInputs {

    private CurvatureInputs() {
    }

    public static Onnx.ModelProto readModel(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such ONNX model file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            Onnx.ModelProto m = Onnx.ModelProto.parseFrom(in);
            if (!m.hasGraph() || m.getGraph().getNodeCount() == 0) {
                throw new CurvatureException(file + ": not an ONNX model (no graph nodes)");
            }
            return m;
        } catch (org.nd4j.shade.protobuf.InvalidProtocolBufferException e) {
            throw new CurvatureException(file + ": not an ONNX model (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The batch: every tensor of the file by name; integer dtypes (class targets, token ids) stay integral so they
     * are folded into the graph as constants.
     */
    public static Map<String, HostTensor> readBatch(Path file, CheckpointFormats formats) throws IOException {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        try (Checkpoint cp = formats.open(file)) {
            for (Tensor t : cp.tensors()) {
                out.put(t.info().name(), WeightBinder.read(t, !t.info().dtype().isFloatingPoint()));
            }
        }
        if (out.isEmpty()) {
            throw new CurvatureException(file + ": the batch holds no tensors");
        }
        return out;
    }
}
